"""Saved sessions: sn.save and sn.load give back a Trainer that continues bit for bit, mid-iteration
or at a boundary; hostile, broken or inconsistent files raise a SessionFileError and run nothing;
files written by session version 1 keep loading."""
import pathlib

import numpy as np
import pytest

import stepnn as sn
from core.helpers import binary_problem, binary_trainer, set_field
from core.test_time_travel import _same, observed
from stepnn.saving import read_archive, write_archive

EXAMPLE = pathlib.Path(__file__).parent / "data" / "session_v1.stepnn"
EXAMPLE_V2 = pathlib.Path(__file__).parent / "data" / "session_v2.stepnn"


def _run(tr, script):
    for move in script:
        if move == "step":
            tr.step()
        elif move in sn.PHASES:
            getattr(tr, move)()
        else:
            name, value = move
            if name == "data":
                tr.set_data(*binary_problem(value, seed=value), validation_split=0.25)
            else:
                setattr(tr, name, value)


SCRIPTS = {
    "boundary": ["step"] * 4,
    "after forward": ["step"] * 3 + ["forward"],
    "after loss, a change waiting": ["step"] * 3 + ["forward", "loss", ("learning_rate", 0.01),
                                                    ("kernel_regularizer", "l1")],
    "after backward": ["step", ("optimizer", "rmsprop"), "step", "forward", "loss", "backward",
                       ("batch_size", 2)],
    "end of an epoch, regularized": [("kernel_regularizer", "l2"), "step", "step",
                                     ("loss_fn", "mse")],
    "new data waiting": ["step", "forward", ("data", 13), "loss"],
    "new data in force": ["step", ("data", 13), "step", "forward"],
}


def _recipe(**kwargs):
    options = dict(n=14, batch_size=4, optimizer="adam", learning_rate=0.05, validation_split=0.2)
    options.update(kwargs)
    return binary_trainer(**options)


@pytest.mark.parametrize("script", SCRIPTS, ids=list(SCRIPTS))
def test_a_loaded_trainer_continues_bit_for_bit(tmp_path, script):
    tr = _recipe()
    _run(tr, SCRIPTS[script])
    path = tmp_path / "run.stepnn"
    sn.save(tr, path)
    loaded = sn.load(path)
    _same(observed(tr), observed(loaded))
    assert repr(loaded) == repr(tr) and repr(loaded.state) == repr(tr.state)
    for _ in range(9):
        tr.step(), loaded.step()
        _same(observed(tr), observed(loaded))
    tr.fit(2, verbose=False), loaded.fit(2, verbose=False)
    _same(observed(tr), observed(loaded))
    assert tr.evaluate() == loaded.evaluate()


def test_the_timeline_starts_at_the_loaded_moment(tmp_path):
    tr = _recipe()
    _run(tr, ["step"] * 5 + ["forward", "loss"])
    sn.save(tr, tmp_path / "run.stepnn")
    loaded = sn.load(tmp_path / "run.stepnn")
    assert not loaded.can_undo and loaded.undo() is None
    with pytest.raises(ValueError, match="no iteration has ended since this trainer was loaded"):
        loaded.goto(5)
    loaded.backward(), loaded.update(), loaded.step()
    assert loaded.recorded_iterations == 7
    with pytest.raises(ValueError, match="loaded from a session file saved at iteration 5 "
                                         r"\(mid-iteration\).*goto reaches 6 to 7"):
        loaded.goto(3)
    saved_moment = observed(loaded)
    loaded.goto(6)
    tr.backward(), tr.update()
    _same(observed(tr), observed(loaded))
    while loaded.undo():
        pass
    assert (loaded.global_iteration, loaded.next_phase) == (5, "backward")
    loaded.goto(7)
    _same(saved_moment, observed(loaded))
    loaded.reset()  # back to the run's first weights and settings
    assert loaded.global_iteration == 0 and len(loaded.history) == 0
    np.testing.assert_array_equal(loaded.model.get_flat(), _recipe().model.get_flat())


def test_what_cannot_be_saved_is_refused_before_writing(tmp_path):
    tr = _recipe()
    tr.step()
    tr.optimizer = sn.SGD(0.1)  # a new object is fine: it is saved by name and numbers
    sn.save(tr, tmp_path / "ok.stepnn")
    assert sn.load(tmp_path / "ok.stepnn").optimizer.learning_rate == 0.1
    with pytest.raises(TypeError, match="save needs a stepnn.Trainer"):
        sn.save("not a trainer", tmp_path / "x.stepnn")
    custom = sn.activations.Activation("wiggle", np.tanh, lambda z, a, g: g * (1 - a * a), "tanh")
    model = sn.Sequential([sn.Dense(2, 1, activation=custom)])
    X, y = binary_problem(8)
    with pytest.raises(TypeError, match="custom activation"):
        sn.save(sn.Trainer(model, X, y.astype(float)), tmp_path / "x.stepnn")
    assert not (tmp_path / "x.stepnn").exists()


# --- hostile, broken and inconsistent files ----------------------------------------------------

def _good(tmp_path, script=("step",) * 4 + ("forward", "loss")):
    tr = _recipe()
    _run(tr, script)
    path = tmp_path / "good.stepnn"
    sn.save(tr, path)
    return read_archive(path)


def _bad(tmp_path, meta, arrays):
    path = tmp_path / "bad.stepnn"
    write_archive(path, meta, arrays)
    return path


@pytest.mark.parametrize("keys, value, words", [
    (("kind",), "something", "not a saved training session"),
    (("session_version",), 99, "session version 99"),
    (("state", "settings", "optimizer", "name"), "adamw2", "optimizer cannot be rebuilt"),
    (("state", "settings", "loss", "name"), "hinge_ish", "loss cannot be rebuilt"),
    (("state", "pending", "loss"), {"name": "nope", "from_logits": False}, "loss cannot be rebuilt"),
    (("state", "settings", "batch_size"), 500, "batch size 500 does not fit"),
    (("state", "settings", "data"), 7, "data set 7 does not exist"),
    (("state", "settings", "regularizers"), ["l2"], "regularizers for 2 layers"),
    (("state", "pending", "surprise"), 1, "unknown settings"),
    (("state", "phase"), 7, "phase 0..3"),
    (("state", "global_iteration"), 40, "does not match the state"),
    (("state", "samples_seen"), 10 ** 9, "does not match the state"),  # next step: 4 GB
    (("history", "epoch_numbers", 0), None, "numbered 1, 2"),
    (("history", "epoch_numbers", 0), "1", "numbered 1, 2"),
    (("state", "cursor"), 999, "does not fit the data set"),
    (("state", "rng", "state", "state"), "12x", "random generator cannot be rebuilt"),
    (("model", "layers", 0, "activation"), "swishy", "cannot be rebuilt"),
    (("history", "stride"), 3, "power of two"),
    (("history", "epoch_numbers"), [], "do not agree in length"),
    (("records", "loss"), None, "'loss' must be dict"),
    (("trainer", "seed"), "zero", "'seed' must be int"),
])
def test_inconsistent_meta_is_refused(tmp_path, keys, value, words):
    meta, arrays = _good(tmp_path)
    set_field(meta, keys, value)
    with pytest.raises(sn.SessionFileError, match=words):
        sn.load(_bad(tmp_path, meta, arrays))


@pytest.mark.parametrize("name, value, words", [
    ("model/W1", np.zeros((3, 4)), "has shape"),
    ("data/0/X", np.zeros((11, 3)), "n_in"),
    ("data/0/y", np.full(11, 7.0), "cannot be rebuilt"),
    ("state/order", np.zeros(11, dtype=np.int64), "permutation"),
    ("optimizer_state/m/0", np.zeros((5, 5)), "optimizer state 'm'"),
    ("records/forward/z/0", np.zeros((2, 2)), "has shape"),
    ("records/forward/indices", np.array([0, 1, 2, 3]), "not the batch the order gives"),
    ("history/samples", np.zeros(3, dtype=np.int32), "sample indices"),
    ("history/path", np.zeros((2, 3)), "columns"),
    ("initial/0", np.zeros(1), "has shape"),
])
def test_inconsistent_arrays_are_refused(tmp_path, name, value, words):
    meta, arrays = _good(tmp_path)
    assert name in arrays
    arrays[name] = value
    with pytest.raises(sn.SessionFileError, match=words):
        sn.load(_bad(tmp_path, meta, arrays))


def test_history_samples_that_are_not_the_epochs_order_are_refused(tmp_path):
    """The batches of the epoch in progress were taken from its order, in turn: the history
    cannot say otherwise (a loaded run goes on taking them from that order)."""
    meta, arrays = _good(tmp_path, ("step",) * 5)
    samples = arrays["history/samples"].copy()
    cursor = meta["state"]["cursor"]
    assert cursor >= 2
    samples[-1], samples[-2] = samples[-2], samples[-1]
    arrays["history/samples"] = samples
    with pytest.raises(sn.SessionFileError, match="order of this epoch"):
        sn.load(_bad(tmp_path, meta, arrays))


def test_a_missing_array_is_refused(tmp_path):
    meta, arrays = _good(tmp_path)
    del arrays["records/loss/numbers"]
    with pytest.raises(sn.SessionFileError, match="'records/loss/numbers' is missing"):
        sn.load(_bad(tmp_path, meta, arrays))


def test_random_bytes_truncated_files_and_missing_paths(tmp_path):
    junk = tmp_path / "junk.stepnn"
    junk.write_bytes(np.random.default_rng(0).bytes(500))
    with pytest.raises(sn.SessionFileError, match="not a readable stepnn session file"):
        sn.load(junk)
    tr = _recipe()
    tr.step()
    sn.save(tr, tmp_path / "whole.stepnn")
    data = (tmp_path / "whole.stepnn").read_bytes()
    (tmp_path / "cut.stepnn").write_bytes(data[:len(data) // 2])
    with pytest.raises(sn.SessionFileError):
        sn.load(tmp_path / "cut.stepnn")
    with pytest.raises(FileNotFoundError, match="No session file"):
        sn.load(tmp_path / "nothing.stepnn")


# --- the stored examples of session versions 1 and 2 -------------------------------------------

def _example_recipe():
    """How tests/data/session_v1.stepnn and session_v2.stepnn were made (see write_example)."""
    tr = _recipe(n=16)
    _run(tr, [("kernel_regularizer", "l1_l2"), "step", "step", ("data", 13), "step", "forward",
              "loss", ("learning_rate", 0.02)])
    return tr


def _example_recipe_v2():
    """The version-2 example: the recipe of version 1 with the True/False settings changed too
    (one in force, two waiting)."""
    tr = _recipe(n=16)
    _run(tr, [("kernel_regularizer", "l1_l2"), "step", ("shuffle", False), "step", ("data", 13),
              "step", "forward", "loss", ("learning_rate", 0.02), ("drop_last", True),
              ("fused", False)])
    return tr


def write_example(path=EXAMPLE_V2, recipe=_example_recipe_v2):  # run by hand when a format is made
    sn.save(recipe(), path)


def test_the_stored_version_1_session_loads_and_continues():
    loaded = sn.load(EXAMPLE)
    assert (loaded.global_iteration, loaded.next_phase) == (3, "backward")
    assert loaded.pending == {"learning_rate": 0.02}
    assert loaded.kernel_regularizer == sn.regularizers.L1L2(0.01, 0.01)
    assert loaded.n_samples == 9 and len(loaded.X_val) == 4
    assert (loaded.shuffle, loaded.drop_last, loaded.fused) == (True, False, True)  # its options
    # the file holds numbers of an earlier sigmoid formula (1 / (1 + e^-z) rounds differently
    # from the e^-|z| form by the last bit): today's run of its recipe agrees to that bit
    fresh = _example_recipe()
    _same(observed(fresh), observed(loaded), close=True)
    for _ in range(6):
        fresh.step(), loaded.step()
    _same(observed(fresh), observed(loaded), close=True)


def test_the_stored_version_2_session_loads_and_continues_bit_for_bit(tmp_path):
    loaded = sn.load(EXAMPLE_V2)
    assert (loaded.global_iteration, loaded.next_phase) == (3, "backward")
    assert loaded.pending == {"learning_rate": 0.02, "drop_last": True, "fused": False}
    assert (loaded.shuffle, loaded.drop_last, loaded.fused) == (False, False, True)
    # the file was written on another machine, whose numpy may round exp and tanh differently in
    # the last bit (its processor's vector instructions): today's run of its recipe agrees to
    # that bit; what this machine does with the loaded numbers is exact
    fresh = _example_recipe_v2()
    _same(observed(fresh), observed(loaded), close=True)
    sn.save(loaded, tmp_path / "again.stepnn")
    again = sn.load(tmp_path / "again.stepnn")
    _same(observed(loaded), observed(again))
    for _ in range(6):
        fresh.step(), loaded.step(), again.step()
    _same(observed(fresh), observed(loaded), close=True)
    _same(observed(loaded), observed(again))
    assert (loaded.shuffle, loaded.drop_last, loaded.fused) == (False, True, False)
    loaded.reset()  # back to the first settings, as the file's initial ones say
    assert (loaded.shuffle, loaded.drop_last, loaded.fused) == (True, False, True)


def test_plain_sgd_keeps_only_its_step_count_and_loads(tmp_path):
    # SGD without momentum has no moments: its state is {"t": k} alone
    X, y = sn.datasets.xor(n=40)
    model = sn.Sequential([sn.Dense(2, 3, activation="tanh"), sn.Dense(3, 1, activation="sigmoid")], seed=1)
    trainer = sn.Trainer(model, X, y, loss="binary_crossentropy", optimizer="sgd", learning_rate=0.5,
                         batch_size=8)
    trainer.step()
    assert trainer.optimizer_state == {"t": 1}
    sn.save(trainer, tmp_path / "sgd.stepnn")
    loaded = sn.load(tmp_path / "sgd.stepnn")
    assert loaded.optimizer_state == {"t": 1}
    for _ in range(3):
        trainer.step()
        loaded.step()
    np.testing.assert_array_equal(loaded.model.get_flat(), trainer.model.get_flat())
