# %% [markdown]
# # Lesson 1 · Forward propagation (순전파)
#
# **Goals.** After this lesson you can
#
# 1. compute a layer's **weighted sum (가중합)** $z = xW + b$ and its **activation function
#    (활성화 함수)** $a = f(z)$ by hand, with numpy;
# 2. follow a signal from the **input layer (입력층)** through a **hidden layer (은닉층)** to the
#    **output layer (출력층)**;
# 3. check that stepnn computes exactly the same numbers, and read them in its records;
# 4. watch the forward pass in the StepThrough dashboard.

# %% [markdown]
# ## One layer
#
# The course describes forward propagation in three moves: a layer
# ① receives the signal from the input layer (or the previous hidden layer),
# ② computes the weighted sum with its **weights (가중치)** and adds its **bias (편향)**,
# ③ passes the result through an activation function to the next layer.
#
# For one sample $x = (x_1, \dots, x_n)$ and a layer of $m$ units, unit $j$ computes
#
# $$z_j = \sum_{i=1}^{n} x_i\, w_{ij} + b_j, \qquad a_j = f(z_j).$$
#
# Written for all units at once, with $W$ of shape $(n, m)$ and $b$ of shape $(m,)$:
#
# $$z = xW + b, \qquad a = f(z).$$
#
# With a batch of $N$ samples stacked as rows, $x$ has shape $(N, n)$, and $z$ and $a$ have shape
# $(N, m)$: the same formula handles the whole batch.

# %% [markdown]
# ## A network small enough to compute by hand
#
# 2 inputs, 3 hidden units with ReLU ($f(z) = \max(z, 0)$), 1 output unit with the sigmoid
# $\sigma(z) = 1/(1 + e^{-z})$. The weights are chosen by hand so the arithmetic stays easy.
# `stepnn.exercises` (imported as `ex`) checks the functions you write in this lesson.

# %%
import numpy as np
import stepnn as sn
from stepnn import exercises as ex
from stepnn.views import diagrams
sn.set_language("en")

W1 = np.array([[0.5, -0.3, 0.8],
               [0.2, 0.9, -0.4]])      # (2 inputs, 3 hidden units)
b1 = np.array([0.1, 0.0, -0.2])        # (3,)
W2 = np.array([[0.7], [-0.5], [0.3]])  # (3 hidden units, 1 output unit)
b2 = np.array([0.25])                  # (1,)
x = np.array([[1.0, 2.0]])             # one sample, shape (1, 2)

# %% [markdown]
# The same network as a picture: each weight $w_{ij}$ on the edge from input $i$ to unit $j$
# (blue positive, red negative, thicker when larger), each bias under its unit.

# %%
diagrams.network([(W1, b1), (W2, b2)], activations=["ReLU", "σ"])

# %% [markdown]
# **Hidden layer.** The first unit's weighted sum is
# $z_1 = 1.0 \cdot 0.5 + 2.0 \cdot 0.2 + 0.1 = 1.0$. Check the other two on paper, then run the
# cell.

# %%
z1 = x @ W1 + b1
a1 = np.maximum(z1, 0)
print("z1 =", z1.round(4))
sn.say("relu_output", a1=a1.round(4))

# %% [markdown]
# **Output layer.** Its input is the hidden layer's activation $a_1$, not $x$:
# $z_2 = a_1 W_2 + b_2 = 1.0 \cdot 0.7 + 1.5 \cdot (-0.5) + 0 \cdot 0.3 + 0.25 = 0.2$ and
# $a_2 = \sigma(0.2)$.

# %%
z2 = a1 @ W2 + b2
a2 = 1 / (1 + np.exp(-z2))
print("z2 =", z2.round(4))
sn.say("the_prediction", a2=a2.round(4))

# %% [markdown]
# ## The same network in stepnn
#
# `Dense(n_in, n_out, activation, weights=(W, b))` builds a layer with given weights. The
# model's `forward` returns a `ForwardRecord` with every layer's `z` and `a`. The `assert` lines
# check that stepnn's numbers equal ours; if they did not, the cell would stop with an error.

# %%
model = sn.Sequential([sn.Dense(2, 3, activation="relu", weights=(W1, b1)),
                       sn.Dense(3, 1, activation="sigmoid", weights=(W2, b2))])
record = model.forward(x)
print(record)

for mine, theirs in [(z1, record.z[0]), (a1, record.a[0]), (z2, record.z[1]), (a2, record.a[1])]:
    assert np.allclose(mine, theirs)
sn.say("same_numbers")

# %% [markdown]
# ## A batch: many samples at once
#
# Stack four samples as rows. Every shape gains the batch dimension; the formula does not change.

# %%
batch = np.array([[1.0, 2.0],
                  [0.0, 0.0],
                  [-1.0, 1.0],
                  [2.0, -1.0]])
record = model.forward(batch)
for layer, (z, a) in enumerate(zip(record.z, record.a), start=1):
    sn.say("layer_shapes", layer=layer, z=z.shape, a=a.shape)
sn.say("predictions", values=record.a[-1][:, 0].round(4))
assert np.allclose(record.a[-1], model.predict(batch))

# %% [markdown]
# The second sample is all zeros, so its weighted sums are just the biases: $z_1 = b_1$.
# The first row repeats the single sample above.

# %% [markdown]
# **Exercise: `dense_forward`.** Write the weighted sum of a whole batch, $z = xW + b$, in one
# line of numpy (`@` multiplies matrices). Then run the cell after it: the check tries your
# function on several inputs, compares it with stepnn's own, and says what is wrong, if anything.
# Stuck? Run `ex.hint("dense_forward")` in a new cell.

# %%
def dense_forward(x, W, b):
    """The weighted sum of a batch: x (n, i), W (i, o), b (o,) -> z (n, o)."""
    ...

# %%
ex.check("dense_forward", dense_forward)

# %% [markdown]
# ## Activation functions (활성화 함수)
#
# Without an activation, two layers would collapse into one linear map
# ($xW_1W_2$ is again $x$ times one matrix). The activation bends the signal. stepnn has the
# Keras ones:
#
# | name | formula | output range |
# |---|---|---|
# | `linear` | $a = z$ | any number |
# | `relu` | $a = \max(z, 0)$ | $[0, \infty)$ |
# | `leaky_relu` | $a = z$ if $z > 0$ else $0.2z$ | any number |
# | `sigmoid` | $a = 1/(1+e^{-z})$ | $(0, 1)$: a probability |
# | `tanh` | $a = \tanh z$ | $(-1, 1)$ |
# | `softmax` | $a_k = e^{z_k}/\sum_j e^{z_j}$ | each in $(0,1)$, summing to 1 |

# %%
z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
print("z         ", z)
for name in ["linear", "relu", "leaky_relu", "sigmoid", "tanh"]:
    print(f"{name:<10}", sn.activations.get(name).forward(z).round(4))
p = sn.activations.get("softmax").forward(z)
sn.say("softmax_sum", p=p.round(4), total=round(p.sum(), 6))

# %%
import matplotlib.pyplot as plt

grid = np.linspace(-4, 4, 201)
fig, axes = plt.subplots(1, 5, figsize=(12, 2.4), sharey=True)
for ax, name in zip(axes, ["linear", "relu", "leaky_relu", "sigmoid", "tanh"]):
    ax.plot(grid, sn.activations.get(name).forward(grid))
    ax.axhline(0, color="0.8", lw=0.8)
    ax.axvline(0, color="0.8", lw=0.8)
    ax.set_title(name)
    ax.set_xlabel("z")
axes[0].set_ylim(-2, 2)
axes[0].set_ylabel("a = f(z)")
plt.show()

# %% [markdown]
# **Exercise: `relu`.** ReLU for an array of any shape: negative entries become 0, the others
# stay. Then run the cell after it: the check tries your function on several inputs, compares it
# with stepnn's own, and says what is wrong, if anything. Stuck? Run `ex.hint("relu")` in a new
# cell.

# %%
def relu(z):
    """max(z, 0) elementwise; z of any shape, the result of the same shape."""
    ...

# %%
ex.check("relu", relu)

# %% [markdown]
# **Exercise: `sigmoid`.** The sigmoid for an array of any shape. It must also work for large
# $|z|$, such as $z = -1000$, without warnings. Then run the cell after it: the check tries your
# function on several inputs, compares it with stepnn's own, and says what is wrong, if anything.
# Stuck? Run `ex.hint("sigmoid")` in a new cell.

# %%
def sigmoid(z):
    """1 / (1 + e^(-z)) elementwise; z of any shape."""
    ...

# %%
ex.check("sigmoid", sigmoid)

# %% [markdown]
# **Softmax** turns a row of $K$ scores into $K$ probabilities. $e^{z}$ overflows for $z$ above
# about 709, so subtract each row's largest score first: the result is the same, since
# $e^{z_k - m}/\sum_j e^{z_j - m} = e^{z_k}/\sum_j e^{z_j}$.

# %% [markdown]
# **Exercise: `softmax`.** Softmax over the last axis of `z` (one row per sample); keep the sums
# with `keepdims=True` so they broadcast back over each row. Then run the cell after it: the check
# tries your function on several inputs, compares it with stepnn's own, and says what is wrong, if
# anything. Stuck? Run `ex.hint("softmax")` in a new cell.

# %%
def softmax(z):
    """e^z / sum(e^z) over the last axis: z (n, K) -> probabilities (n, K), each row summing to 1."""
    ...

# %%
ex.check("softmax", softmax)

# %% [markdown]
# ## Forward propagation in the StepThrough dashboard
#
# The same hand-made network and the same four samples, now in a trainer (targets 1, 0, 0, 1).
# The cell runs `forward()` once before showing the dashboard, so the diagram already carries
# the numbers: each unit's $z$ and $a$ for the sample picked with the **Sample in batch** slider,
# and the heatmaps show $z$ and $a$ of every layer for the whole batch (one row per sample).
# Move the slider and compare with the values printed above. Then click **Loss**, **Backward**,
# **Update**, and **Forward** again: the new $z$ and $a$ come from the updated weights.

# %%
from stepnn.widgets.stepthrough import StepThrough

trainer = sn.Trainer(model, batch, [1, 0, 0, 1], loss="binary_crossentropy", optimizer="sgd",
                     learning_rate=0.5, batch_size=4, shuffle=False)
forward = trainer.forward()
assert np.allclose(forward.a[-1], record.a[-1])
StepThrough(trainer, views=("network", "heatmaps"))

# %% [markdown]
# ## Try this
#
# 1. Change `x` to `[[3.0, -1.0]]` and compute $z_1$ on paper before running the cells.
# 2. Give the hidden layer `activation="sigmoid"` in the stepnn model only. The `assert` fails:
#    why? Change the by-hand cell so it passes again.
# 3. Set `b1` to zeros. Which hidden unit changes its activation, and why?
# 4. Add a second hidden layer, e.g. `sn.Dense(3, 2, activation="tanh")`, and fix the sizes so
#    the layers chain. What shape does each `z` have now?
# 5. Once `dense_forward` passes, break it on purpose: leave out `+ b`, or write `W @ x`. Read
#    what the check says about each mistake.

# %% [markdown]
# ## Self-check
#
# <details><summary>1. A layer has 4 inputs and 5 units. What are the shapes of W, b, and of z for a batch of 8?</summary>
#
# $W$ is $(4, 5)$, $b$ is $(5,)$, and $z = xW + b$ is $(8, 5)$: one row per sample, one column per unit.
# </details>
#
# <details><summary>2. What does the output layer receive as its input?</summary>
#
# The activations $a$ of the layer before it (the last hidden layer), not the raw input $x$.
# </details>
#
# <details><summary>3. Why does ReLU turn z = -0.2 into 0?</summary>
#
# ReLU is $\max(z, 0)$: any negative weighted sum is cut to zero, so that unit sends nothing on
# for this sample.
# </details>
#
# <details><summary>4. Why is an activation function needed at all?</summary>
#
# Without it every layer is linear, and a stack of linear layers is one linear layer: the network
# could only draw straight decision boundaries.
# </details>
