"""The errors a student meets on bad input follow the chosen language: in Korean they are Korean
(mostly Hangul, apart from the identifiers the student typed) and name the value received; in
English they are word for word what they were before the Korean edition; either way the trainer
is left as it was."""
from __future__ import annotations

import json
import re
import zipfile

import numpy as np
import pytest

import stepnn as sn
from stepnn import links
from stepnn._checks import MissingFileError
from stepnn.chain import ComputationGraph
from stepnn.history import History
from stepnn.neurons import unit_activations
from stepnn.problems import Bowl
from stepnn.saving import SessionFileNotFoundError, write_archive

from .helpers import assert_same_state, binary_model, binary_problem, set_field, snapshot

X, Y = binary_problem(n=20)


def _trainer() -> sn.Trainer:
    return sn.Trainer(binary_model(), X, Y, loss="binary_crossentropy", optimizer="sgd",
                      learning_rate=0.1, batch_size=8)


def _csv(tmp, text: str) -> str:
    path = tmp / "data.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _with_nan():
    bad = X.copy()
    bad[3, 1] = np.nan
    return bad


def _forward_twice(graph):
    """A second forward pass without backward in between (a PhaseError at its first step)."""
    for _ in range(len(graph.forward_order) + 1):
        graph.forward_step()


def _relu_output_trainer():
    model = sn.Sequential([sn.Dense(2, 3, activation="tanh"), sn.Dense(3, 1, activation="relu")])
    return sn.Trainer(model, X, Y, loss="binary_crossentropy")


def _set(*keys, value=KeyError):
    """An edit of session.json's header: the field at ``keys`` set to ``value`` (or deleted)."""
    return lambda header: set_field(header, keys, value)


def _tampered(tmp, edit) -> str:
    """The session file of a fresh trainer, its session.json changed by ``edit(header)``."""
    path = tmp / "run.stepnn"
    sn.save(_trainer(), path)
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    header = json.loads(members["session.json"])
    edit(header)
    members["session.json"] = json.dumps(header).encode("utf-8")
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return str(path)


def _zip(tmp, *names) -> str:
    """A zip holding empty files ``names``: a zip, but not a session file."""
    path = tmp / "other.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name in names:
            zf.writestr(name, b"")
    return str(path)


# (id, exception type, call(trainer, tmp folder), text the message shows of the value received
# (None: the message has no single received value), the English message before the Korean edition
# (the tmp folder written <tmp>)).
BAD_CALLS = [
    # typical first mistakes: one layer not in a list, saving where no folder is
    ("layers_not_list", TypeError, lambda tr, tmp: sn.Sequential(sn.Dense(2, 1)), "Dense",
     "Sequential takes a list of layers; received a Dense. Put the layers in a list, e.g. "
     "Sequential([Dense(2, 8, 'relu'), Dense(8, 1, 'sigmoid')])."),
    ("save_no_folder", FileNotFoundError,
     lambda tr, tmp: sn.save(tr, str(tmp / "missing" / "run.stepnn")), "missing", None),
    ("save_to_folder", IsADirectoryError, lambda tr, tmp: sn.save(tr, str(tmp)), "run.stepnn", None),
    ("history_as_dict", TypeError, lambda tr, tmp: tr.history["loss"], "'loss'",
     "history['loss']: the history is a list of iterations, not a dict. Per iteration: "
     "history.losses, history.grad_norms, history.learning_rates; per epoch: "
     "history.epoch_losses, history.val_losses; one iteration: history[k] or history.iterations[k]."),
    ("history_float_index", TypeError, lambda tr, tmp: tr.history[1.5], "1.5",
     "history[...] takes an iteration index (an int such as 0 or -1) or a slice; received 1.5 (float)."),
    ("fit_verbose_word", ValueError, lambda tr, tmp: tr.fit(verbose="yes"), "'yes'",
     'verbose must be True (show a progress bar) or False (silent); Keras\' 0, 1, 2 and "auto" '
     "work too. Received 'yes'."),
    # Trainer settings, fit and time travel
    ("learning_rate_negative", ValueError, lambda tr, tmp: tr.set_learning_rate(-0.1), "-0.1",
     "learning_rate must be a positive finite number, e.g. 0.01; received -0.1."),
    ("assign_loss_phase", AttributeError, lambda tr, tmp: setattr(tr, "loss", "mse"), "'mse'",
     "trainer.loss is the loss phase, trainer.loss(); the loss function is trainer.loss_fn: "
     "write trainer.loss_fn = 'mse'."),
    ("assign_unknown_setting", AttributeError, lambda tr, tmp: setattr(tr, "lr", 0.1), "'lr'",
     "a Trainer has no setting 'lr': write trainer.learning_rate = ... (its settings: "
     "learning_rate, batch_size, optimizer, loss_fn, kernel_regularizer, shuffle, drop_last, "
     "fused, seed, max_undo)."),
    ("shuffle_word", TypeError, lambda tr, tmp: setattr(tr, "shuffle", "no"), "'no'",
     "shuffle must be True or False; received 'no'."),
    ("learning_rate_text", ValueError, lambda tr, tmp: setattr(tr, "learning_rate", "fast"), "'fast'",
     "learning_rate must be a positive finite number, e.g. 0.01; received 'fast'."),
    ("batch_size_too_big", ValueError, lambda tr, tmp: tr.set_batch_size(999), "999",
     "batch_size must be between 1 and 20; received 999. The data set has 20 samples: 1 is "
     "stochastic GD, 20 is full-batch GD, anything between is mini-batch."),
    ("batch_size_fraction", TypeError, lambda tr, tmp: setattr(tr, "batch_size", 2.5), "2.5",
     "batch_size must be a whole number; received 2.5 (float). The data set has 20 samples: 1 is "
     "stochastic GD, 20 is full-batch GD, anything between is mini-batch."),
    ("optimizer_unknown", ValueError, lambda tr, tmp: tr.set_optimizer("adamm"), "'adamm'",
     "Could not interpret optimizer identifier: 'adamm'. Expected one of: adagrad, adam, rmsprop, "
     "sgd."),
    ("momentum_out_of_range", ValueError, lambda tr, tmp: tr.set_optimizer("sgd", momentum=1.5),
     "1.5", "momentum must be a number in [0, 1); received 1.5."),
    ("nesterov_without_momentum", ValueError, lambda tr, tmp: tr.set_optimizer("sgd", nesterov=True),
     "momentum=0", "nesterov=True needs momentum > 0 and dampening = 0 (as in torch.optim.SGD); "
     "received momentum=0.0, dampening=0.0."),
    ("loss_unknown", ValueError, lambda tr, tmp: tr.set_loss("msee"), "'msee'",
     "Could not interpret loss identifier: 'msee'. Expected one of: bce, binary_crossentropy, "
     "categorical_crossentropy, cce, cee, cross_entropy_error, mae, mean_absolute_error, "
     "mean_squared_error, mse, scce, sparse_categorical_crossentropy."),
    ("loss_needs_classes", ValueError,
     lambda tr, tmp: tr.set_loss("sparse_categorical_crossentropy"), "1",
     "sparse_categorical_crossentropy needs an output layer with one unit per class (at least 2); "
     "the model has 1. Use binary_crossentropy with a sigmoid output for two classes."),
    ("data_columns", ValueError, lambda tr, tmp: tr.set_data(X[:, :1], Y), "(20, 1)",
     "X has 1 columns per sample, but the model's first layer (n_in) expects 2. Received shape "
     "(20, 1); expected (n_samples, 2). Change the model or pass data with 2 columns."),
    ("data_1d", ValueError, lambda tr, tmp: tr.set_data(X.ravel(), Y), "(40,)",
     "X must be 2-D with shape (n_samples, n_features); received shape (40,). Reshape it, e.g. "
     "X.reshape(-1, 1) for a single feature."),
    ("data_nan", ValueError, lambda tr, tmp: tr.set_data(_with_nan(), Y), "1",
     "X contains 1 NaN or inf value(s); every value must be a finite number. Remove or impute "
     "those entries first."),
    ("data_text", TypeError, lambda tr, tmp: tr.set_data(np.array([["a", "b"]] * 20), Y), "<U1",
     "X must hold real numbers (float or int); received dtype <U1. Convert it first, e.g. X.real "
     "or numeric columns."),
    ("targets_missing", ValueError, lambda tr, tmp: tr.set_data(X, None), "None",
     "y is missing (None): pass one target per sample of X (20 samples)."),
    ("targets_count", ValueError, lambda tr, tmp: tr.set_data(X, Y[:5]), "5",
     "y must hold one target per sample: X has 20 samples but y has 5 samples (shape (5,))."),
    ("targets_text", TypeError, lambda tr, tmp: tr.set_data(X, np.array(["cat"] * 20)), "<U3",
     "y must hold real numbers; received dtype <U3."),
    ("labels_text", TypeError,
     lambda tr, tmp: sn.losses.get("binary_crossentropy").check_labels(["cat", "dog"], 1), "'cat'",
     "y must hold numbers; received text such as ['cat', 'dog']. Convert it first: y.astype(int) "
     "for digits like '0'/'1', or classes, y = np.unique(y, return_inverse=True) for class names."),
    ("targets_not_binary", ValueError, lambda tr, tmp: tr.set_data(X, Y * 3), "3.0",
     "binary_crossentropy expects labels in [0, 1] (0/1 for two classes); received values "
     "[0.0, 3.0]. For several classes use sparse_categorical_crossentropy with a softmax output "
     "layer."),
    ("validation_split", ValueError, lambda tr, tmp: tr.set_data(X, Y, validation_split=1.5), "1.5",
     "validation_split must be a fraction in [0, 1), e.g. 0.2; received 1.5."),
    ("validation_both", ValueError,
     lambda tr, tmp: tr.set_data(X, Y, validation_split=0.2, validation_data=(X, Y)), None,
     "pass either validation_split or validation_data, not both."),
    ("validation_pair", ValueError, lambda tr, tmp: tr.set_data(X, Y, validation_data=X), None,
     "validation_data must be a pair (X_val, y_val)."),
    ("goto_range", ValueError, lambda tr, tmp: tr.goto(99), "99",
     "goto needs an iteration from 0 (the start) to 0 (the last one recorded); received 99."),
    ("seed_negative", ValueError, lambda tr, tmp: tr.reset(seed=-1), "-1",
     "seed must be a whole number >= 0 (numpy's generators need it), e.g. 0; received -1."),
    ("epochs_zero", ValueError, lambda tr, tmp: tr.fit(epochs=0, verbose=False), "0",
     "epochs must be at least 1; received 0."),
    ("target_loss_negative", ValueError, lambda tr, tmp: tr.fit(target_loss=-1, verbose=False), "-1",
     "target_loss must be None (off) or a number >= 0; received -1."),
    ("patience_without_validation", ValueError, lambda tr, tmp: tr.fit(patience=2, verbose=False),
     None, "patience (early stopping) watches the validation loss, but this trainer has no "
     "validation data. Create the Trainer with validation_split=0.2 or "
     "validation_data=(X_val, y_val)."),
    ("regularizer_unknown", ValueError, lambda tr, tmp: tr.set_regularizer("l3"), "'l3'",
     "Could not interpret regularizer identifier: 'l3'. Expected one of: l1, l1_l2, l2."),
    ("regularizer_layer", ValueError, lambda tr, tmp: tr.set_regularizer("l2", layer=5), "5",
     "layer must be a layer index from 0 to 1 (or None for every layer); received 5."),
    ("regularizer_factor", ValueError,
     lambda tr, tmp: setattr(tr, "kernel_regularizer",
                             {"class_name": "L2", "config": {"l2": 0.1, "l3": 1}}), "l3",
     "L2 takes the factors l2; received also l3."),
    ("penalty_negative", ValueError, lambda tr, tmp: sn.regularizers.L2(-1), "-1",
     "L2 l2 must be a finite number >= 0, e.g. 0.01 (0 turns it off); received -1."),
    ("weights_count", ValueError, lambda tr, tmp: tr.set_weights([np.zeros((2, 4))]), "1",
     "set_weights expects 4 arrays (W1, b1, W2, b2); received 1. Use model.get_weights() to see "
     "the layout."),
    ("weights_shape", ValueError,
     lambda tr, tmp: tr.set_weights([np.zeros((3, 4)), np.zeros(4), np.zeros((4, 1)), np.zeros(1)]),
     "(3, 4)", "W1 must have shape (2, 4); received shape (3, 4)."),
    ("evaluate_y_only", ValueError, lambda tr, tmp: tr.evaluate(y=Y), None,
     "evaluate(X, y) needs both X and y; received y without X."),
    ("evaluate_x_only", ValueError, lambda tr, tmp: tr.evaluate(X), None,
     "evaluate(X, y) needs the targets y of X too."),
    # making a Trainer
    ("trainer_model", TypeError, lambda tr, tmp: sn.Trainer("net", X, Y), "str",
     "model must be a stepnn.Sequential; received str."),
    ("trainer_flag", TypeError, lambda tr, tmp: sn.Trainer(binary_model(), X, Y, shuffle="yes"),
     "'yes'", "shuffle must be True or False; received 'yes'."),
    ("trainer_seed", TypeError, lambda tr, tmp: sn.Trainer(binary_model(), X, Y, seed="a"), "'a'",
     "seed must be a whole number, e.g. 0; received 'a'."),
    ("trainer_from_logits", ValueError,
     lambda tr, tmp: sn.Trainer(binary_model(), X, Y, loss="binary_crossentropy", from_logits=True),
     "'sigmoid'", "from_logits=True means the loss reads raw scores z, so the output layer must be "
     "linear; this model's output is 'sigmoid'. Use a linear output layer, or from_logits=False."),
    ("trainer_loss_output", ValueError, lambda tr, tmp: _relu_output_trainer(), "'relu'",
     "the loss 'binary_crossentropy' does not fit the output layer's activation 'relu' (1 unit(s)): "
     "it expects a sigmoid output (or a linear output with from_logits=True). With this output "
     "layer, use 'mean_squared_error' or 'mean_absolute_error'; or give the last layer "
     "activation='sigmoid'."),
    # layers and the model
    ("dense_size", ValueError, lambda tr, tmp: sn.Dense(0, 3), "0",
     "Dense n_in must be at least 1; received 0."),
    ("dense_activation", ValueError, lambda tr, tmp: sn.Dense(2, 3, activation="relux"), "'relux'",
     "Could not interpret activation identifier: 'relux'. Expected one of: leaky_relu, linear, "
     "relu, sigmoid, softmax, tanh."),
    ("dense_weights", ValueError, lambda tr, tmp: sn.Dense(2, 3, weights=[1]), "1",
     "Dense weights must be a pair (W, b) with W of shape (2, 3) and b of shape (3,); received "
     "list of length 1."),
    ("sequential_empty", ValueError, lambda tr, tmp: sn.Sequential([]), None,
     "Sequential needs at least one layer; received an empty list. Example: "
     "Sequential([Dense(2, 8, 'relu'), Dense(8, 1, 'sigmoid')])."),
    ("sequential_chain", ValueError,
     lambda tr, tmp: sn.Sequential([sn.Dense(2, 3), sn.Dense(4, 1)]), "n_in=4",
     "layer sizes do not chain: layer 0 outputs 3 units but layer 1 expects n_in=4. Make them "
     "equal, e.g. Dense(3, 1)."),
    ("sequential_layer", TypeError, lambda tr, tmp: sn.Sequential(["dense"]), "str",
     "layer 0 must be a stepnn.Dense; received str."),
    ("predict_columns", ValueError, lambda tr, tmp: tr.model.predict(X[:, :1]), "(20, 1)",
     "X has 1 columns per sample, but the model's first layer (n_in) expects 2. Received shape "
     "(20, 1); expected (n_samples, 2). Change the model or pass data with 2 columns."),
    # labels
    ("class_out_of_range", ValueError,
     lambda tr, tmp: sn.losses.get("sparse_categorical_crossentropy").check_labels([0, 5], 3), "5",
     "sparse_categorical_crossentropy: class index out of range: labels must be in 0..2 for 3 "
     "output units; received min 0, max 5."),
    ("class_not_whole", ValueError,
     lambda tr, tmp: sn.losses.get("sparse_categorical_crossentropy").check_labels([0, 1.5], 3),
     "1.5", "sparse_categorical_crossentropy expects whole-number class labels 0..2; received "
     "non-integer values such as [1.5]."),
    # data sets
    ("load_unknown", ValueError, lambda tr, tmp: sn.datasets.load("circel"), "'circel'",
     "Unknown data set 'circel'. Expected one of: circle, xor, gauss, spiral, moons, linear, sine, "
     "iris; e.g. load('circle', n=200, noise=0.1)."),
    ("dataset_n", ValueError, lambda tr, tmp: sn.datasets.circle(n=0), "0",
     "n must be an integer >= 1, got 0; pass a value of at least 1."),
    ("dataset_noise", ValueError, lambda tr, tmp: sn.datasets.circle(noise=-1.0), "-1.0",
     "noise must be a finite float >= 0, got -1.0; pass e.g. noise=0.1."),
    ("one_hot_classes", ValueError, lambda tr, tmp: sn.datasets.to_one_hot([0, 3], n_classes=2),
     "n_classes=2", "n_classes=2 is too small for label 3: expected n_classes >= 4; pass "
     "n_classes=4 or leave it None."),
    ("split_fraction", ValueError,
     lambda tr, tmp: sn.datasets.train_val_split(X, Y, validation_fraction=1.5), "1.5",
     "validation_fraction must be a float in (0, 1), got 1.5; pass e.g. validation_fraction=0.2."),
    ("csv_missing", MissingFileError, lambda tr, tmp: sn.datasets.from_csv(str(tmp / "no.csv")),
     "no.csv", "No CSV file at '<tmp>/no.csv' (looked in '<tmp>/no.csv'). Check the "
     "name and the folder."),
    ("csv_no_target", sn.datasets.CSVFormatError,
     lambda tr, tmp: sn.datasets.from_csv(_csv(tmp, "x1,x2,Label\n1,2,0\n3,4,1\n")), "'label'",
     "'<tmp>/data.csv', line 1: no column named 'label' (the target to predict). The columns are "
     "'x1', 'x2', 'Label'; pass target='Label'."),
    ("csv_feature_text", sn.datasets.CSVFormatError,
     lambda tr, tmp: sn.datasets.from_csv(_csv(tmp, "x1,label\n1,0\nabc,1\n")), "'abc'",
     "'<tmp>/data.csv', line 3, column 'x1' (column 1): 'abc' is not a number; every feature must "
     "be a number."),
    ("csv_row_length", sn.datasets.CSVFormatError,
     lambda tr, tmp: sn.datasets.from_csv(_csv(tmp, "x1,x2,label\n1,2,0\n3,1\n")), "2",
     "'<tmp>/data.csv', line 3: this line has 2 value(s) but the header (line 1) names 3 columns. "
     "Every line needs one value per column."),
    ("csv_one_class", sn.datasets.CSVFormatError,
     lambda tr, tmp: sn.datasets.from_csv(_csv(tmp, "x1,label\n1,0\n2,0\n")), "'0'",
     "'<tmp>/data.csv', column 'label' (column 2): every sample has the same class, '0'; a "
     "classifier needs at least two classes. Add samples of another class."),
    ("csv_mixed_target", sn.datasets.CSVFormatError,
     lambda tr, tmp: sn.datasets.from_csv(_csv(tmp, "x1,label\n1,0\n2,1\n3,cat\n")), "",
     "'<tmp>/data.csv', line 4, column 'label' (column 2): this target is a word but most of the "
     "column holds numbers. Use numbers for every sample (regression or class labels 0, 1, ...) or "
     "words for every sample (class names)."),
    # the computation graph (the chain rule lesson) and the exercises
    ("graph_x_columns", ValueError,
     lambda tr, tmp: ComputationGraph([1.0, 2.0, 3.0], 1.0, [0] * 4), "(1, 3)",
     "x has 3 columns per sample, but the graph's input layer (2 inputs) expects 2. Received shape "
     "(1, 3); expected (n_samples, 2). Change the model or pass data with 2 columns."),
    ("graph_weights", ValueError, lambda tr, tmp: ComputationGraph([1.0, 2.0], 1.0, [0]), "1",
     "weights must be [W1 (2, 2), b1 (2,), W2 (2, 1), b2 (1,)]; received 1 array(s)."),
    ("graph_update_early", sn.PhaseError, lambda tr, tmp: ComputationGraph.example().update(), "0",
     "finish the backward pass first: 0 of 7 nodes have their gradients, and the update needs "
     "every weight's gradient."),
    ("graph_forward_done", sn.PhaseError, lambda tr, tmp: _forward_twice(ComputationGraph.example()),
     None, "the forward pass is complete: every node has its value. Run backward next, or clear() "
     "to start again."),
    ("exercise_unknown", ValueError, lambda tr, tmp: sn.exercises.exercise("forwardd"), "'forwardd'",
     "Unknown exercise 'forwardd'. The exercises are: dense_forward, relu, sigmoid, softmax, "
     "relu_derivative, sigmoid_derivative, mse, binary_crossentropy, categorical_crossentropy, "
     "sparse_categorical_crossentropy, dense_backward, sgd_update, momentum_update, "
     "iterations_per_epoch."),
    # the loss surface
    ("surface_weight_name", ValueError,
     lambda tr, tmp: sn.surface.weight_directions(tr.model, "W1[0,0]", "W9[0,0]"), "'W9[0,0]'",
     "no weight named 'W9[0,0]' in this model; names look like 'W1[0,0]', 'W1[0,1]' ... 'b2[0]' "
     "(layer number from 1, row = input unit, column = output unit)."),
    ("surface_same_weights", ValueError,
     lambda tr, tmp: sn.surface.weight_directions(tr.model, "W1[0,0]", 0), "W1[0,0]",
     "the two weights must differ; received W1[0,0] twice. Pick another second weight, e.g. "
     "W1[0,1]."),
    ("surface_still_path", ValueError,
     lambda tr, tmp: sn.surface.pca_directions(np.ones((3, 17))), None,
     "the path does not move (every row is the same), so it spans no plane. Run a few iterations "
     "first."),
    # sessions
    ("save_not_trainer", TypeError, lambda tr, tmp: sn.save("run", tmp / "run.stepnn"), "str",
     "save needs a stepnn.Trainer; received str."),
    ("load_missing", SessionFileNotFoundError, lambda tr, tmp: sn.load(tmp / "run.stepnn"), "run.stepnn",
     "No session file at '<tmp>/run.stepnn' (looked in '<tmp>/run.stepnn'). Check the "
     "name and the folder."),
    ("load_folder", sn.SessionFileError, lambda tr, tmp: sn.load(tmp), "<tmp>",
     "'<tmp>' is a folder, not a session file."),
    ("load_not_zip", sn.SessionFileError,
     lambda tr, tmp: sn.load(_csv(tmp, "x1,label\n1,0\n")), "data.csv",
     "'<tmp>/data.csv' is not a readable stepnn session file (a broken or truncated zip, or "
     "another kind of file): File is not a zip file"),
    # broken, tampered or foreign session files, and bad arguments of save and write_archive
    ("load_zip_without_session", sn.SessionFileError, lambda tr, tmp: sn.load(_zip(tmp)), "other.zip",
     "'<tmp>/other.zip': no session.json inside; this zip is not a stepnn session file."),
    ("load_zip_climbing_out", sn.SessionFileError, lambda tr, tmp: sn.load(_zip(tmp, "../x.npy")),
     "'../x.npy'",
     "'<tmp>/other.zip': unexpected member '../x.npy' (a session file holds only session.json and "
     "arrays/<name>.npy; names may not climb out with '..')."),
    ("load_format_version", sn.SessionFileError,
     lambda tr, tmp: sn.load(_tampered(tmp, _set("format_version", value=0))), "0",
     "'<tmp>/run.stepnn': format_version must be a whole number >= 1; found 0."),
    ("load_object_array", sn.SessionFileError,
     lambda tr, tmp: sn.load(_tampered(tmp, _set("arrays", "data/0/X", "dtype", value="|O"))),
     "object",
     "'<tmp>/run.stepnn': array 'data/0/X' has dtype object, which would need pickle; refused."),
    ("load_field_type", sn.SessionFileError,
     lambda tr, tmp: sn.load(_tampered(tmp, _set("meta", "trainer", "seed", value="zero"))), "str",
     "session.json: trainer: 'seed' must be int; found str."),
    ("load_field_missing", sn.SessionFileError,
     lambda tr, tmp: sn.load(_tampered(tmp, _set("meta", "trainer", "seed"))), "'seed'",
     "session.json: trainer: 'seed' must be int; found nothing."),
    ("load_array_shape", sn.SessionFileError,
     lambda tr, tmp: sn.load(_tampered(tmp, _set("meta", "model", "layers", 0, "n_in", value=3))),
     "(3, 4)",
     "session.json: the array 'model/W1' has shape (2, 4); expected (3, 4)."),
    ("load_learning_rate", sn.SessionFileError,
     lambda tr, tmp: sn.load(_tampered(tmp, _set("meta", "initial", "learning_rate", value=-1))),
     "-1",
     "session.json: the initial settings learning rate cannot be rebuilt: learning_rate must be a "
     "positive finite number, e.g. 0.01; received -1."),
    ("load_momentum", sn.SessionFileError,
     lambda tr, tmp: sn.load(_tampered(tmp, _set("meta", "initial", "optimizer", "hyperparameters",
                                                 "momentum", value=1.5))), "1.5",
     "session.json: the optimizer cannot be rebuilt: momentum must be a number in [0, 1); "
     "received 1.5."),
    ("load_data_index", sn.SessionFileError,
     lambda tr, tmp: sn.load(_tampered(tmp, _set("meta", "initial", "data", value=5))), "5",
     "session.json: initial settings: data set 5 does not exist (1 saved)."),
    ("load_counters", sn.SessionFileError,
     lambda tr, tmp: sn.load(_tampered(tmp, _set("meta", "state", "epoch", value=-1))), "-1",
     "session.json: state: counters must be >= 0 and the phase 0..3; found {'phase': 0, 'epoch': "
     "-1, 'iteration': 0, 'global_iteration': 0, 'samples_seen': 0, 'cursor': 0, 'epoch_count': "
     "0, 'n_events': 0}."),
    ("load_bit_generator", sn.SessionFileError,
     lambda tr, tmp: sn.load(_tampered(tmp, _set("meta", "state", "rng", "bit_generator",
                                                 value="MT19937"))), "'MT19937'",
     "session.json: rng: unknown bit generator 'MT19937'; expected 'PCG64'."),
    ("load_event_kind", sn.SessionFileError,
     lambda tr, tmp: sn.load(_tampered(tmp, _set("meta", "history", "events", value=[
         {"global_iteration": 0, "what": "learning_rate", "old": {"t": "code"},
          "new": {"t": "plain", "v": 1}}]))), "'code'",
     "session.json: history: unknown event value kind 'code'."),
    ("write_archive_name", ValueError,
     lambda tr, tmp: write_archive(tmp / "a.stepnn", {}, {"../W1": np.zeros(2)}), "'../W1'",
     "array name '../W1' is not allowed: use letters, digits, '_', '.', '-' and '/' between parts "
     "(not starting with '.'), e.g. 'model/W1'."),
    ("write_archive_meta", TypeError, lambda tr, tmp: write_archive(tmp / "a.stepnn", [], {}), "list",
     "meta must be a dict of JSON values; received list."),
    # the history, the neuron pictures, the descent problems, the loss surface, the lesson links
    ("history_index", IndexError, lambda tr, tmp: tr.history.iterations[5], "5",
     "iteration index 5 out of range: the history has 0 iterations."),
    ("history_stride", ValueError,
     lambda tr, tmp: History.from_parts(np.zeros((0, 9)), [], [], [], np.zeros((1, 17)), [0], 3),
     "3",
     "the path's stride must be a power of two; found 3."),
    ("neurons_grid", ValueError,
     lambda tr, tmp: unit_activations(tr.model, np.linspace(0, 1, 300), np.linspace(0, 1, 300)),
     "90000",
     "a grid of 300 x 300 = 90000 points is more than the 65536 allowed; a coarse grid (e.g. 16 x "
     "16) is enough for a unit's picture."),
    ("neurons_inputs", ValueError,
     lambda tr, tmp: unit_activations(sn.Sequential([sn.Dense(3, 1)]), [0, 1], [0, 1]), "3",
     "pictures over the input plane need a model with 2 inputs; this model takes 3 (sizes [3, 1])."),
    ("bowl_coefficient", ValueError, lambda tr, tmp: Bowl(a=-1), "-1",
     "the bowl's coefficient a must be a positive number, e.g. 1.0; received -1."),
    ("surface_grid_axis", ValueError,
     lambda tr, tmp: sn.surface.loss_grid(tr.model, X, Y, "binary_crossentropy", np.zeros(17),
                                          np.ones(17), np.eye(17)[0], [0.0], [0.0, 1.0]), "(1,)",
     "alphas must be a 1-D array of at least 2 grid coordinates, e.g. np.linspace(-1, 1, 41); "
     "received shape (1,)."),
    ("surface_parallel", ValueError,
     lambda tr, tmp: sn.surface.project(np.zeros((3, 4)), np.zeros(4), np.ones(4), np.ones(4)), None,
     "d1 and d2 are parallel (or zero), so they span no plane; choose two independent directions."),
    ("links_repo", ValueError, lambda tr, tmp: links.parse_repo("https://github.com/a/b"),
     "'https://github.com/a/b'",
     "expected a GitHub repository as OWNER/NAME, for example 'your-org/your-course'; got "
     "'https://github.com/a/b'. Give only the owner and the name, not a URL."),
    ("links_edition", ValueError, lambda tr, tmp: links.edition_folder("fr"), "'fr'",
     "expected an edition, one of en, ko; got 'fr'"),
]


def _message(call, tmp, lang: str):
    """(exception, message with the tmp folder written <tmp>, trainer snapshots before and after)
    of ``call`` under ``lang``."""
    sn.set_language(lang)
    try:
        tr = _trainer()
        before = snapshot(tr)
        with pytest.raises(Exception) as info:
            call(tr, tmp)
        return info.value, str(info.value).replace(str(tmp), "<tmp>"), before, snapshot(tr)
    finally:
        sn.set_language("en")


# Latin words a Korean message may hold: code the student types or reads (functions, arguments,
# classes, values), the names of file formats, and numpy's and torch's names.
CODE_WORDS = {
    "CSV", "UTF", "zip", "Dense", "Sequential", "Trainer", "True", "False", "None", "NaN", "inf",
    "SGD", "G", "W", "X", "a", "b", "k", "n", "y", "z", "activation", "astype", "backward",
    "circle", "classes", "dampening", "datasets", "evaluate", "float", "int", "fused", "gradient",
    "goto", "label", "layer", "linear", "relu", "sigmoid", "softmax", "load", "save", "loss",
    "model", "momentum", "nesterov", "noise", "np", "numpy", "optim", "torch", "patience", "real",
    "reshape", "run", "seed", "shuffle", "sn", "step", "stepnn", "target", "trainer", "unique",
    "weights", "x", "m", "clear", "update", "dict", "runs", "view", "views", "LossExplorer", "PCA",
    "history", "verbose", "Keras", "dpi", "figsize", "sizes", "index",
    # file formats and libraries of saved sessions and exported figures, and the arguments of
    # write_archive, save_gif, surface.project, the views and the diagrams; Python's type names
    "JSON", "npy", "GIF", "pickle", "pip", "matplotlib", "Figure", "meta", "arrays", "dpi", "fps",
    "frames", "i", "axes", "groups", "resolution", "span", "directions", "scale", "project",
    "path", "center", "str", "object",
}


def english_words(text: str) -> list:
    """Latin words of ``text`` that are not code: no quoted value, no word with a digit, an
    underscore or a dot, no list of names (the valid choices), none of CODE_WORDS."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"|\{[^}]*\}", " ", text)
    text = re.sub(r"[A-Za-z_]\w*(?:, [A-Za-z_]\w*){2,}", " ", text)
    words = re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", text)
    return [w for w in words if w not in CODE_WORDS and not re.search(r"[0-9_.]", w)]


def hangul_share(text: str) -> float:
    """Hangul letters among Hangul letters and the letters of ``english_words(text)``."""
    hangul = sum("\uac00" <= ch <= "\ud7a3" for ch in text)
    return hangul / max(hangul + sum(map(len, english_words(text))), 1)


@pytest.mark.parametrize("name, kind, call, received, english", BAD_CALLS,
                         ids=[case[0] for case in BAD_CALLS])
def test_bad_call_speaks_the_chosen_language_and_changes_nothing(tmp_path, name, kind, call,
                                                                  received, english):
    error, text, before, after = _message(call, tmp_path, "en")
    assert type(error) is kind, text
    assert text == english if english is not None else received in text, text  # None: the path varies
    assert_same_state(before, after)
    error, text, before, after = _message(call, tmp_path, "ko")
    assert type(error) is kind, text
    assert hangul_share(text) > 0.8, (text, english_words(text))
    assert received is None or received in text, (received, text)
    assert_same_state(before, after)


def test_every_error_phrase_has_the_same_fields_and_hangul():
    keys = [key for key in sn.terms.PHRASES if key.startswith("errors.")]
    for key in keys:
        english, korean = sn.terms.PHRASES[key]
        assert sorted(set(re.findall(r"\{(\w+)[^}]*\}", english))) == \
            sorted(set(re.findall(r"\{(\w+)[^}]*\}", korean))), key
        assert re.search(r"[\uac00-\ud7a3]", korean) and english_words(korean) == [], key
    assert len(keys) > 100


def test_korean_error_keeps_its_python_type_for_except_clauses():
    sn.set_language("ko")
    try:
        with pytest.raises(ValueError, match="학습률|learning_rate"):
            _trainer().set_learning_rate(0)
        with pytest.raises(sn.datasets.CSVFormatError) as info:
            sn.datasets.from_csv(__file__, target="x")
        assert info.value.path == __file__
    finally:
        sn.set_language("en")


def test_an_unknown_language_is_refused_in_both_languages():
    """lang="kr" names no language, so the message is in English and in Korean; nothing changes."""
    sn.set_language("ko")
    try:
        with pytest.raises(ValueError) as info:
            sn.set_language("kr")
        message = str(info.value)
        assert "lang must be one of ('en', 'ko')" in message and "received 'kr'" in message
        assert "받은 값: 'kr'" in message and 'lang="ko"' in message
        assert sn.get_language() == "ko"
    finally:
        sn.set_language("en")
