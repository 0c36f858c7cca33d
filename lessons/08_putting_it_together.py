# %% [markdown]
# # Lesson 8 · Putting it together: classifying iris flowers
#
# **Goals.** After this lesson you can
#
# 1. prepare a real data set for a network: features scaled, a validation part held back;
# 2. choose the output layer and the **loss function (손실함수)** for several classes;
# 3. run one **iteration (이터레이션)** of the loop by hand on it and check every step's numbers;
# 4. train to a stopping criterion and judge the result on data the network never learned from;
# 5. watch it all, step by step, in the StepThrough dashboard with every view.
#
# Every earlier lesson is used here once: forward propagation (순전파), the loss (손실),
# backward propagation (역전파), gradient descent (경사하강법) with an optimizer (옵티마이저),
# batch size (배치 사이즈) and epochs (에포크), and stopping criteria.

# %% [markdown]
# ## The data
#
# Fisher's iris data (1936): 150 flowers of three species, 50 each, with four measurements in
# cm. The task: tell the species from the measurements. Three classes, so the network ends in
# 3 softmax units, and since the labels are class numbers 0, 1, 2 the loss is
# `sparse_categorical_crossentropy` (lesson 2).

# %%
import numpy as np
import stepnn as sn
sn.set_language("en")

X, y = sn.datasets.iris()
print("X:", X.shape, " y:", y.shape)
sn.say("iris_features")
sn.say("iris_classes", names=sn.datasets.iris_class_names, counts=np.bincount(y))
sn.say("first_flower", x=X[0], y=y[0])

# %% [markdown]
# **Hold back a validation set.** 20 % of the flowers, drawn at random, are kept aside: the
# network never learns from them, so they tell us how well it does on new flowers.
#
# **Scale the features.** Petal widths are a few tenths of a cm, sepal lengths several cm. To
# give every input a similar range (and every weight a similar slope, lesson 5), subtract each
# feature's mean and divide by its standard deviation, both measured on the training part only.

# %%
X_train, y_train, X_val, y_val = sn.datasets.train_val_split(X, y, validation_fraction=0.2, seed=0)
mean, std = X_train.mean(axis=0), X_train.std(axis=0)
X_train = (X_train - mean) / std
X_val = (X_val - mean) / std
sn.say("train_per_class", counts=np.bincount(y_train))
sn.say("val_per_class", counts=np.bincount(y_val))
sn.say("scaled", mean=bool(np.allclose(X_train.mean(axis=0), 0)),
       std=bool(np.allclose(X_train.std(axis=0), 1)))

# %% [markdown]
# ## The network and the trainer
#
# 4 inputs (input layer, 입력층), 8 ReLU units (hidden layer, 은닉층), 3 softmax units (output
# layer, 출력층). Adam with learning rate 0.01, batch size 16.

# %%
model = sn.Sequential([sn.Dense(4, 8, activation="relu"),
                       sn.Dense(8, 3, activation="softmax")], seed=0)
trainer = sn.Trainer(model, X_train, y_train, loss="sparse_categorical_crossentropy",
                     optimizer="adam", learning_rate=0.01, batch_size=16, seed=0,
                     validation_data=(X_val, y_val))
print(model.summary())
print(trainer.explain())

# %% [markdown]
# ## One iteration, step by step
#
# **Forward.** The softmax turns each flower's 3 weighted sums into 3 probabilities that add
# up to 1.

# %%
f = trainer.forward()
probabilities = f.a[-1]
sn.say("batch_shapes", x=f.x.shape, hidden=f.a[0].shape, output=probabilities.shape)
sn.say("first_of_batch", y=y_train[f.indices[0]])
print("   z =", f.z[-1][0].round(4))
sn.say("probabilities_sum", a=probabilities[0].round(4), total=round(probabilities[0].sum(), 6))
assert np.allclose(probabilities.sum(axis=1), 1)

# %% [markdown]
# **Loss.** For each flower, $-\log(\text{probability given to its true class})$; then the mean
# over the batch.

# %%
l = trainer.loss()
true_class = y_train[f.indices]
by_hand = -np.mean(np.log(probabilities[np.arange(len(true_class)), true_class]))
print(l)
sn.say("by_hand", value=round(by_hand, 6))
assert np.isclose(by_hand, l.value)

# %% [markdown]
# **Backward.** For softmax with cross-entropy the chain rule collapses into a short formula for
# the output layer: $\partial L/\partial z = (a - y_{\text{one-hot}})/N$. The cell checks it,
# then the rest of the chain (lesson 3) carries it back to the hidden layer.

# %%
g = trainer.backward()
one_hot = sn.datasets.to_one_hot(true_class, 3)
assert np.allclose(g.dz[-1], (probabilities - one_hot) / len(true_class))
print(g)

# %% [markdown]
# **Update.** Adam moves each weight against its gradient, with its own step size.

# %%
u = trainer.update()
print(u)
print(trainer.status())

# %% [markdown]
# ## Train to a stopping criterion
#
# At most 100 epochs, stopping early when the validation loss has not improved for 10 epochs.

# %%
reason = trainer.fit(epochs=100, patience=10, verbose=False)
last = trainer.history.epochs[-1]
sn.say("stopped_because", reason=reason, message=reason.message)
sn.say("counts", epochs=trainer.epoch, iterations=trainer.global_iteration,
       samples=trainer.samples_seen)
sn.say("final_losses", train=last.loss, val=last.val_loss,
       accuracy=last.val_accuracy)

# %% [markdown]
# **Judge it on the validation flowers.** A confusion matrix counts, for each true species (row),
# which species the network predicted (column). Off the diagonal are the mistakes.

# %%
predicted = model.predict(X_val).argmax(axis=1)
confusion = np.zeros((3, 3), dtype=int)
for true, guess in zip(y_val, predicted):
    confusion[true, guess] += 1
print(f"{'':>12}" + "".join(f"{name:>12}" for name in sn.datasets.iris_class_names))
for name, row in zip(sn.datasets.iris_class_names, confusion):
    print(f"{name:>12}" + "".join(f"{count:>12}" for count in row))
sn.say("correct", correct=np.trace(confusion), total=len(y_val))

# %% [markdown]
# Setosa is easy (its petals are much smaller); the few mistakes, if any, are between
# versicolor and virginica, whose measurements overlap.

# %% [markdown]
# ## Everything at once: StepThrough with every view
#
# A fresh trainer on the same flowers, with early stopping as above. Step through one iteration
# phase by phase and watch each view: the network diagram (forward values, then gradients, then
# weight changes), the $z$/$a$ heatmaps of the batch, the gradient heatmaps $\partial L/\partial W$,
# the loss curves, the loss surface around the current weights, and the decision boundary. Iris
# has 4 features, so the boundary is drawn on the plane of their first two principal components
# (PC1, PC2), the other two held at the data's mean. Then press **Play** and let the stopping
# criterion end the run.

# %%
from stepnn.widgets.stepthrough import StepThrough

again = sn.Trainer(sn.Sequential([sn.Dense(4, 8, activation="relu"),
                                  sn.Dense(8, 3, activation="softmax")], seed=0),
                   X_train, y_train, loss="sparse_categorical_crossentropy", optimizer="adam",
                   learning_rate=0.01, batch_size=16, seed=0, validation_data=(X_val, y_val))
StepThrough(again, views=("network", "heatmaps", "gradients", "curves", "surface", "boundary"),
            max_epochs=100, patience=10)

# %% [markdown]
# ## Try this
#
# 1. Train without scaling the features (skip the `(X - mean) / std` lines). How many epochs
#    until early stopping, and what accuracy?
# 2. Use `loss="categorical_crossentropy"` instead. What must change about `y_train` and `y_val`?
#    (Hint: `sn.datasets.to_one_hot`.)
# 3. Replace Adam by `optimizer="sgd", learning_rate=0.1`. Is it slower to converge?
# 4. Use only 2 hidden units. Can the network still separate the three species?

# %% [markdown]
# ## Self-check
#
# <details><summary>1. Why 3 units with softmax in the output layer, and not 1 with sigmoid?</summary>
#
# There are three classes; softmax gives one probability per class, summing to 1. A single
# sigmoid unit only answers a yes/no question (two classes).
# </details>
#
# <details><summary>2. Why are the mean and standard deviation measured on the training part only?</summary>
#
# The validation flowers stand for new data, which the network (and its preprocessing) must not
# see in advance; otherwise the validation score would be too optimistic.
# </details>
#
# <details><summary>3. 120 training flowers, batch size 16: how many iterations per epoch, and how big is the last batch?</summary>
#
# $120 = 16 \times 7 + 8$: 8 iterations, the last with 8 flowers.
# </details>
#
# <details><summary>4. What does the fused output gradient (a - y)/N say about a flower predicted perfectly?</summary>
#
# If $a$ equals the one-hot target, the gradient is zero: that flower asks for no change. Flowers
# predicted badly have the largest gradients and move the weights most.
# </details>

# %% [markdown]
# ## Your own data
#
# A network learns from any table of numbers. `sn.datasets.from_csv(path, target="label")` reads
# a CSV file: every column is a feature except the `target` column, which holds the labels (a
# broken file gets an error naming its line and column). The cell below writes a small CSV, two
# measurements and a 0/1 label for 40 points, into the temporary folder, and reads it back.

# %%
import csv
import pathlib
import tempfile

rng = np.random.default_rng(0)
# two clouds: class 0 around (-1, -1), class 1 around (1, 1), rows in random order
cloud = np.concatenate([rng.normal(-1.0, 0.6, (20, 2)), rng.normal(1.0, 0.6, (20, 2))])
labels = np.array([0] * 20 + [1] * 20)
order = rng.permutation(40)
csv_path = pathlib.Path(tempfile.gettempdir()) / "my_points.csv"
with open(csv_path, "w", newline="") as f:
    writer = csv.writer(f)
    writer.writerow(["x1", "x2", "label"])
    for (a, b), label in zip(cloud[order], labels[order]):
        writer.writerow([f"{a:.3f}", f"{b:.3f}", label])

X_own, y_own = sn.datasets.from_csv(csv_path, target="label")
print(sn.terms.phrase("lessons.own_data", n=len(X_own), features=X_own.shape[1],
                      classes=len(set(y_own.tolist()))))

# %% [markdown]
# Train on it in StepThrough with the decision boundary. In the **Playground** row, pick a class
# with the toggle and click on the boundary plot: each click adds a point of that class to the
# training data (*my points* counts them). Put three points of class 1 deep inside the cloud of
# class 0 and press **Play**: does the network bend its boundary around them? **Clear my points**
# removes them and **Undo** brings them back. **Save** writes the whole session to the file named
# beside it; **Load** goes on from such a file later, exactly where it stood.

# %%
own = sn.Trainer(sn.Sequential([sn.Dense(2, 8, activation="tanh"),
                                sn.Dense(8, 1, activation="sigmoid")], seed=0),
                 X_own, y_own, loss="binary_crossentropy", optimizer="adam", learning_rate=0.05,
                 batch_size=8, seed=0)
mine = StepThrough(own, views=("network", "curves", "boundary"), max_epochs=100)
# the Playground row open from the start
mine.playground.widget.selected_index = 0
mine
