# %% [markdown]
# # Lesson 2 · Loss functions (손실함수)
#
# **Goals.** After this lesson you can
#
# 1. say what a **loss function (손실함수)** does with a prediction and a target;
# 2. compute MSE, CEE, `binary_crossentropy`, `categorical_crossentropy` and
#    `sparse_categorical_crossentropy` by hand, and check them against stepnn;
# 3. choose the loss that fits a task (regression, two classes, several classes);
# 4. explain why a confident wrong answer costs so much under cross-entropy, using the
#    LossExplorer dashboard.

# %% [markdown]
# ## What a loss is
#
# After forward propagation (순전파) the network has a prediction $\hat y$ for every sample. The
# loss function compares it with the target $y$ and returns one number, the **loss (손실)**, also
# called the error: 0 for a perfect prediction, larger the further off it is. Over a batch of $N$
# samples stepnn (like Keras) reports the **mean** of the per-sample losses.
#
# **Loss and cost.** The course uses two words. The loss is how wrong one prediction is; the
# **cost function (비용 함수)** is the loss over the whole data (or the batch): the mean of the
# per-sample losses, as a function of the weights. Gradient descent (lesson 4) goes down the cost.
# stepnn, like Keras, calls that mean "the loss" too.
#
# Training only ever tries to make this number smaller, so the loss decides what "better" means.
# You will write each loss yourself; `ex.check` tests your version against stepnn's.

# %%
import numpy as np
import stepnn as sn
from stepnn import exercises as ex
sn.set_language("en")

# %% [markdown]
# ## MSE: mean squared error, for regression
#
# When the target is a number (a price, a temperature), the usual loss is
#
# $$\text{MSE} = \frac{1}{N}\sum_{i=1}^{N} (\hat y_i - y_i)^2 .$$
#
# Squaring makes every error positive and punishes large errors more than small ones.

# %%
y_true = np.array([3.0, -0.5, 2.0, 7.0])
y_pred = np.array([2.5, 0.0, 2.0, 8.0])

mse_by_hand = np.mean((y_pred - y_true) ** 2)
mse_loss = sn.losses.get("mse")
sn.say("errors", values=y_pred - y_true)
sn.say("squared_errors", values=(y_pred - y_true) ** 2)
sn.say("loss_by_hand", name="MSE", value=mse_by_hand)
sn.say("loss_from_stepnn", name="MSE", value=mse_loss(y_true, y_pred))
assert np.isclose(mse_by_hand, mse_loss(y_true, y_pred))

# %% [markdown]
# **Exercise: `mse`.** The mean of the squared errors, as a Python float. Accept lists too:
# `np.asarray(y_true, dtype=float)` turns anything into an array. Then run the cell after it: the
# check tries your function on several inputs, compares it with stepnn's own, and says what is
# wrong, if anything. Stuck? Run `ex.hint("mse")` in a new cell.

# %%
def mse(y_true, y_pred):
    """Mean squared error: y_true and y_pred of the same shape -> a float."""
    ...

# %%
ex.check("mse", mse)

# %% [markdown]
# ## CEE: cross-entropy error
#
# For classification the prediction is a probability for each class ($\hat y_{ik}$, summing to 1
# over the $K$ classes) and the target is **one-hot**: 1 for the true class, 0 elsewhere. The
# cross-entropy error is
#
# $$\text{CEE} = -\frac{1}{N}\sum_{i=1}^{N}\sum_{k=1}^{K} y_{ik}\,\log \hat y_{ik} .$$
#
# Only the true class's term survives, so for each sample it is $-\log(\text{probability given
# to the right answer})$.

# %%
probs = np.array([[0.7, 0.2, 0.1],     # sample 0: right class is 0, given 0.7
                  [0.1, 0.1, 0.8],     # sample 1: right class is 2, given 0.8
                  [0.3, 0.4, 0.3]])    # sample 2: right class is 0, given only 0.3
one_hot = np.array([[1, 0, 0],
                    [0, 0, 1],
                    [1, 0, 0]])

per_sample = -np.sum(one_hot * np.log(probs), axis=1)
sn.say("per_sample", values=per_sample.round(4))
sn.say("loss_by_hand", name="CEE", value=round(per_sample.mean(), 6))
sn.say("loss_from_stepnn", name="CEE", value=round(sn.losses.get("cee")(one_hot, probs), 6))
assert np.isclose(per_sample.mean(), sn.losses.get("cee")(one_hot, probs))

# %% [markdown]
# ## The Keras names the course uses
#
# **`binary_crossentropy`**: two classes, one output unit with a sigmoid giving
# $p = P(\text{class } 1)$, targets 0 or 1:
#
# $$L = -\frac{1}{N}\sum_{i} \big[y_i\log p_i + (1-y_i)\log(1-p_i)\big]$$
#
# **`categorical_crossentropy`**: several classes, a softmax output layer, **one-hot** targets.
# It is the CEE above.
#
# **`sparse_categorical_crossentropy`**: the same loss, but the targets are **class numbers**
# (0, 1, 2, ...) instead of one-hot rows. Same numbers, less memory for many classes.

# %%
bce = sn.losses.get("binary_crossentropy")
y01 = np.array([1, 0, 1, 0])
p1 = np.array([0.9, 0.2, 0.6, 0.4])
bce_by_hand = -np.mean(y01 * np.log(p1) + (1 - y01) * np.log(1 - p1))
sn.say("bce_by_hand", value=round(bce(y01, p1), 6), by_hand=round(bce_by_hand, 6))

labels = np.array([0, 2, 0])   # the same targets as the one-hot rows above
cce = sn.losses.get("categorical_crossentropy")
scce = sn.losses.get("sparse_categorical_crossentropy")
sn.say("cce_one_hot", value=round(cce(one_hot, probs), 6))
print("sparse_categorical_crossentropy (0, 2, 0):", round(scce(labels, probs), 6))
assert np.isclose(cce(one_hot, probs), scce(labels, probs))

# %% [markdown]
# Give a loss the wrong kind of target and stepnn says what it expected and how to fix it:

# %%
try:
    cce(labels, probs)
except ValueError as error:
    print("ValueError:", error)

# %% [markdown]
# ## Which loss for which task
#
# | task | output layer | targets | loss |
# |---|---|---|---|
# | regression (a number) | 1 unit, `linear` | numbers | `mse` (or `mae`) |
# | two classes: **binary classification (이진 분류)** | 1 unit, `sigmoid` | 0 / 1 | `binary_crossentropy` |
# | several classes: **multi-class classification (다중 분류)** | $K$ units, `softmax` | one-hot rows | `categorical_crossentropy` (= CEE) |
# | several classes | $K$ units, `softmax` | class numbers | `sparse_categorical_crossentropy` |
#
# `sn.losses.fitting(output_activation, n_outputs, y)` lists the losses that fit an output layer
# and a set of targets:

# %%
sn.say("fitting_regression", names=sn.losses.fitting("linear", 1, np.array([0.3, 1.2, -1.0])))
sn.say("fitting_one_hot", names=sn.losses.fitting("softmax", 3, one_hot))
sn.say("fitting_class_ids", names=sn.losses.fitting("softmax", 3, labels))

# %% [markdown]
# ## Why cross-entropy for classification?
#
# Take one sample of class 1 and let the predicted probability $p$ of class 1 go from right to
# wrong. MSE can never exceed 1, however wrong; cross-entropy $-\log p$ grows without bound as the
# prediction becomes confidently wrong, and its slope $-1/p$ grows with it, so the more confident
# the mistake, the harder the network is pushed to fix it (up to a limit, below).

# %%
print(f"{'p':>6} {'MSE':>8} {'BCE':>8}")
for p in [0.99, 0.9, 0.5, 0.1, 0.01]:
    print(f"{p:>6} {mse_loss([1.0], [p]):>8.4f} {bce([1.0], [p]):>8.4f}")

# %% [markdown]
# ## Clipping: the limit
#
# A prediction of exactly 0 would give $-\log 0 = \infty$. A loss function that is handed
# probabilities clips them to $[10^{-7},\ 1 - 10^{-7}]$ first (Keras does, and stepnn does), so
# the worst loss of one sample is $-\log 10^{-7} \approx 16.12$:

# %%
print("EPSILON =", sn.losses.EPSILON)
print("bce(1, 0.0) =", round(bce([1.0], [0.0]), 4), " = -log(1e-7) =", round(-np.log(1e-7), 4))

# %% [markdown]
# The price: where a probability was clipped, the loss no longer changes with it, so its
# **gradient is 0**. The cell prints the loss and its slope $\partial L/\partial p$ for a sample
# of class 1: the slope grows as $p$ falls, until $p$ passes $10^{-7}$; there it drops to 0.

# %%
sn.say("slope_head")
for p in [0.1, 0.01, 1e-6, 1e-9]:
    slope = bce.gradient(np.array([[1.0]]), np.array([[p]]))[0, 0]
    print(f"{p:>7g} {bce([1.0], [p]):>8.4f} {slope:>12.4g}")

# %% [markdown]
# So the two statements hold together: cross-entropy pushes harder the more confident the
# mistake, **until** the probability is beyond the clip; there stepnn gives that sample no push
# at all (also in training, where it uses the short form $(a - y)/N$ of lesson 0 only for
# predictions inside the clip). Keras does the same when it is handed probabilities, but when a
# model ends in a `sigmoid` or `softmax` layer, Keras computes the loss from the weighted sums
# $z$ of that layer (the **logits**) and does not clip: such a sample keeps its push of about
# $(a - y)/N$. In practice a sigmoid output below $10^{-7}$ needs $z < -16$, which a sensible
# learning rate rarely reaches.

# %%
import matplotlib.pyplot as plt
from stepnn.views import localize

p = np.linspace(0.001, 0.999, 300)
plt.figure(figsize=(5, 3))
plt.plot(p, (1 - p) ** 2, label=sn.words("mse_target_1"))
plt.plot(p, -np.log(p), label=sn.words("bce_target_1"))
plt.xlabel(sn.words("probability_of_1"))
plt.ylabel(sn.words("loss"))
plt.ylim(0, 5)
plt.legend()
localize(plt.gcf())   # a font with Hangul for the labels, when the lesson speaks Korean
plt.show()

# %% [markdown]
# **Exercises: the three cross-entropies, with Keras' rules.** Each returns the mean over the
# samples as a float, and clips probabilities to $[10^{-7}, 1 - 10^{-7}]$ with `np.clip` so
# that $\log 0$ never appears. For the two categorical losses, first rescale each row of `y_pred`
# to sum to 1 (divide by its sum over the last axis), as Keras does, then clip.
#
# **Exercise: `binary_crossentropy`.** Binary cross-entropy, the formula above, with clipping.
# Then run the cell after it: the check tries your function on several inputs, compares it with
# stepnn's own, and says what is wrong, if anything. Stuck? Run `ex.hint("binary_crossentropy")`
# in a new cell.

# %%
def binary_crossentropy(y_true, y_pred):
    """Binary cross-entropy: y_true of 0s and 1s, y_pred probabilities of the same shape -> a float."""
    ...

# %%
ex.check("binary_crossentropy", binary_crossentropy)

# %% [markdown]
# **Exercise: `categorical_crossentropy`.** Categorical cross-entropy (CEE) for one-hot targets:
# rescale the rows, clip, then the sum over classes and the mean over samples. Then run the cell
# after it: the check tries your function on several inputs, compares it with stepnn's own, and
# says what is wrong, if anything. Stuck? Run `ex.hint("categorical_crossentropy")` in a new cell.

# %%
def categorical_crossentropy(y_true, y_pred):
    """Categorical cross-entropy: y_true one-hot rows (n, K), y_pred probabilities (n, K) -> a float."""
    ...

# %%
ex.check("categorical_crossentropy", categorical_crossentropy)

# %% [markdown]
# **Exercise: `sparse_categorical_crossentropy`.** The same loss with class numbers as targets:
# pick each row's probability of its true class with `y_pred[np.arange(n), y_true]`. Then run the
# cell after it: the check tries your function on several inputs, compares it with stepnn's own,
# and says what is wrong, if anything. Stuck? Run `ex.hint("sparse_categorical_crossentropy")` in
# a new cell.

# %%
def sparse_categorical_crossentropy(y_true, y_pred):
    """Sparse categorical cross-entropy: y_true class numbers (n,), y_pred probabilities (n, K) -> a float."""
    ...

# %%
ex.check("sparse_categorical_crossentropy", sparse_categorical_crossentropy)

# %% [markdown]
# ## Explore: LossExplorer
#
# Pick a loss function from the list and move the sliders: the prediction and the target (MSE,
# MAE), the probability $p$ and the label (binary cross-entropy), or three class scores and the
# true class (CEE, categorical, sparse categorical). The left plot shows the loss as the prediction
# moves, with the tangent at the current point: its slope is $\partial L/\partial \hat y$, the
# number backpropagation starts from (lesson 3). The right plot zooms in on the clipping near 0
# and 1.

# %%
from stepnn.widgets.loss_explorer import LossExplorer

LossExplorer(loss="binary_crossentropy")

# %% [markdown]
# ## Try this
#
# 1. In the MSE cell, change one prediction to be off by 10. How much does the MSE grow? Try
#    `sn.losses.get("mae")` on the same numbers: which one reacts more to that one outlier?
# 2. In the CEE cell, give sample 2 the probabilities `[0.9, 0.05, 0.05]`. What happens to its
#    loss, and to the mean?
# 3. Pass one-hot rows to `scce`. Read the error message: what does it suggest?
# 4. In LossExplorer, choose binary_crossentropy, set the label to 1 and slide $p$ towards 0.
#    How steep does the tangent get? Compare with MSE at the same points.

# %% [markdown]
# ## Self-check
#
# <details><summary>1. A model predicts house prices. Which loss, and which output activation?</summary>
#
# `mse` (or `mae`) with a `linear` output unit: the target is a number, not a class.
# </details>
#
# <details><summary>2. Labels are 0, 1, 2, ..., 9 stored as integers. Which loss fits without converting them?</summary>
#
# `sparse_categorical_crossentropy`, with a 10-unit softmax output layer. With one-hot rows it
# would be `categorical_crossentropy`; the loss values are identical.
# </details>
#
# <details><summary>3. The right class gets probability 0.5. What is that sample's cross-entropy?</summary>
#
# $-\log 0.5 \approx 0.6931$. At 0.9 it is about 0.1054, at 0.01 about 4.6052.
# </details>
#
# <details><summary>4. Why is a cross-entropy loss of probabilities never infinite, and what does that cost?</summary>
#
# Probabilities are clipped to $[10^{-7}, 1-10^{-7}]$, so the largest per-sample loss is
# $-\log 10^{-7} \approx 16.12$. The cost: beyond the clip the loss is flat, so its gradient is 0
# and that sample stops pushing the weights. Keras avoids this for a model ending in a sigmoid or
# softmax layer by computing the loss from the logits $z$, without clipping.
# </details>
