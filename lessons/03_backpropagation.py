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
# Forward first, with $x = 2$, $y = 1$ and hand-picked weights:

# %%
import numpy as np
import stepnn as sn

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
print("by hand and by stepnn: the same gradients")

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
print(f"finite difference: {numeric:.6f}")
print(f"chain rule:        {dL_dw1:.6f}")
assert abs(numeric - dL_dw1) < 1e-8

# %% [markdown]
# ## Node by node: the ChainRule dashboard
#
# A network one size up: 2 inputs, 2 sigmoid hidden units, 1 sigmoid output, one sample. The
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

chain = ChainRule(seed=0)
chain.forward_all()
chain

# %% [markdown]
# The dashboard's graph is an object you can drive from code too. The whole backward pass on the
# same example, with every node's value and gradient:

# %%
from stepnn.chain import ComputationGraph

graph = ComputationGraph.example(seed=0)
print(f"loss: {graph.forward():.6f}")
graph.backward()
print(graph.table())
assert all(np.allclose(a, n) for a, n in zip(graph.gradients, graph.numeric_gradients))

# %% [markdown]
# ## A real network: `sn.gradcheck`
#
# The same check, for every weight of a bigger network at once: a 2-6-2 network with `tanh` and
# `softmax` on 20 points, with `sparse_categorical_crossentropy`. `gradcheck` compares backprop's
# gradients with central finite differences and reports, per parameter array, the largest
# relative error.

# %%
X, labels = sn.datasets.moons(n=20, noise=0.1, seed=0)
net = sn.Sequential([sn.Dense(2, 6, activation="tanh"),
                     sn.Dense(6, 2, activation="softmax")], seed=1)
report = sn.gradcheck(net, X, labels, loss="sparse_categorical_crossentropy")
print("parameters checked:", report.names)
print("backprop agrees with finite differences:", report.ok)
print("largest relative error below 1e-6:", report.max_error < 1e-6)

# %% [markdown]
# The full report, with the errors themselves (around $10^{-10}$ to $10^{-9}$: the rounding of
# floating-point numbers, not a mistake):

# %%
# NBVAL_IGNORE_OUTPUT
# why: errors near 1e-10 come from floating-point rounding and differ between machines
report

# %% [markdown]
# ## Try this
#
# 1. Change `w2` to `0.0` and rerun from the tiny network. What happens to `dL/dw1`, and why?
#    (Look at which local derivative became zero.)
# 2. Make the hidden unit very sure of itself: `w1 = 5.0`. How small does
#    $a_1(1 - a_1)$ get, and what does that do to `dL/dw1`? This is the *vanishing gradient*.
# 3. Change `h` to `1e-2` and to `1e-12`. When does the finite difference stop agreeing, and why?
# 4. In `gradcheck`, replace `tanh` by `sigmoid`, or add a layer. The check should still agree.

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
