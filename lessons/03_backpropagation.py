# %% [markdown]
# # Lesson 3 · Backpropagation (역전파)
#
# **Goals.** After this lesson you can
#
# 1. say what a **partial derivative (편미분)** of the loss with respect to one weight means;
# 2. apply the **chain rule (연쇄 법칙)** node by node on a tiny network: local derivative times
#    upstream gradient;
# 3. check your gradients three ways: by hand, with stepnn's `backward()`, and with finite
#    differences (`sn.gradcheck`);
# 4. follow the gradient backwards through each node in the ChainRule dashboard.

# %% [markdown]
# ## What backpropagation computes
#
# **Backward propagation (역전파)** sends the loss information the opposite way to forward
# propagation (순전파): from the output layer back to the input layer. For every weight $w$ it
# finds the partial derivative
#
# $$\frac{\partial L}{\partial w}: \text{ how fast the loss changes when only } w \text{ changes a little.}$$
#
# If it is positive, making $w$ a little smaller lowers the loss; if negative, a little larger.
# Gradient descent (경사하강법, lesson 4) uses exactly this to decide which way each weight
# moves.

# %% [markdown]
# ## The chain rule (연쇄 법칙)
#
# A network is a chain of simple functions. When $L$ depends on $a$, and $a$ depends on $z$,
#
# $$\frac{\partial L}{\partial z} = \frac{\partial L}{\partial a}\cdot\frac{\partial a}{\partial z}
# \qquad\text{(upstream gradient} \times \text{local derivative).}$$
#
# Each node only needs its own **local derivative**; the **upstream gradient** arrives from the
# node after it. Going backwards node by node, the products build up every weight's gradient.

# %% [markdown]
# ## A tiny network, node by node
#
# One input, one hidden unit with a sigmoid, one linear output unit, squared error:
#
# $$z_1 = w_1 x + b_1,\quad a_1 = \sigma(z_1),\quad z_2 = w_2 a_1 + b_2,\quad \hat y = z_2,\quad
# L = (\hat y - y)^2 .$$
#
# (A number as the target, a linear output and squared error: a regression, as in lesson 2's
# table.) As a **computation graph**: each box is one node; the values flow left to right
# (forward), and each red arrow carries a **local derivative**, the derivative of a node's output
# by its input, used right to left (backward).

# %%
import numpy as np
import stepnn as sn
from stepnn import exercises as ex
from stepnn.views import diagrams
sn.set_language("en")

diagrams.chain_graph()

# %% [markdown]
# Forward first, with $x = 2$, $y = 1$ and hand-picked weights:

# %%
x, y = 2.0, 1.0
w1, b1, w2, b2 = 0.5, 0.0, 1.5, 0.2

z1 = w1 * x + b1
a1 = 1 / (1 + np.exp(-z1))
z2 = w2 * a1 + b2
y_hat = z2
L = (y_hat - y) ** 2
print(f"z1 = {z1:.4f}  a1 = {a1:.4f}  z2 = {z2:.4f}  L = {L:.6f}")

# %% [markdown]
# Now backwards. The local derivatives are
#
# | node | local derivative |
# |---|---|
# | $L = (\hat y - y)^2$ | $\partial L/\partial \hat y = 2(\hat y - y)$ |
# | $z_2 = w_2 a_1 + b_2$ | $\partial z_2/\partial w_2 = a_1$, $\partial z_2/\partial b_2 = 1$, $\partial z_2/\partial a_1 = w_2$ |
# | $a_1 = \sigma(z_1)$ | $\partial a_1/\partial z_1 = a_1(1 - a_1)$ |
# | $z_1 = w_1 x + b_1$ | $\partial z_1/\partial w_1 = x$, $\partial z_1/\partial b_1 = 1$ |
#
# and each gradient is the upstream gradient times a local derivative:

# %%
dL_dyhat = 2 * (y_hat - y)               # start: the loss's own derivative
dL_dz2 = dL_dyhat * 1.0                  # linear output: local derivative 1
dL_dw2 = dL_dz2 * a1                     # dz2/dw2 = a1
dL_db2 = dL_dz2 * 1.0                    # dz2/db2 = 1
dL_da1 = dL_dz2 * w2                     # dz2/da1 = w2: the gradient flows on to the hidden unit
dL_dz1 = dL_da1 * a1 * (1 - a1)          # sigmoid: da1/dz1 = a1 (1 - a1)
dL_dw1 = dL_dz1 * x                      # dz1/dw1 = x
dL_db1 = dL_dz1 * 1.0                    # dz1/db1 = 1

for name, value in [("dL/dy_hat", dL_dyhat), ("dL/dz2", dL_dz2), ("dL/dw2", dL_dw2),
                    ("dL/db2", dL_db2), ("dL/da1", dL_da1), ("dL/dz1", dL_dz1),
                    ("dL/dw1", dL_dw1), ("dL/db1", dL_db1)]:
    print(f"{name:<10} {value: .6f}")

# %% [markdown]
# Written out in one line, the gradient of the first weight is a product along the path from
# the loss back to $w_1$:
#
# $$\frac{\partial L}{\partial w_1} = \underbrace{2(\hat y - y)}_{\partial L/\partial \hat y}
# \cdot \underbrace{1}_{\partial \hat y/\partial z_2}
# \cdot \underbrace{w_2}_{\partial z_2/\partial a_1}
# \cdot \underbrace{a_1(1-a_1)}_{\partial a_1/\partial z_1}
# \cdot \underbrace{x}_{\partial z_1/\partial w_1}$$
#
# **Exercises: local derivatives.** Each activation needs its **derivative (도함수)**, the
# function $a'(z)$, for the backward pass. Write both for arrays of any shape:
# ReLU's is 1 where $z > 0$ and 0 elsewhere (take 0 at $z = 0$, as Keras and PyTorch do); the
# sigmoid's is $\sigma(z)(1 - \sigma(z))$ (`sn.activations.sigmoid(z)` gives $\sigma(z)$).

# %%
def relu_derivative(z):
    """d relu(z) / dz elementwise: 1 where z > 0, else 0; same shape as z."""
    ...

# %%
ex.check("relu_derivative", relu_derivative)

# %%
def sigmoid_derivative(z):
    """d sigmoid(z) / dz elementwise; same shape as z."""
    ...

# %%
ex.check("sigmoid_derivative", sigmoid_derivative)

# %% [markdown]
# ## The same numbers from stepnn
#
# Build the network with these weights, run one forward, loss and backward on this one sample,
# and compare. The `BackwardRecord` holds, per layer, `dz`, `da`, `dW` and `db`.

# %%
model = sn.Sequential([sn.Dense(1, 1, activation="sigmoid", weights=([[w1]], [b1])),
                       sn.Dense(1, 1, activation="linear", weights=([[w2]], [b2]))])
trainer = sn.Trainer(model, [[x]], [y], loss="mse", batch_size=1, learning_rate=0.1)
trainer.forward()
trainer.loss()
g = trainer.backward()
print(g)

assert np.isclose(g.dW[1][0, 0], dL_dw2) and np.isclose(g.db[1][0], dL_db2)
assert np.isclose(g.da[0][0, 0], dL_da1) and np.isclose(g.dz[0][0, 0], dL_dz1)
assert np.isclose(g.dW[0][0, 0], dL_dw1) and np.isclose(g.db[0][0], dL_db1)
sn.say("same_gradients")

# %% [markdown]
# ## A third opinion: finite differences
#
# The partial derivative is a limit: nudge $w_1$ by a tiny $h$ up and down and measure the
# change of the loss,
#
# $$\frac{\partial L}{\partial w_1} \approx \frac{L(w_1 + h) - L(w_1 - h)}{2h}.$$

# %%
def loss_at(w1):
    a1 = 1 / (1 + np.exp(-(w1 * x + b1)))
    return (w2 * a1 + b2 - y) ** 2

h = 1e-5
numeric = (loss_at(w1 + h) - loss_at(w1 - h)) / (2 * h)
sn.say("finite_difference", value=numeric)
sn.say("chain_rule", value=dL_dw1)
sn.say("agree_8_decimals", agree=abs(numeric - dL_dw1) < 1e-8)

# %% [markdown]
# With $h = 10^{-5}$ they agree to about 10 decimals. A much larger $h$ measures the slope of a
# chord, not of the tangent; a much smaller one loses the difference to the rounding of
# floating-point numbers (try 3 below): then the last line says `False`, and that is the lesson.

# %% [markdown]
# ## Node by node: the ChainRule dashboard
#
# A network one size up: 2 inputs, 2 sigmoid hidden units, 1 sigmoid output, one sample with a
# target of 0 or 1: a binary classification, so the loss is `binary_crossentropy` (lesson 2). The
# cell has already run the forward pass (as if you clicked **Forward all**): every node carries
# its value and the loss is at the end. Now click **Backward (1 node)** again and again. At each
# node the dashboard writes the chain rule with the numbers,
#
# $$\frac{\partial L}{\partial z} = \frac{\partial L}{\partial a} \times \frac{\partial a}{\partial z},$$
#
# and when a weighted sum is done, the gradients of the weights feeding it are complete and
# checked against finite differences. **Update** then moves all 9 parameters; **Forward all**
# shows the new, smaller loss. **New example** draws another input, target and weights.

# %%
from stepnn.widgets.chain_rule import ChainRule

chain = ChainRule(seed=0, loss="binary_crossentropy")
chain.forward_all()
chain

# %% [markdown]
# The dashboard's graph is an object you can drive from code too. The whole backward pass on the
# same example, with every node's value and gradient:

# %%
from stepnn.chain import ComputationGraph

graph = ComputationGraph.example(seed=0, loss="binary_crossentropy")
sn.say("graph_loss", value=graph.forward())
graph.backward()
print(graph.table())
assert all(np.allclose(a, n) for a, n in zip(graph.gradients, graph.numeric_gradients))

# %% [markdown]
# ## The matrix form: a whole layer and a whole batch at once
#
# A real layer computes $z = xW + b$ for a batch: $x$ is $(N, i)$, $W$ is $(i, o)$, $z$ is
# $(N, o)$. The chain rule, applied to every weight and summed over the samples, becomes three
# matrix products. With $dz = \partial L/\partial z$ of shape $(N, o)$ arriving from above:
#
# $$dW = x^{\mathsf T}\, dz \;\; (i, o), \qquad db = \sum_{\text{samples}} dz \;\; (o,), \qquad
# dx = dz\, W^{\mathsf T} \;\; (N, i).$$
#
# Each weight $w_{jk}$ touches every sample, so its gradient sums $x_{nj}\,dz_{nk}$ over the
# samples $n$: that sum is the matrix product $x^{\mathsf T} dz$. The bias adds 1 times $dz$ for
# every sample. And $dx$ is what the layer hands back to the layer before it (its $\partial
# L/\partial a$).
#
# **Gradients add up where a value feeds two nodes.** Each input $x_j$ feeds all $o$ units of
# the layer, so $dx_j$ is a sum over those units: $dx_{nj} = \sum_k dz_{nk}\, w_{jk}$. The
# smallest case: $a$ feeds two nodes, $q = 3a$ and $r = a^2$, and $L = q + r$. Along each path
# the chain rule gives one part, $\partial L/\partial a = 3 + 2a$: the parts **add**. A backward
# pass that assigns the second part instead of adding it gets this wrong, the classic bug.

# %%
def loss_of(a):
    q, r = 3 * a, a ** 2                     # a feeds two nodes
    return q + r

a = 1.5
from_q, from_r = 3.0, 2 * a                  # the local derivatives dq/da and dr/da
sn.say("two_paths", value=from_q + from_r)
h = 1e-5
sn.say("paths_finite_difference", value=round((loss_of(a + h) - loss_of(a - h)) / (2 * h), 6))
sn.say("last_path_only", value=from_r)

# %% [markdown]
# Now the three formulas on the hidden layer of a real 2-4-1 network and a batch of 5: stepnn's
# `backward()` against $x^{\mathsf T}dz$, $\sum dz$ and $dz\,W^{\mathsf T}$ (for the hidden layer,
# $x$ is the network's input).

# %%
X5, y5 = sn.datasets.gauss(n=5, seed=0)
small_net = sn.Sequential([sn.Dense(2, 4, activation="relu"),
                           sn.Dense(4, 1, activation="sigmoid")], seed=0)
batch_trainer = sn.Trainer(small_net, X5, y5, loss="binary_crossentropy", batch_size=5, shuffle=False)
f = batch_trainer.forward()
batch_trainer.loss()
g = batch_trainer.backward()
dz_out = g.dz[1]                             # (5, 1), arriving at the output layer
W_out = small_net.layers[1].W                # (4, 1)
sn.say("dW_output", ok=np.allclose(g.dW[1], f.a[0].T @ dz_out))
sn.say("db_output", ok=np.allclose(g.db[1], dz_out.sum(axis=0)))
sn.say("da_hidden", ok=np.allclose(g.da[0], dz_out @ W_out.T))
sn.say("dW_hidden", ok=np.allclose(g.dW[0], f.x.T @ g.dz[0]))

# %% [markdown]
# ## A real network: `sn.gradcheck`
#
# The same check, for every weight of a bigger network at once: a 4-6-3 network with `tanh` and
# `softmax` on 21 iris flowers of 3 species (a multi-class classification with class numbers as
# targets, so `sparse_categorical_crossentropy`, lesson 2). `gradcheck` compares backprop's
# gradients with central finite differences and reports, per parameter array, the largest
# relative error.

# %%
X_iris, species = sn.datasets.iris()
X, labels = X_iris[::7], species[::7]         # 21 flowers, 7 of each species
net = sn.Sequential([sn.Dense(4, 6, activation="tanh"),
                     sn.Dense(6, 3, activation="softmax")], seed=1)
report = sn.gradcheck(net, X, labels, loss="sparse_categorical_crossentropy")
sn.say("parameters_checked", names=report.names)
sn.say("backprop_agrees", ok=report.ok)
sn.say("error_below", ok=report.max_error < 1e-6)

# %% [markdown]
# The full report, with the errors themselves (around $10^{-10}$ to $10^{-9}$: the rounding of
# floating-point numbers, not a mistake):

# %%
# NBVAL_IGNORE_OUTPUT
# why: errors near 1e-10 come from floating-point rounding and differ between machines
report

# %% [markdown]
# ## Your backward pass on a real network
#
# **Exercise: `dense_backward`.** Write the three formulas of the matrix form. Given the layer's
# input `x` $(N, i)$, its weights `W` $(i, o)$ and `dz` $(N, o)$, return `(dW, db, dx)`. Then run
# the check.

# %%
def dense_backward(x, W, dz):
    """Backward pass of z = xW + b: x (N, i), W (i, o), dz (N, o) -> dW (i, o), db (o,), dx (N, i)."""
    ...

# %%
check = ex.check("dense_backward", dense_backward)
check

# %% [markdown]
# Once it passes, your function can take over from stepnn on the 2-4-1 network above: the cell
# feeds it the records of that batch, layer by layer from the output back, and compares every
# array with stepnn's `backward()`.

# %%
if check.passed:
    dW2, db2, da1 = dense_backward(f.a[0], small_net.layers[1].W, g.dz[1])
    dz1 = da1 * (f.z[0] > 0)                 # ReLU's local derivative
    dW1, db1, _ = dense_backward(f.x, small_net.layers[0].W, dz1)
    sn.say("yours_output", ok=np.allclose(dW2, g.dW[1]) and np.allclose(db2, g.db[1]))
    sn.say("yours_hidden", ok=np.allclose(dW1, g.dW[0]) and np.allclose(db1, g.db[0]))
else:
    sn.say("write_first")

# %% [markdown]
# ## Your code drives the trainer
#
# A function that passed its check can take over from stepnn in real training. Give it to the
# Trainer with `use={"dense_backward": dense_backward}`: every **Backward** then runs your function,
# layer by layer, and the update moves the weights with the gradients *you* computed.
#
# StepThrough marks the Backward button with ✎ and shows, at each step, the largest difference
# between your results and stepnn's own on the same numbers. Right code gives 0 (or about
# $10^{-16}$, rounding). Wrong code is not refused: it trains, the difference turns red, and the
# loss curve does not fall the way it should. Press **Step** a few times, then **Epoch**.
#
# Under the figure, **Show the maths** is ticked: after each phase the panel writes out its formula
# with the numbers of one sample. Press **Forward**, **Loss**, then **Backward**, and watch the
# chain rule at work: the gradient of one weight is the product of the local derivatives
# $\frac{\partial L}{\partial a} \cdot \frac{\partial a}{\partial z} \cdot \frac{\partial z}{\partial w}$,
# each with its number, summed over the batch, the same product your `dense_backward` computes.

# %%
from stepnn.widgets.stepthrough import StepThrough

X_train, y_train = sn.datasets.gauss(n=64, seed=0)
your_net = sn.Sequential([sn.Dense(2, 4, activation="relu"),
                          sn.Dense(4, 1, activation="sigmoid")], seed=0)
my_code = {}
if check.passed:
    my_code = {"dense_backward": dense_backward}   # your function runs in every Backward
    sn.say("runs_yours")
else:
    sn.say("runs_stepnn")
your_trainer = sn.Trainer(your_net, X_train, y_train, loss="binary_crossentropy",
                          learning_rate=0.5, batch_size=16, use=my_code)
StepThrough(your_trainer, views=("network", "curves"), show_maths=True)

# %% [markdown]
# ## Try this
#
# 1. Change `w2` to `0.0` and rerun from the tiny network. What happens to `dL/dw1`, and why?
#    (Look at which local derivative became zero.)
# 2. Make the hidden unit very sure of itself: `w1 = 5.0`. How small does
#    $a_1(1 - a_1)$ get, and what does that do to `dL/dw1`? This is the *vanishing gradient*.
# 3. In the finite-difference cell, change `h` to `1e-2` and to `1e-12`. When does the finite
#    difference stop agreeing, and why?
# 4. In `gradcheck`, replace `tanh` by `sigmoid`, or add a layer. The check should still agree.
# 5. Once `dense_backward` passes, make `db` the mean of `dz` over the batch instead of its sum, or
#    return `dz @ W` for `dx`. What does the check say, and why is each one wrong?
# 6. Plug the mean version into the trainer anyway (run the last cell again, with
#    `my_code = {"dense_backward": dense_backward}` outside the `if`). Step through: where does
#    the difference turn red, and how does the loss curve change?

# %% [markdown]
# ## Self-check
#
# <details><summary>1. What does dL/dw2 = 0.43 tell you about w2?</summary>
#
# Increasing $w_2$ by a small amount $\delta$ increases the loss by about $0.43\,\delta$. To lower
# the loss, $w_2$ should get a little smaller.
# </details>
#
# <details><summary>2. In the chain rule, what does each node contribute, and what does it receive?</summary>
#
# It receives the upstream gradient $\partial L/\partial(\text{its output})$ from the node after
# it, multiplies by its own local derivative, and passes the product on to the nodes before it.
# </details>
#
# <details><summary>3. Why is backpropagation run from the output layer towards the input layer?</summary>
#
# Every gradient needs the upstream gradient of the nodes after it. Starting at the loss, each
# product is computed once and reused by all the weights before it.
# </details>
#
# <details><summary>4. Why not compute every gradient with finite differences?</summary>
#
# It needs two forward passes per weight: millions of passes for a real network, and it is only
# approximate. Backprop gives all gradients exactly in one backward pass; finite differences are
# kept as a check.
# </details>
