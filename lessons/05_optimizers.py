# %% [markdown]
# # Lesson 5 · Optimizers (옵티마이저)
#
# **Goals.** After this lesson you can
#
# 1. tell **stochastic gradient descent (확률적 경사 하강법)**, **mini-batch gradient descent
#    (미니 배치 경사 하강법)** and full-batch gradient descent apart by how many samples each
#    iteration uses;
# 2. measure the trade-off: many cheap, noisy updates against few exact ones;
# 3. write down the update rules of momentum, RMSprop and Adam, and see why they help in a
#    narrow valley;
# 4. race optimizers against each other in the OptimizerRace dashboard.

# %% [markdown]
# ## What an optimizer decides
#
# The course: the **optimizer (옵티마이저)** decides *how* to go down the slope. Two questions:
#
# 1. **How much data per step?** The gradient of the loss over a batch $B$ of samples is the
#    mean of the per-sample gradients,
#    $g = \frac{1}{|B|}\sum_{i \in B} \nabla_w L_i$. The batch can be 1 sample, $N$ samples
#    (a mini-batch), or all the data.
# 2. **How to turn gradients into a step?** Plain $w \leftarrow w - \eta g$, or something that
#    remembers earlier gradients (momentum, RMSprop, Adam).
#
# | name | samples per iteration | the course says |
# |---|---|---|
# | stochastic gradient descent (확률적 경사 하강법), SGD | 1 | fast updates, unstable descent |
# | mini-batch gradient descent (미니 배치 경사 하강법) | $N$ = batch size | a blend of the two |
# | full-batch gradient descent (배치 경사 하강법) | all | exact slope, one update per pass |
#
# **Careful: "SGD" means two things.** In the course (and in this table) stochastic gradient
# descent, 확률적 경사 하강법, means **batch size 1**. In code, stepnn, Keras and PyTorch call the
# plain **update rule** $w \leftarrow w - \eta g$ `sgd` (`sn.SGD`, `optimizer="sgd"`), whatever
# the batch size: the batch size is set on the trainer. In this lesson "stochastic" always means
# batch size 1, and `sgd` always means the update rule.

# %% [markdown]
# ## One sample, ten samples, all of them
#
# 100 noisy points near the line $y = 2x - 1$, one linear unit, MSE, learning rate 0.1, three
# **epochs** (passes over the data) each. After every update we also measure the loss on **all**
# the data, to see whether that update really helped.

# %%
import numpy as np
import stepnn as sn

from stepnn import exercises as ex
sn.set_language("en")

X, y = sn.datasets.linear(n=100, noise=0.3, seed=0)

def line_model():
    return sn.Sequential([sn.Dense(1, 1, activation="linear", weights=([[0.0]], [0.0]))])

runs = {}
for batch_size in [1, 10, 100]:
    trainer = sn.Trainer(line_model(), X, y, loss="mse", optimizer="sgd", learning_rate=0.1,
                         batch_size=batch_size, seed=0)
    trainer.fit(epochs=3, verbose=False)
    path = trainer.history.weights           # (w, b): at the start, then after every update
    full = sn.surface.batch_losses(trainer.model, X, y, "mse", path)   # loss on all data, each row
    runs[trainer.mode] = (path, full)
    worse = np.mean(np.diff(full) > 0)
    sn.say("batch_run", mode=sn.words(trainer.mode), b=batch_size,
           updates=trainer.global_iteration, loss=full[-1], worse=worse)

# %% [markdown]
# Read the three lines as the course does:
#
# * **stochastic** (batch 1): 300 updates in 3 epochs, so it gets far quickly, but almost half of
#   its steps made the loss on the whole data set *worse*: each step follows one sample's opinion.
# * **full-batch**: every step follows the exact slope and none made things worse, but 3 epochs
#   bought only 3 steps, and it is still far from the bottom.
# * **mini-batch**: 30 steps, each a decent estimate of the slope: steady and fast enough.

# %%
import matplotlib.pyplot as plt
from stepnn.views import lesson_plots

model = line_model()
plane = sn.surface.weight_plane(model, "W1[0,0]", "b1[0]")        # the (w, b) plane itself
grid = sn.surface.surface(model, X, y, "mse", plane,
                          np.linspace(-0.5, 3, 80), np.linspace(-2, 0.5, 80))   # w values, b values

lesson_plots.descent_paths(grid, runs, epochs=3)
plt.show()

# %% [markdown]
# ## Momentum, RMSprop, Adam
#
# Plain gradient descent has one learning rate for every weight. That hurts in a **valley**:
# steep across, gentle along. A rate small enough not to bounce across the steep walls crawls
# along the gentle floor. Three fixes (as in `torch.optim`; $g$ is the gradient at step $t$):
#
# **Momentum** keeps a velocity $v$, a decaying sum of the past gradients (each older gradient
# counts $\mu$ times less), like a ball rolling downhill:
#
# $$v \leftarrow \mu v + g, \qquad w \leftarrow w - \eta v \qquad (\mu = 0.9 \text{ typically}).$$
#
# Across the valley the gradients alternate in sign and cancel; along it they agree and add up.
#
# **Exercise: `momentum_update`.** One step of this rule (PyTorch's `torch.optim.SGD` with
# momentum): compute the new velocity from the old one and the gradient, then the new weights from
# the new velocity. Return both: the caller keeps the velocity for the next step.

# %%
def momentum_update(w, velocity, grad, learning_rate, momentum):
    """One momentum step: w, velocity and grad of the same shape -> (new w, new velocity)."""
    ...

# %%
ex.check("momentum_update", momentum_update)

# %% [markdown]
# **RMSprop** divides each weight's step by the size of its recent gradients:
#
# $$s \leftarrow \alpha s + (1-\alpha) g^2, \qquad w \leftarrow w - \eta\,\frac{g}{\sqrt{s} + \epsilon}.$$
#
# Steep directions get smaller steps, gentle ones larger steps.
#
# **Adam** does both: a running mean $m$ of the gradients (momentum) and a running mean $v$ of
# their squares (RMSprop), each corrected for starting at zero:
#
# $$m \leftarrow \beta_1 m + (1-\beta_1) g,\quad v \leftarrow \beta_2 v + (1-\beta_2) g^2,\quad
# w \leftarrow w - \eta\,\frac{m/(1-\beta_1^t)}{\sqrt{v/(1-\beta_2^t)} + \epsilon}.$$
#
# **Defaults.** stepnn's optimizers follow `torch.optim`, rules and default settings alike, so
# their numbers can be checked against PyTorch. Keras' defaults differ in two places: the
# learning rate (`sn.SGD` 0.001 as in PyTorch, Keras' SGD 0.01; `sn.RMSprop` and `sn.Adagrad`
# 0.01, Keras 0.001; Adam 0.001 in both) and RMSprop's decay, called $\alpha = 0.99$ in PyTorch
# and $\rho = 0.9$ in Keras. The lessons always pass the learning rate explicitly.

# %% [markdown]
# ## A race in a valley
#
# A made-up regression where one input is measured in ones and the other in tens: the loss
# surface is a long, narrow valley. Each optimizer runs 100 full-batch iterations with a learning
# rate that suits it (the plain `sgd` rule diverges above about 0.03 here).

# %%
rng = np.random.default_rng(0)
X2 = rng.uniform(-1, 1, (100, 2)) * [1.0, 10.0]
y2 = X2 @ np.array([2.0, 0.3]) - 1.0 + rng.normal(0, 0.1, 100)

contestants = {                               # all full batch: only the update rule differs
    "sgd, lr 0.02": sn.SGD(learning_rate=0.02),
    "sgd + momentum 0.9, lr 0.02": sn.SGD(learning_rate=0.02, momentum=0.9),
    "rmsprop, lr 0.05": sn.RMSprop(learning_rate=0.05),
    "adam, lr 0.1": sn.Adam(learning_rate=0.1),
}
sn.say("optimizer_table")
for name, optimizer in contestants.items():
    model = sn.Sequential([sn.Dense(2, 1, weights=(np.zeros((2, 1)), np.zeros(1)))])
    trainer = sn.Trainer(model, X2, y2, loss="mse", optimizer=optimizer, batch_size=100,
                         shuffle=False)
    trainer.fit(epochs=100, verbose=False)
    losses = trainer.history.losses
    below = np.flatnonzero(losses < 0.02)
    if below.size:
        first = sn.words("first_below", n=below[0] + 1)
    else:
        first = sn.words("not_within", n=100)
    print(f"{name:<28} {losses[9]:>21.4f} {losses[49]:>7.4f} {losses[99]:>7.4f}  {first}")

# %% [markdown]
# The plain `sgd` rule is still crawling along the valley floor after 100 steps; the others
# reach the bottom (the noise in the data keeps the loss at about 0.012). No optimizer wins
# everywhere: on other problems the order changes, which is why trying a few is part of the job.

# %% [markdown]
# ## Race them yourself: OptimizerRace
#
# OptimizerRace trains several copies of one network from the **same start** on the same data,
# and draws their paths on one loss surface and their losses on one chart. Its **Step** runs one
# epoch of every run, so at the same point on the chart every run has seen the same samples, however
# many iterations that took.
#
# First the batch sizes, on the line data with a single linear unit (so the surface is exactly the
# plane of $w$ and $b$, like the plot above). The cell runs 3 epochs before showing it:

# %%
from stepnn.widgets.race import OptimizerRace

by_batch = OptimizerRace("linear", sizes=(1, 1), runs="batch", directions="weights")
for _ in range(3):
    by_batch.step()
for name, losses in zip(by_batch.names, by_batch.epoch_losses):
    values = "  ".join(f"{value:.4f}" for value in losses)
    sn.say("race_epochs_0_3", name=name, values=values)
by_batch

# %% [markdown]
# Then the optimizers, all with batch size 16, on the XOR data with a 2-4-1 network: a real
# surface with a plateau and valleys. 10 epochs before showing it; press **Play** to go on, and
# switch the runs on and off with their check boxes. (In this race's labels "SGD" is the update
# rule `sgd`, with batch size 16.)
#
# This network has 17 weights, so its loss surface cannot be drawn over all of them. The race
# draws it over the **PCA plane** of the paths: principal component analysis (PCA) finds the two
# directions in which the weights moved most during training (PC1, PC2), and the surface is the
# loss on the plane through the final weights spanned by those two. The title says how much of the
# paths' movement the plane holds; the rest is off the picture.

# %%
by_optimizer = OptimizerRace("xor", runs="optimizers")
for _ in range(10):
    by_optimizer.step()
for name, losses in zip(by_optimizer.names, by_optimizer.epoch_losses):
    values = "  ".join(f"{losses[e]:.4f}" for e in (0, 5, 10))
    sn.say("race_epochs_0_5_10", name=name, values=values)
by_optimizer

# %% [markdown]
# ## Try this
#
# 1. In the first experiment, use `batch_size=32`. How many updates in 3 epochs, and how many of
#    them made things worse?
# 2. Give the plain `sgd` rule in the valley `learning_rate=0.04`. What happens, and why can it
#    not simply take bigger steps?
# 3. Set momentum to `0.5` and to `0.99`. Which is faster here, and what does 0.99 do to the
#    first iterations?
# 4. Give Adam the learning rate `0.01`. Is it still ahead of plain `sgd` after 100 iterations?
# 5. In the optimizer race, press **Play** until epoch 50. Which run is ahead at the end? Is it
#    the same one as in the valley above?

# %% [markdown]
# ## Self-check
#
# <details><summary>1. 1,000 samples, batch size 1. How many updates in one epoch? And with full-batch gradient descent?</summary>
#
# 1,000 updates with batch size 1 (stochastic); 1 update per epoch with full-batch gradient
# descent.
# </details>
#
# <details><summary>2. Why can a stochastic update make the loss on all the data worse?</summary>
#
# Its gradient comes from one sample. Moving to suit that sample can move away from what suits the
# others; only on average do the steps point downhill.
# </details>
#
# <details><summary>3. What does momentum do when successive gradients point in opposite directions?</summary>
#
# They partly cancel in the running sum $v$, so the zig-zag across a valley shrinks, while the
# consistent part along the valley adds up.
# </details>
#
# <details><summary>4. Why does RMSprop help when one weight's gradient is 100 times larger than another's?</summary>
#
# It divides each weight's step by the root mean square of its own recent gradients, so both
# weights take steps of similar size instead of one of them bouncing or the other crawling.
# </details>
