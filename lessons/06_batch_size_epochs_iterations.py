# %% [markdown]
# # Lesson 6 · Batch size, epochs and iterations (배치 사이즈, 에포크, 이터레이션)
#
# **Goals.** After this lesson you can
#
# 1. define an **epoch (에포크)**, a **batch size (배치 사이즈)** and an **iteration (이터레이션)**,
#    and use $\#\text{ of data} = \text{batch size} \times \text{iterations}$;
# 2. follow the counters live while a trainer walks through an epoch;
# 3. say why batch sizes are usually powers of two (2의 거듭제곱);
# 4. measure how a larger batch makes the descent steadier.

# %% [markdown]
# ## Three words, one equation
#
# From the course:
#
# * **Epoch (에포크)**: one pass over the whole data set. "Train for 20 epochs" means every sample
#   is used 20 times.
# * **Batch size (배치 사이즈)**: how many samples go into one forward and backward pass.
# * **Iteration (이터레이션)**: one forward propagation plus one backpropagation, that is, one
#   update of the weights.
#
# Within one epoch the batches cover the data exactly once, so
#
# $$\#\text{ of data} = \text{batch size} \times \text{iterations (per epoch)}.$$
#
# When the batch size does not divide the number of samples, the last batch of the epoch is
# smaller (or dropped, with `drop_last=True`). On a timeline: 10 samples in batches of 4, two
# epochs. Each box is one iteration; the number under it is its batch's size.

# %%
import numpy as np
import stepnn as sn
from stepnn import exercises as ex
from stepnn.views import diagrams
sn.set_language("en")

diagrams.epoch_timeline(n_samples=10, batch_size=4, epochs=2)

# %% [markdown]
# `trainer.explain()` writes the equation with the trainer's own numbers.

# %%
X, y = sn.datasets.moons(n=100, noise=0.2, seed=0)

def make_trainer(batch_size, drop_last=False, data=(X, y)):
    model = sn.Sequential([sn.Dense(2, 8, activation="tanh"),
                           sn.Dense(8, 1, activation="sigmoid")], seed=0)
    return sn.Trainer(model, *data, loss="binary_crossentropy", optimizer="sgd",
                      learning_rate=0.1, batch_size=batch_size, seed=0, drop_last=drop_last)

for batch_size in [1, 10, 25, 32, 100]:
    trainer = make_trainer(batch_size)
    sn.say("iterations", b=batch_size, mode=sn.words(trainer.mode),
           its=trainer.iterations_per_epoch, explain=trainer.explain())
print(make_trainer(32, drop_last=True).explain())

# %% [markdown]
# **Exercise: `iterations_per_epoch`.** How many iterations make one epoch? A smaller last batch
# still counts as an iteration, unless `drop_last=True` drops it. Return a Python `int`. Then run
# the cell after it: the check tries your function on several inputs, compares it with stepnn's
# own, and says what is wrong, if anything. Stuck? Run `ex.hint("iterations_per_epoch")` in a new
# cell.

# %%
def iterations_per_epoch(n_samples, batch_size, drop_last=False):
    """Iterations in one epoch of n_samples in batches of batch_size (whole numbers) -> an int."""
    ...

# %%
ex.check("iterations_per_epoch", iterations_per_epoch)

# %% [markdown]
# ## Watching the counters
#
# A data set of 12 samples, batch size 4: 3 iterations per epoch. The cell runs two epochs one
# iteration at a time and prints which samples each batch used. Within an epoch every sample is
# used exactly once (the order is shuffled afresh each epoch); the `assert` checks it.

# %%
small = (X[:12], y[:12])
trainer = make_trainer(4, data=small)
print(trainer.explain())
for _ in range(2 * trainer.iterations_per_epoch):
    forward = trainer.forward()
    trainer.loss()
    trainer.backward()
    trainer.update()
    last = trainer.history.iterations[-1]
    sn.say("counters", epoch=last.epoch, iteration=last.iteration,
           samples=sorted(forward.indices.tolist()), seen=trainer.samples_seen,
           global_iteration=trainer.global_iteration)

first_epoch = np.concatenate([e.indices for e in trainer.history.iterations[:3]])
assert sorted(first_epoch.tolist()) == list(range(12))
assert trainer.samples_seen == trainer.epoch * 12 == 24

# %% [markdown]
# ## The counters live
#
# The StepThrough dashboard keeps the same counters in its status line: epoch, iteration (of how
# many in this epoch), global iteration, samples seen, and the equation # of data = batch size
# $\times$ iterations with the live numbers. The label beside the **Batch size** slider says which
# kind of gradient descent the size makes and the nearest powers of two.
#
# Click **Step** a few times and watch the counters; click **Epoch** to finish the pass. Then move
# the batch size to 1, to 32 and to 100 (a change takes effect at the next iteration) and see the
# equation and the loss curve change.

# %%
from stepnn.widgets.stepthrough import StepThrough

live = make_trainer(10)
StepThrough(live, views=("curves", "boundary"))

# %% [markdown]
# ## Why powers of two?
#
# The course says the batch size is usually set to "2의 배수". It means the **powers of two
# (2의 거듭제곱)**, $2^k$: 16, 32, 64, 128, ... (not every even number: 48 is a multiple of 2 but
# not a power of two). And if memory allows, a larger batch size makes training more stable.
#
# Powers of two match how memory and processors are organised (GPU work is split into groups of
# 32 or 64 threads), so such batches tend to use the hardware fully; 32 is Keras' default. On a CPU with a data set this
# small, any size works: it is a convention with a reason, not a law.
#
# Memory grows with the batch: the batch's inputs and every layer's $z$ and $a$, for all its
# samples, are kept until the backward pass. For our 2-8-1 network that is
# $b \times (2 + 2 \cdot 8 + 2 \cdot 1) = 20b$ numbers for a batch of $b$:

# %%
sizes = make_trainer(1).model.sizes                 # [2, 8, 1]
for batch_size in [16, 32, 64, 128]:
    kept = batch_size * (sizes[0] + 2 * sum(sizes[1:]))
    sn.say("kept", b=batch_size, kept=kept)

# %% [markdown]
# ## Larger batches, steadier descent: measured
#
# A batch's gradient is an estimate of the gradient on all the data. How far off is it? The cell
# fixes the weights, draws 300 random batches of each size, and measures the root-mean-square
# distance between the batch gradient and the full-data gradient. Statistics predicts that the
# error shrinks like $1/\sqrt{\text{batch size}}$ (times $\sqrt{(n-b)/(n-1)}$ because batches are
# drawn without replacement), so the last column should stay about constant.

# %%
X256, y256 = sn.datasets.moons(n=256, noise=0.2, seed=0)
model = make_trainer(1).model                              # fixed weights, never updated here

def gradient(rows):
    """All weights' gradients of the loss on the samples `rows`, flattened into one vector."""
    trainer = sn.Trainer(model, X256[rows], y256[rows], loss="binary_crossentropy",
                         batch_size=len(rows), shuffle=False)
    trainer.forward()
    trainer.loss()
    return np.concatenate([g.ravel() for g in trainer.backward().grads])

full_gradient = gradient(np.arange(256))
rng = np.random.default_rng(0)
sn.say("gradient_error_header")
for b in [1, 4, 16, 64]:
    errors = [np.linalg.norm(gradient(rng.choice(256, b, replace=False)) - full_gradient)
              for _ in range(300)]
    rms = np.sqrt(np.mean(np.square(errors)))
    print(f"{b:>10} {rms:>15.3f} {rms * np.sqrt(b) / np.sqrt((256 - b) / 255):>37.2f}")

# %% [markdown]
# Four times the batch, half the error. Now the same effect on the **loss curve**: train with
# three batch sizes for 20 epochs and measure the spread (standard deviation) of the batch losses
# over the last 5 epochs.

# %%
curves = {}
sn.say("spread_header")
for b in [4, 16, 64]:
    trainer = make_trainer(b, data=(X256, y256))
    trainer.fit(epochs=20, verbose=False)
    losses = trainer.history.losses
    curves[b] = losses
    last = losses[-5 * trainer.iterations_per_epoch:]
    print(f"{b:>10} {trainer.global_iteration:>11} {np.std(last):>28.3f} "
          f"{trainer.history.epoch_losses[-1]:>17.4f}")

# %%
import matplotlib.pyplot as plt
from stepnn.views import lesson_plots

lesson_plots.batch_loss_curves(curves, epochs=20)
plt.show()

# %% [markdown]
# The larger the batch, the steadier the curve, as the course says. But look at the last
# column too: in the same 20 epochs the batch of 64 made only 80 updates, and its loss is the
# highest. A steady descent is not automatically a faster one.

# %% [markdown]
# ## Try this
#
# 1. Make a trainer with 100 samples and `batch_size=30`. Before running it, write down
#    `trainer.explain()`. Then check with `drop_last=True`.
# 2. In the counters cell, switch shuffling off: add `shuffle=False` to the `sn.Trainer(...)`
#    call in `make_trainer`. What changes in the printed batches?
# 3. Add batch size 256 to the gradient-error cell. What error do you expect, and why?
# 4. Give the batch of 64 a larger learning rate (0.4). Does it catch up with batch size 4 in 20
#    epochs?

# %% [markdown]
# ## Self-check
#
# <details><summary>1. 60,000 images, batch size 128. How many iterations in one epoch?</summary>
#
# $60{,}000 / 128 = 468.75$: 469 iterations, the last with $60{,}000 - 468 \times 128 = 96$
# images (or 468 with `drop_last=True`).
# </details>
#
# <details><summary>2. After 5 epochs with 1,000 samples and batch size 50, how many updates has each weight had?</summary>
#
# $1{,}000 / 50 = 20$ iterations per epoch, so $5 \times 20 = 100$ updates.
# </details>
#
# <details><summary>3. The batch grows from 16 to 64. By how much does the gradient's error shrink, roughly?</summary>
#
# By $\sqrt{64/16} = 2$: it halves (a little more, since the batch is a larger part of the data).
# </details>
#
# <details><summary>4. Why are batch sizes usually powers of two, such as 32 or 64, and not 30 or 48?</summary>
#
# Memory and processors are organised in powers of two: a GPU runs threads in groups of 32 or 64,
# so a batch of $2^k$ samples splits evenly and keeps the hardware busy. It is a convention with a
# reason, not a law: on a CPU with small data, 30 works as well as 32.
# </details>
#
# <details><summary>5. Why not always use the whole data set as one batch?</summary>
#
# It may not fit in memory, and each epoch gives only one update; smaller batches make many more
# (if noisier) updates for the same amount of computation.
# </details>
