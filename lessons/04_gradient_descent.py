# %% [markdown]
# # Lesson 4 · Gradient descent (경사하강법)
#
# **Goals.** After this lesson you can
#
# 1. compute the derivative of the cost at the current weight and take one step against it;
# 2. predict what a **learning rate (학습률)** that is too small, good, too large, or far too large
#    does to the descent, and check the prediction;
# 3. fit a line with gradient descent and compare the result with the exact least-squares answer;
# 4. watch descent paths on a loss surface in the DescentExplorer dashboard.

# %% [markdown]
# ## Down the slope
#
# Backpropagation (역전파) gives, for every weight, the derivative of the loss. **Gradient descent
# (경사하강법)** uses it: at every iteration it computes the derivative of the **cost function
# (비용 함수)**, the mean loss of lesson 2, at the current weights, and moves each weight a small
# step **against** its derivative, that is, downhill. That the slope gets smaller as the weights
# approach a minimum is a result of these steps, not the rule. For a weight $w$ and learning rate
# $\eta$:
#
# $$w \leftarrow w - \eta\,\frac{\partial L}{\partial w}.$$
#
# The minus sign is the whole idea: where the loss rises with $w$ (positive slope), $w$ goes
# down; where it falls (negative slope), $w$ goes up.

# %% [markdown]
# ## One weight, one parabola
#
# Take the simplest cost there is, $L(w) = (w - 3)^2$, with its minimum at $w = 3$. Its derivative
# is $L'(w) = 2(w - 3)$. Start at $w = 0$ with $\eta = 0.1$:

# %%
import numpy as np
import stepnn as sn
from stepnn import exercises as ex
sn.set_language("en")

def cost(w):
    return (w - 3) ** 2

def derivative(w):
    return 2 * (w - 3)

w, lr = 0.0, 0.1
for step in range(1, 6):
    slope = derivative(w)
    w = w - lr * slope
    sn.say("descent_step", step=step, slope=slope, w=w, cost=cost(w))

# %% [markdown]
# **Exercise: `sgd_update`.** The update rule of one step, $w - \eta\,g$, for a number or an array
# of weights. Return the new weights; do not change `w` in place. Then run the cell after it: the
# check tries your function on several inputs, compares it with stepnn's own, and says what is
# wrong, if anything. Stuck? Run `ex.hint("sgd_update")` in a new cell.

# %%
def sgd_update(w, grad, learning_rate):
    """One gradient descent step: w and grad of the same shape (a number or an array) -> the new w."""
    ...

# %%
ex.check("sgd_update", sgd_update)

# %% [markdown]
# Each step closes the same fraction of the gap: $w_{new} - 3 = (1 - 2\eta)(w - 3)$. So the
# learning rate decides everything:
#
# * $0 < \eta < 0.5$: the factor $1 - 2\eta$ is between 0 and 1: a steady slide to the minimum
#   (slow when $\eta$ is tiny);
# * $0.5 < \eta < 1$: the factor is negative: $w$ jumps over the minimum, back and forth, but
#   still closes in;
# * $\eta > 1$: $|1 - 2\eta| > 1$: every step lands further away. The descent **diverges**.
#
# The cell runs 20 steps with four learning rates and checks the distance against
# $|1 - 2\eta|^{20} \cdot 3$.

# %%
sn.say("rates_head")
for lr in [0.01, 0.3, 0.9, 1.1]:
    w = 0.0
    for _ in range(20):
        w = w - lr * derivative(w)
    assert np.isclose(abs(w - 3), abs(1 - 2 * lr) ** 20 * 3)
    print(f"{lr:>13} {1 - 2 * lr:>7.2f} {w:>17.4f} {cost(w):>12.4g}")

# %%
import matplotlib.pyplot as plt
from stepnn.views import localize

grid = np.linspace(-2, 8, 200)
fig, axes = plt.subplots(1, 4, figsize=(13, 2.8), sharey=True)
for ax, (lr, verdict) in zip(axes, [(0.01, "too_small"), (0.3, "good"),
                                    (0.9, "too_large"), (1.1, "diverges")]):
    path = [0.0]
    for _ in range(8):
        path.append(path[-1] - lr * derivative(path[-1]))
    path = np.array(path)
    ax.plot(grid, cost(grid), color="0.7")
    ax.plot(path, cost(path), "o-", color="tab:red", ms=4)
    ax.set_title(sn.words("rate_verdict", lr=lr, verdict=sn.words(verdict)))
    ax.set_xlim(-2, 8)
    ax.set_ylim(0, 30)
    ax.set_xlabel("w")
axes[0].set_ylabel(sn.words("cost_of_w"))
localize(fig)   # a font with Hangul for the labels, when the lesson speaks Korean
plt.show()

# %% [markdown]
# ## Two weights: fitting a line
#
# 100 points near the line $y = 2x - 1$. A single linear unit predicts $\hat y = wx + b$ and the
# loss is MSE. Now the loss is a surface over the plane of $(w, b)$, and the gradient
# $(\partial L/\partial w, \partial L/\partial b)$ points uphill on it. We use all 100 points in
# every iteration (full-batch gradient descent) so each step follows the exact slope.

# %%
X, y = sn.datasets.linear(n=100, noise=0.1, seed=0)

def line_trainer(learning_rate):
    model = sn.Sequential([sn.Dense(1, 1, activation="linear", weights=([[0.0]], [0.0]))])
    return sn.Trainer(model, X, y, loss="mse", optimizer="sgd", learning_rate=learning_rate,
                      batch_size=100, shuffle=False)

trainer = line_trainer(0.5)
for _ in range(8):
    trainer.forward()
    loss = trainer.loss()
    grads = trainer.backward()
    trainer.update()
    w, b = trainer.model.get_flat()
    sn.say("line_step", loss=loss.value, dw=grads.dW[0][0, 0], db=grads.db[0][0], w=w, b=b)

# %% [markdown]
# The exact answer for a line is known (least squares), so we can check where the descent
# is heading:

# %%
A = np.column_stack([X[:, 0], np.ones(len(X))])
w_best, b_best = np.linalg.lstsq(A, y, rcond=None)[0]
sn.say("least_squares", w=w_best, b=b_best)

trainer.fit(epochs=50, verbose=False)
w, b = trainer.model.get_flat()
sn.say("after_descent", steps=trainer.global_iteration, w=w, b=b)
sn.say("within_least_squares", ok=bool(np.allclose([w, b], [w_best, b_best], atol=1e-3)))

# %% [markdown]
# Full-batch steps follow the exact slope of this cost, so they end at its minimum: `True`. With
# smaller batches (try 4 below) each step follows the slope of its batch only, and the weights
# keep jiggling around the minimum: the last line may say `False`, and lesson 5 explains why.

# %% [markdown]
# ## The learning rate on the line
#
# Same start, 30 iterations, three learning rates. `trainer.history.losses` holds the loss of
# every iteration.

# %%
for lr in [0.05, 0.5, 1.5]:
    trainer = line_trainer(lr)
    trainer.fit(epochs=30, verbose=False)
    losses = trainer.history.losses
    sn.say("rate_losses", lr=lr, values=", ".join(f"{losses[i]:.4g}" for i in (0, 9, 29)))

# %% [markdown]
# 0.05 is still far from the bottom after 30 steps, 0.5 is there, and 1.5 makes the loss
# explode: each step overshoots by more than the last. Lesson 7 shows how `fit` stops such a run.

# %% [markdown]
# ## On a loss surface: DescentExplorer
#
# With two weights the loss is a surface, and the rule for the learning rate becomes a rule
# about its **steepest** direction. Near a minimum, a step multiplies the distance to it along
# each direction by $(1 - \eta\,c)$, where $c$ is the curvature (second derivative) along that
# direction.
#
# The **Hessian** is the table of all second derivatives of the loss,
# $H_{ij} = \partial^2 L/\partial w_i\,\partial w_j$: for two weights, a $2 \times 2$ matrix. Its
# eigenvectors are the directions of pure curvature (the axes of the bowl) and its eigenvalues the
# curvatures along them. The steepest one, the largest eigenvalue, is called $\lambda_{max}$
# (a Greek lambda; $L$ stays the loss). So:
#
# * $\eta < 1/\lambda_{max}$: straight downhill; $1/\lambda_{max} < \eta < 2/\lambda_{max}$:
#   zig-zag, but it converges; $\eta > 2/\lambda_{max}$: every step overshoots more: divergence.
#
# Our parabola $(w-3)^2$ has one weight and second derivative 2, so $\lambda_{max} = 2$: the
# borders $1/\lambda_{max} = 0.5$ and $2/\lambda_{max} = 1$ are exactly the ones found above. The
# dashboard's bowl $f(w_1, w_2) = w_1^2 + 2w_2^2$ has the Hessian
# $\begin{pmatrix}2 & 0\\ 0 & 4\end{pmatrix}$: it is steeper along $w_2$ ($\lambda_{max} = 4$).
# Its presets are learning rates computed from $\lambda_{max}$ (the dashboard's text calls it L).
# The cell takes 8 steps with the "too large" preset before showing it: see the zig-zag across
# the steep direction.
#
# Then try it yourself: pick a preset, click **Step** or **Play**, and click anywhere on the
# surface to start from there. The yellow arrow is $-\nabla L$, the dotted line where the next
# step lands.

# %%
from stepnn.widgets.descent import DescentExplorer

bowl = DescentExplorer("quadratic")
sn.say("presets", rates={name: round(rate, 4) for name, rate in bowl.rates.items()})
bowl.use_preset("too large")
for _ in range(8):
    bowl.step()
w1, w2 = bowl.path[-1]
sn.say("after_8_steps", w1=w1, w2=w2, loss=bowl.losses[-1])
bowl

# %% [markdown]
# The same dashboard on the line-fitting problem above (the same 100 points): the surface of the
# MSE over $(w, b)$, with a trainer taking full-batch gradient descent steps (5 of them with the
# "good" rate before it is shown). Its border $2/\lambda_{max}$ is just below 1, which is why 1.5
# exploded.

# %%
line = DescentExplorer("linear_regression")
sn.say("presets", rates={name: round(rate, 4) for name, rate in line.rates.items()})
print("2/λ_max =", round(2 * line.rates["good"], 4))
for _ in range(5):
    line.step()
sn.say("losses_each_step", values=[round(value, 4) for value in line.losses])
line

# %% [markdown]
# ## Try this
#
# 1. On the parabola, find the largest learning rate that still converges. Check it against the
#    rule $|1 - 2\eta| < 1$.
# 2. Start the parabola at `w = 10` instead of 0. Does the number of steps to get close change?
# 3. On the line, try `learning_rate=0.95` and `1.0`, just either side of
#    $2/\lambda_{max} \approx 0.986$. What does the loss do in 30 iterations, and in 300?
# 4. Change `batch_size=100` to `batch_size=10` in `line_trainer`. The path is no longer exact:
#    why? (Lesson 5.)
# 5. In the bowl, find by clicking a start point from which even the "too large" preset goes
#    straight down without zig-zagging. (Hint: a line where only the gentle direction matters.)

# %% [markdown]
# ## Self-check
#
# <details><summary>1. The derivative of the loss at the current w is -4 and the learning rate is 0.1. Where does w go?</summary>
#
# $w \leftarrow w - 0.1 \cdot (-4) = w + 0.4$: the slope is negative, so the loss falls as $w$ grows,
# and $w$ moves up.
# </details>
#
# <details><summary>2. Why is the step large far from the minimum and small near it, with a fixed learning rate?</summary>
#
# The step is $\eta$ times the slope, and the slope shrinks near the minimum (it is 0 at the
# bottom of the parabola).
# </details>
#
# <details><summary>3. The loss grows a little more at every iteration. What is the first thing to try?</summary>
#
# A smaller learning rate: the steps overshoot the minimum by more each time (divergence).
# </details>
#
# <details><summary>4. A learning rate of 0.001 never diverges. Why not always use it?</summary>
#
# Each step is tiny, so reaching the minimum takes very many iterations; training wastes time
# and may be stopped (lesson 7) long before it gets there.
# </details>
