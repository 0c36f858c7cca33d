# %% [markdown]
# # Lesson 0 · The training loop (신경망 학습 과정)
#
# **Goals.** After this lesson you can
#
# 1. name the five steps a neural network repeats while it learns, in English and in Korean;
# 2. run those steps yourself, one call each (`forward`, `loss`, `backward`, `update`), and read
#    the numbers each call returns;
# 3. repeat the loop until a stopping criterion holds, by hand and with `fit`;
# 4. drive the same loop with buttons in the **StepThrough** dashboard.
#
# The other lessons zoom into one step each. This one shows the whole loop once.

# %% [markdown]
# ## The five steps
#
# The course puts it like this:
#
# 1. **Forward propagation (순전파).** Each layer takes the signal from the layer before, computes
#    the weighted sum plus bias, passes it through an activation function and hands it on.
# 2. Step 1 repeats through every layer; the output layer emits the **prediction**.
# 3. **Loss (손실).** The prediction and the target go into a **loss function (손실함수)**, which
#    gives the error.
# 4. **Backward propagation (역전파)** and **gradient descent (경사하강법).** The loss is sent back
#    from the output layer to the input layer; partial derivatives and the chain rule give each
#    weight's gradient, and each weight moves a little against its gradient.
# 5. Steps 1-4 repeat until a **stopping criterion (학습 중지 기준)** holds.
#
# As a picture: one turn of the cycle is one **iteration**, and the loop keeps turning.

# %%
import stepnn as sn
from stepnn.views import diagrams
sn.set_language("en")

diagrams.training_loop()

# %% [markdown]
# In formulas, for one layer with input $x$, **weight (가중치)** matrix $W$ and **bias (편향)** $b$:
#
# $$z = xW + b, \qquad a = f(z), \qquad L = \text{loss}(y, \hat y), \qquad
# W \leftarrow W - \eta \, \frac{\partial L}{\partial W}$$
#
# where $\hat y$ is the last layer's $a$ and $\eta$ is the **learning rate (학습률)**.
#
# The course's analogy with programming:
#
# | training step | programming | 코딩에 비유하면 |
# |---|---|---|
# | forward propagation (순전파) | writing the code | 코딩 |
# | loss (손실) | debugging: how wrong is it? | 디버깅 |
# | backward propagation (역전파) + update | fixing the bug | 오류수정 |

# %% [markdown]
# ## Korean terms used in the course
#
# Every lesson writes the Korean term beside the English one the first time it appears.
#
# | English | Korean |
# |---|---|
# | forward propagation | 순전파 |
# | backward propagation | 역전파 |
# | loss function | 손실함수 |
# | loss (error) | 손실 |
# | gradient descent | 경사하강법 |
# | stochastic gradient descent | 확률적 경사 하강법 |
# | mini-batch gradient descent | 미니 배치 경사 하강법 |
# | optimizer | 옵티마이저 |
# | batch size | 배치 사이즈 |
# | epoch | 에포크 |
# | iteration | 이터레이션 |
# | weight | 가중치 |
# | bias | 편향 |
# | activation function | 활성화 함수 |
# | input layer / hidden layer / output layer | 입력층 / 은닉층 / 출력층 |
# | partial derivative | 편미분 |
# | chain rule | 연쇄 법칙 |
# | learning rate | 학습률 |
# | weighted sum | 가중합 |
# | cost function | 비용 함수 |
# | derivative | 도함수 |
# | binary classification / multi-class classification | 이진 분류 / 다중 분류 |
# | stopping criterion | 학습 중지 기준 |
# | power of two (2, 4, 8, 16, ...) | 2의 거듭제곱 |

# %% [markdown]
# ## A small task
#
# Two clouds of points in the plane, class 0 around $(-2, -2)$ and class 1 around $(2, 2)$.
# The network must say, for each point, the probability that it belongs to class 1.
# Run the cell (Shift+Enter) and look at the data.

# %%
import numpy as np
import stepnn as sn

X, y = sn.datasets.gauss(n=64, seed=0)
sn.say("shapes", x=X.shape, y=y.shape)
sn.say("first_points", points=X[:3].round(3))
sn.say("their_classes", classes=y[:3])
sn.say("points_per_class", counts=np.bincount(y))

# %% [markdown]
# The network: 2 inputs (the **input layer (입력층)**), 3 units in a **hidden layer (은닉층)**
# and 1 unit in the **output layer (출력층)**. Two activation functions (lesson 1 draws them):
#
# * **ReLU**, $\max(z, 0)$, in the hidden layer: a positive weighted sum passes unchanged, a
#   negative one becomes 0;
# * the **sigmoid**, $\sigma(z) = 1/(1 + e^{-z})$, in the output layer: it squeezes any number
#   into $(0, 1)$, so the output reads as the probability of class 1.
#
# The `Trainer` holds the model, the data and where we are in the loop. `seed=0` makes every run
# give the same numbers.

# %%
model = sn.Sequential([sn.Dense(2, 3, activation="relu"),
                       sn.Dense(3, 1, activation="sigmoid")], seed=0)
trainer = sn.Trainer(model, X, y, loss="binary_crossentropy", optimizer="sgd",
                     learning_rate=0.1, batch_size=16, seed=0)
print(model.summary())
print()
print(trainer.status())

# %% [markdown]
# ## Step 1 · forward propagation (순전파)
#
# `forward()` takes the next batch of 16 points and computes, layer by layer, the weighted sum
# $z = xW + b$ and the activation $a = f(z)$. It returns a record of every number it computed.

# %%
f = trainer.forward()
print(f)
sn.say("prediction_shape", shape=f.a[-1].shape)

# %% [markdown]
# ## Step 2 · loss (손실)
#
# For two classes the course uses `binary_crossentropy`. With prediction $\hat y_i$ and target
# $y_i \in \{0, 1\}$ for each of the $N$ samples of the batch:
#
# $$L = -\frac{1}{N}\sum_{i=1}^{N} \Big[y_i \log \hat y_i + (1 - y_i)\log(1 - \hat y_i)\Big]$$
#
# The cell computes it once by hand and checks it against `loss()`.

# %%
l = trainer.loss()
print(l)

y_hat = f.a[-1][:, 0]
y_batch = y[f.indices]
by_hand = -np.mean(y_batch * np.log(y_hat) + (1 - y_batch) * np.log(1 - y_hat))
assert np.isclose(by_hand, l.value)
sn.say("by_hand", value=round(by_hand, 6))

# %% [markdown]
# ## Step 3 · backward propagation (역전파)
#
# `backward()` sends the loss back from the output layer to the input layer and returns
# $\partial L / \partial W$ and $\partial L / \partial b$ for every layer: how much the loss would
# change if that weight grew a little. Lesson 3 shows how the chain rule computes them.
#
# The record's first line says **fused (a - y)/N**. For a sigmoid output scored with binary
# cross-entropy, the chain rule through the loss and through the sigmoid simplifies to one short
# formula for the output layer: $\partial L/\partial z = (a - y)/N$, the prediction minus the
# target, divided by the batch size $N$. stepnn uses that simplified ("fused") form; lesson 8
# checks it.

# %%
g = trainer.backward()
print(g)

# %% [markdown]
# ## Step 4 · update
#
# The optimizer moves every weight a small step against its gradient:
# $W \leftarrow W - \eta\,\partial L/\partial W$ with $\eta = 0.1$ here. The cell checks that the
# change of the first weight matrix is exactly $-\eta \times$ its gradient, with the learning rate
# the update record says it used (`u.learning_rate`).

# %%
u = trainer.update()
print(u)
assert np.allclose(u.delta[0], -u.learning_rate * g.dW[0])
print()
print(trainer.status())

# %% [markdown]
# One **iteration (이터레이션)** is done: one forward, one loss, one backward, one update, on one
# batch. The phases must run in this order, and each once per iteration; calling one out of turn
# is refused with an explanation (so a gradient is never applied twice):

# %%
try:
    trainer.update()
except sn.PhaseError as error:
    print("PhaseError:", error)

# %% [markdown]
# ## Step 5 · repeat
#
# `step()` runs the four phases of one iteration. 64 points in batches of 16 make 4 iterations
# per **epoch (에포크)**, one pass over the data. Let us run three more epochs and watch the loss
# of each batch: each batch is a different quarter of the data, so the loss jumps up and down
# from batch to batch while it falls overall.

# %%
for _ in range(3 * trainer.iterations_per_epoch):
    trainer.step()
    entry = trainer.history.iterations[-1]
    sn.say("batch_loss", epoch=entry.epoch, iteration=entry.iteration,
           loss=entry.loss)
print(trainer.status())

# %% [markdown]
# Repeating by hand gets tedious. `fit` repeats until a **stopping criterion** holds: here at
# most 100 epochs, or sooner once an epoch's mean loss is at or below 0.05. It returns the reason
# it stopped. (`verbose=False` hides the progress bar.)

# %%
reason = trainer.fit(epochs=100, target_loss=0.05, verbose=False)
sn.say("stopped_because_of", reason=reason, message=reason.message)
sn.say("done", epochs=trainer.epoch, iterations=trainer.global_iteration)
sn.say("loss_all_points", n=len(X), loss=round(trainer.evaluate(), 4))
accuracy = np.mean((model.predict(X)[:, 0] > 0.5) == y)
sn.say("accuracy", accuracy=accuracy)

# %% [markdown]
# ## The same loop with buttons: StepThrough
#
# The **StepThrough** dashboard drives a trainer with buttons and draws every number. Below is a
# fresh trainer, built exactly like the first one (same seeds, so its first batch and its first
# loss, 0.7362, are the ones you computed above).
#
# * **Forward**, **Loss**, **Backward**, **Update**: one phase each; only the phase that is due is
#   enabled. Watch the network diagram, the $z$/$a$ heatmaps and the gradient heatmaps change.
# * **Step** runs a whole iteration, **Epoch** the rest of the epoch, **Play** keeps going until a
#   stopping criterion holds. **Undo** steps back one phase; **Reset** goes back to the start.
# * The sliders change the learning rate and the batch size between iterations.
#
# (Until the cell runs, a picture stands in for the dashboard.)

# %%
from stepnn.widgets.stepthrough import StepThrough

fresh = sn.Trainer(sn.Sequential([sn.Dense(2, 3, activation="relu"),
                                  sn.Dense(3, 1, activation="sigmoid")], seed=0),
                   X, y, loss="binary_crossentropy", optimizer="sgd", learning_rate=0.1,
                   batch_size=16, seed=0)
dashboard = StepThrough(fresh)
dashboard

# %% [markdown]
# The buttons call the same methods you called above, on `fresh`. After a few clicks, run
# `print(fresh.status())` or `fresh.history.losses` in a new cell to read the numbers behind the
# pictures.

# %% [markdown]
# ## Try this
#
# 1. Change `learning_rate=0.1` to `1.0`, then to `0.01`, and run the lesson again from the
#    model cell. How many epochs does `fit` need now?
# 2. Change `batch_size=16` to `64`. How many iterations make an epoch now?
# 3. Call `trainer.undo()` a few times and print `trainer.status()` after each: what is undone?
# 4. Replace `sn.datasets.gauss` by `sn.datasets.circle(n=64, seed=0)`. Does the loss still get
#    below 0.05 within 100 epochs? (Lesson 8 comes back to harder data.)
# 5. Build the dashboard with Korean labels: `StepThrough(fresh, lang="ko")`.

# %% [markdown]
# ## Self-check
#
# <details><summary>1. Which step computes the weighted sum and the activation, and what is it called in Korean?</summary>
#
# Forward propagation, 순전파: $z = xW + b$ then $a = f(z)$, layer by layer up to the output layer.
# </details>
#
# <details><summary>2. In the course's analogy, which step is "debugging"?</summary>
#
# The loss (손실): it measures how wrong the prediction is, as debugging finds what is wrong with the
# code. Backward propagation plus the update is "fixing the bug".
# </details>
#
# <details><summary>3. 64 samples, batch size 16: how many iterations in one epoch, and how many updates of each weight?</summary>
#
# 4 iterations, so 4 updates per epoch: every iteration ends with one update.
# </details>
#
# <details><summary>4. Why does calling <code>update()</code> twice in a row raise an error?</summary>
#
# Each iteration runs forward, loss, backward, update once each. A second update would apply the
# same gradient again without a new forward and backward.
# </details>
