# %% [markdown]
# # Lesson 7 · Stopping criteria (학습 중지 기준)
#
# **Goals.** After this lesson you can
#
# 1. stop training after a number of **epochs (에포크)**, at a target **loss (손실)**, or when the
#    gradient becomes tiny;
# 2. use **early stopping**: stop when the validation loss has not improved for `patience`
#    epochs, and explain why that protects against overfitting;
# 3. recognise a **diverging** run and what `fit` does about it;
# 4. read the stop reason `fit` returns, and watch the criteria at work in a dashboard.

# %% [markdown]
# ## Step 5 of the loop
#
# The course's fifth step: repeat steps 1-4 until a stopping criterion holds. `trainer.fit`
# repeats iterations and checks, after each one or at the end of each epoch, these criteria; the
# first that holds wins, and `fit` returns it as a `StopReason`:
#
# | criterion | argument of `fit` | stops when |
# |---|---|---|
# | maximum epochs | `epochs=20` | 20 more epochs are done (always set) |
# | target loss | `target_loss=0.01` | an epoch's mean training loss $\le$ 0.01 |
# | small gradient | `min_grad_norm=1e-4` | $\lVert\nabla L\rVert$ of an iteration $<$ 1e-4: the slope is flat |
# | early stopping | `patience=10` | the validation loss has not improved for 10 epochs |
# | divergence | (always on) | the loss is `inf` or `NaN` |

# %%
import numpy as np
import stepnn as sn
sn.set_language("en")

X, y = sn.datasets.linear(n=100, noise=0.1, seed=0)

def line_trainer(learning_rate=0.5):
    model = sn.Sequential([sn.Dense(1, 1, activation="linear", weights=([[0.0]], [0.0]))])
    return sn.Trainer(model, X, y, loss="mse", optimizer="sgd", learning_rate=learning_rate,
                      batch_size=100, shuffle=False)

# %% [markdown]
# ## A number of epochs, a target loss, a flat slope
#
# The same line-fitting task as in lesson 4, full batch (one iteration per epoch), learning rate
# 0.5. Each `fit` starts from the same weights.

# %%
def report(trainer, reason):
    sn.say("report", reason=reason, message=reason.message,
           epochs=trainer.epoch, loss=trainer.evaluate())

print("fit(epochs=5)")
trainer = line_trainer()
report(trainer, trainer.fit(epochs=5, verbose=False))

print("fit(epochs=1000, target_loss=0.0095)")
trainer = line_trainer()
report(trainer, trainer.fit(epochs=1000, target_loss=0.0095, verbose=False))

print("fit(epochs=1000, min_grad_norm=0.0001)")
trainer = line_trainer()
report(trainer, trainer.fit(epochs=1000, min_grad_norm=1e-4, verbose=False))

# %% [markdown]
# A target loss needs to know what is reachable: this data has noise, and no line gets the MSE
# below about 0.0094. Ask for 0.001 and only `epochs` would ever stop the run. That is why the
# maximum number of epochs is always there as a safety net.

# %% [markdown]
# ## Divergence
#
# With a learning rate far too large (lesson 4), every step overshoots more, the loss grows
# without bound and finally overflows to `inf`. `fit` notices, stops before that batch's backward
# pass, and says so; the weights stay finite numbers.

# %%
trainer = line_trainer(learning_rate=3.0)
reason = trainer.fit(epochs=1000, verbose=False)
sn.say("stopped", reason=reason)
print(reason.message)
print("trainer.diverged:", trainer.diverged)
last_three = [f"{v:.3g}" for v in trainer.history.losses[-3:]]
sn.say("last_losses", values=last_three)
finite = bool(np.all(np.isfinite(trainer.model.get_flat())))
sn.say("weights_finite", finite=finite)

# %% [markdown]
# ## Early stopping
#
# The training loss only tells how well the network fits the data it learns from. To know how
# well it does on **new** data, hold some data back as a **validation** set and compute its loss
# at the end of every epoch. Typically the validation loss falls at first, then, once the network
# starts memorising the noise of its training data (**overfitting**), rises again, while the
# training loss keeps falling.
#
# **Early stopping** watches the validation loss and stops when it has not improved for
# `patience` epochs in a row.
#
# A small, noisy two-moons data set of 120 points and a network much bigger than it needs
# (2-32-32-1), with Adam. Usually 10-20 % of the data is held back for validation. Here it is the
# other way round, on purpose: only the first 30 points are for training, so the big network
# overfits them quickly, and the other 90 are for validation, so its loss is a steady measure.

# %%
X_moons, y_moons = sn.datasets.moons(n=120, noise=0.3, seed=1)
X_train, y_train = X_moons[:30], y_moons[:30]
X_val, y_val = X_moons[30:], y_moons[30:]

def moons_trainer():
    model = sn.Sequential([sn.Dense(2, 32, activation="tanh"),
                           sn.Dense(32, 32, activation="tanh"),
                           sn.Dense(32, 1, activation="sigmoid")], seed=0)
    return sn.Trainer(model, X_train, y_train, loss="binary_crossentropy", optimizer="adam",
                      learning_rate=0.01, batch_size=20, seed=0, validation_data=(X_val, y_val))

long_run = moons_trainer()
long_run.fit(epochs=200, verbose=False)
val = long_run.history.val_losses
train = long_run.history.epoch_losses
best = int(np.argmin(val))
sn.say("split", train=long_run.n_samples, val=len(long_run.X_val))
sn.say("best_validation", loss=val[best], epoch=best + 1)
sn.say("after_epochs", epochs=200, train=train[-1], val=val[-1])

# %% [markdown]
# The training loss went down to a small number while the validation loss ended well above its
# best: 200 epochs were too many. Now the same run with early stopping, patience 10:

# %%
early = moons_trainer()
reason = early.fit(epochs=200, patience=10, verbose=False)
sn.say("stopped_because", reason=reason, message=reason.message)
sn.say("after_epochs", epochs=early.epoch,
       train=early.history.epoch_losses[-1], val=early.history.val_losses[-1])
sn.say("val_accuracy", accuracy=early.history.epochs[-1].val_accuracy,
       long_run=long_run.history.epochs[-1].val_accuracy)

# %%
import matplotlib.pyplot as plt

from stepnn.views import lesson_plots

lesson_plots.early_stopping_curves(train, val, best=best + 1, stopped=early.epoch)
plt.show()

# %% [markdown]
# Early stopping waited `patience` epochs after the best one to be sure the improvement was
# over, so it keeps the weights of the epoch it stopped at, not those of the best epoch. (Keras can
# restore the best weights with `restore_best_weights=True`; here, try 4 below.)
#
# A progress bar: with `verbose=True` (the default) `fit` shows one, updated in place as epochs
# finish.

# %%
# NBVAL_IGNORE_OUTPUT
# why: the bar is redrawn in place; a test run sees its first frame, the saved notebook its last
demo = moons_trainer()
_ = demo.fit(epochs=200, patience=10)

# %% [markdown]
# ## Watch the criteria at work
#
# The same overfitting setup in StepThrough, showing the loss curves (training batches, epoch
# means and the validation loss) and the decision boundary. The stopping criteria are set to at
# most 200 epochs and patience 10. Press **Play** (or click **Epoch** repeatedly): training stops
# by itself when the validation loss has not improved for 10 epochs, and the status line says
# why. Then press **Reset**, set a **Target loss** of 0.2 and play again: which criterion wins
# now?

# %%
from stepnn.widgets.stepthrough import StepThrough

StepThrough(moons_trainer(), views=("curves", "boundary"), max_epochs=200, patience=10)

# %% [markdown]
# ## Regularization and noise: the Playground row
#
# Two more handles on overfitting, known from TensorFlow Playground, sit in the dashboard's
# **Playground** row (open below; click its title to fold it).
#
# - **Noise**: blurs the classes, so the training data holds accidents the network can memorise.
#   More noise, a wider gap between the training and the validation loss.
# - **Regularization** (규제): L2 adds $\lambda \sum W^2$ to the loss, L1 adds
#   $\lambda \sum |W|$, on the weights $W$ of every layer (not the biases); $\lambda$ is the
#   rate. Large weights now cost something, so the boundary stays smoother. The status line shows
#   the loss in two parts: data + penalty; the diagram labels the weights with their regularizer.
# - **Validation share**: the part of the data held out to measure overfitting.
#
# Choose the data set *moons*, noise 30 % and validation share 30 %, then **Play** without
# regularization and note the best validation loss. Choose L2 with rate 0.01, press **Reset**
# (the settings stay) and play again: which run reaches the lower validation loss? And with rate 1?
# **Undo** takes back any of these changes, like any other setting.

# %%
board = StepThrough(moons_trainer(), views=("curves", "boundary"), max_epochs=200, patience=10)
# the Playground row open from the start
board.playground.widget.selected_index = 0
board

# %% [markdown]
# ## Try this
#
# 1. Set `patience=3` and `patience=30`. When does each stop, and with what validation loss?
# 2. Ask `line_trainer()` for `target_loss=0.001` with `epochs=1000`. Which criterion stops it?
# 3. Find the smallest learning rate of `line_trainer` that diverges within 1000 epochs.
# 4. Get the best weights back after early stopping: the best epoch is `b = int(np.argmin(
#    early.history.val_losses))`, and `early.history.weights[(b + 1) * early.iterations_per_epoch]`
#    holds the weights after it. Pass them to `early.set_flat(...)` and compare the validation loss.

# %% [markdown]
# ## Self-check
#
# <details><summary>1. Why is a maximum number of epochs always set, even with a target loss?</summary>
#
# The target may be unreachable (noise in the data, a model too small), and then nothing else
# would ever stop the run.
# </details>
#
# <details><summary>2. The training loss keeps falling but the validation loss rises. What is happening, and which criterion helps?</summary>
#
# Overfitting: the network learns the training data's noise. Early stopping on the validation
# loss (`patience`) ends training near the best validation loss.
# </details>
#
# <details><summary>3. Why does early stopping need validation data, and why not the training loss?</summary>
#
# The training loss nearly always keeps falling, so it cannot show overfitting. Only data the
# network does not learn from can tell whether it still generalises.
# </details>
#
# <details><summary>4. What should you change after a run stopped with "diverged"?</summary>
#
# Lower the learning rate (and restart from the initial weights): the steps were overshooting the
# minimum by more each time.
# </details>
