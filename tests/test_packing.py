"""The parts of a saved session: packed to JSON and arrays, through a session file, and back,
continuing bit for bit; wrong fields in a file give a SessionFileError."""
import copy

import numpy as np
import pytest

import stepnn as sn
from core.helpers import set_field
from stepnn import packing
from stepnn.activations import Activation
from stepnn.saving import SessionFileError, read_archive, write_archive


def _through_file(tmp_path, meta, arrays):
    path = tmp_path / "part.stepnn"
    write_archive(path, meta, arrays)
    return read_archive(path)


def _model():
    W = np.array([[0.5, -1.0, 2.0]])
    return sn.Sequential([sn.Dense(2, 4, "tanh", kernel_initializer="he_normal",
                                   kernel_regularizer="l1_l2", name="hidden"),
                          sn.Dense(4, 1, "relu", kernel_regularizer=sn.regularizers.L2(0.3)),
                          sn.Dense(1, 3, "softmax", weights=(W, np.array([0.1, 0.2, 0.3])))],
                         seed=7)


def test_model_round_trip(tmp_path):
    model = _model()
    model.set_flat(model.get_flat() * 1.37 + 1e-17)  # weights no initializer would give
    meta, arrays = _through_file(tmp_path, *packing.pack_model(model))
    back = packing.unpack_model(meta, arrays)
    assert repr(back) == repr(model) and back.seed == 7
    for a, b in zip(back.get_weights(), model.get_weights()):
        assert a.tobytes() == b.tobytes()
    for mine, theirs in zip(back.layers, model.layers):
        assert mine.activation is theirs.activation and mine.initializer is theirs.initializer
        assert mine.kernel_regularizer == theirs.kernel_regularizer and mine.name == theirs.name
    X = np.random.default_rng(0).normal(size=(5, 2))
    assert back.predict(X).tobytes() == model.predict(X).tobytes()


def test_model_reinitialises_as_the_original(tmp_path):
    model = _model()
    back = packing.unpack_model(*_through_file(tmp_path, *packing.pack_model(model)))
    rng_a, rng_b = np.random.default_rng(3), np.random.default_rng(3)
    for mine, theirs in zip(back.layers, model.layers):
        mine.initialize(rng_a)
        theirs.initialize(rng_b)
        assert mine.W.tobytes() == theirs.W.tobytes()  # also the layer with explicit weights


def test_a_custom_activation_cannot_be_saved():
    odd = Activation("cube", lambda z: z ** 3, lambda z, a, g: 3 * z * z * g, "a = z^3")
    with pytest.raises(TypeError, match="a custom activation .* cannot be saved"):
        packing.pack_model(sn.Sequential([sn.Dense(2, 1, odd)]))


OPTIMIZERS = [sn.SGD(0.1, momentum=0.9, nesterov=True), sn.RMSprop(0.01, centered=True, momentum=0.5),
              sn.Adagrad(0.2, lr_decay=0.01, initial_accumulator_value=0.1),
              sn.Adam(0.003, amsgrad=True, weight_decay=0.01)]


@pytest.mark.parametrize("opt", OPTIMIZERS, ids=lambda o: o.name)
def test_optimizer_and_state_continue_bit_for_bit(tmp_path, opt):
    rng = np.random.default_rng(1)
    params = [rng.normal(size=(2, 3)), rng.normal(size=3)]
    state = {}
    for _ in range(3):
        params, state = opt.step(params, [rng.normal(size=(2, 3)), rng.normal(size=3)], state)
    meta, arrays = packing.pack_optimizer_state(state)
    meta = {"optimizer": packing.pack_optimizer(opt), "state": meta}
    meta, arrays = _through_file(tmp_path, meta, arrays)
    opt2 = packing.unpack_optimizer(meta["optimizer"])
    state2 = packing.unpack_optimizer_state(meta["state"], arrays)
    assert repr(opt2) == repr(opt) and state2.keys() == state.keys() and state2["t"] == 3
    grads = [rng.normal(size=(2, 3)), rng.normal(size=3)]
    (a, sa), (b, sb) = opt.step(params, grads, state), opt2.step(params, grads, state2)
    assert all(x.tobytes() == y.tobytes() for x, y in zip(a, b))
    assert sa["t"] == sb["t"] == 4


def test_the_empty_optimizer_state():
    assert packing.pack_optimizer_state({}) == ({}, {})
    assert packing.unpack_optimizer_state({}, {}) == {}


def test_loss_round_trip():
    for loss in (sn.losses.get("bce", from_logits=True), sn.losses.get("mse")):
        back = packing.unpack_loss(packing.pack_loss(loss))
        assert (back.name, back.from_logits) == (loss.name, loss.from_logits)


def test_rng_continues_the_same_stream(tmp_path):
    rng = np.random.default_rng(42)
    rng.permutation(10)
    rng.random()  # a float draw
    rng.integers(0, 5, size=3, dtype=np.int32)  # leaves a 32-bit half in the state
    meta, _ = _through_file(tmp_path, {"rng": packing.pack_rng(rng)}, {})
    back = packing.unpack_rng(meta["rng"])
    assert back.permutation(50).tolist() == rng.permutation(50).tolist()
    assert back.integers(0, 9, size=7, dtype=np.int32).tolist() == rng.integers(0, 9, size=7, dtype=np.int32).tolist()
    assert back.random() == rng.random()


def test_another_generator_cannot_be_saved():
    with pytest.raises(TypeError, match="only numpy's default PCG64"):
        packing.pack_rng(np.random.Generator(np.random.MT19937(0)))


# --- wrong fields in a file ---------------------------------------------------------------------

def _model_parts():
    return packing.pack_model(_model())


def _edit(meta, path, value):
    meta = copy.deepcopy(meta)
    set_field(meta, path, value)
    return meta


@pytest.mark.parametrize("path, value, words", [
    (("seed",), "7", "model: 'seed' must be int; found str"),
    (("layers",), {}, "model: 'layers' must be list; found dict"),
    (("layers",), [], "the model has no layers"),
    (("layers", 0), 3, "model layer 1 must be an object"),
    (("layers", 0, "n_in"), 2.0, "model layer 1: 'n_in' must be int; found float"),
    (("layers", 0, "activation"), "swish", "Could not interpret activation identifier: 'swish'"),
    (("layers", 1, "kernel_regularizer"), "l2", "'kernel_regularizer' must be dict or NoneType"),
    (("layers", 1, "kernel_regularizer"), {"class_name": "L2", "config": {"l2": -1}}, "L2 l2 must be"),
    (("layers", 0, "explicit_weights"), KeyError, "'explicit_weights' must be bool; found nothing"),
    (("layers", 0, "n_out"), 5, "the array 'model/W1' has shape (2, 4); expected (2, 5)"),
    (("layers", 0, "n_in"), 0, "Dense n_in must be at least 1; received 0"),
])
def test_bad_model_fields(path, value, words):
    meta, arrays = _model_parts()
    with pytest.raises(SessionFileError) as info:
        packing.unpack_model(_edit(meta, path, value), arrays)
    assert words in str(info.value)


def test_missing_or_bad_weights():
    meta, arrays = _model_parts()
    with pytest.raises(SessionFileError, match="the array 'model/b2' is missing"):
        packing.unpack_model(meta, {k: v for k, v in arrays.items() if k != "model/b2"})
    with pytest.raises(SessionFileError, match="NaN or inf"):
        packing.unpack_model(meta, {**arrays, "model/W2": np.full((4, 1), np.nan)})


@pytest.mark.parametrize("meta, words", [
    ({"name": "adamw", "hyperparameters": {}}, "Could not interpret optimizer identifier"),
    ({"name": "adam", "hyperparameters": {"beta_3": 0.9}}, "unexpected keyword argument 'beta_3'"),
    ({"name": "adam", "hyperparameters": {"learning_rate": -1}}, "learning_rate must be a positive"),
    ({"name": "adam"}, "'hyperparameters' must be dict; found nothing"),
])
def test_bad_optimizer_fields(meta, words):
    with pytest.raises(SessionFileError) as info:
        packing.unpack_optimizer(meta)
    assert words in str(info.value)


def test_bad_optimizer_state_fields():
    with pytest.raises(SessionFileError, match="'t' must be int; found str"):
        packing.unpack_optimizer_state({"t": "1"}, {})
    with pytest.raises(SessionFileError, match="'m' must be int; found list"):
        packing.unpack_optimizer_state({"t": 1, "lists": {"m": [2]}}, {})
    with pytest.raises(SessionFileError, match="the array 'optimizer_state/m/1' is missing"):
        packing.unpack_optimizer_state({"t": 1, "lists": {"m": 2}}, {"optimizer_state/m/0": np.ones(2)})


@pytest.mark.parametrize("edit, words", [
    ({"bit_generator": "MT19937"}, "unknown bit generator 'MT19937'"),
    ({"state": {"state": 5, "inc": "1"}}, "'state' must be str; found int"),
    ({"state": {"state": "x", "inc": "1"}}, "random generator cannot be rebuilt"),
    ({"state": {"state": "-1", "inc": "1"}}, "random generator cannot be rebuilt"),
    ({"has_uint32": "0"}, "'has_uint32' must be int"),
])
def test_bad_rng_fields(edit, words):
    meta = {**packing.pack_rng(np.random.default_rng(0)), **edit}
    with pytest.raises(SessionFileError) as info:
        packing.unpack_rng(meta)
    assert words in str(info.value)


def test_bad_loss_fields():
    with pytest.raises(SessionFileError, match="Could not interpret loss identifier"):
        packing.unpack_loss({"name": "hinge", "from_logits": False})
    with pytest.raises(SessionFileError, match="'from_logits' must be bool; found int"):
        packing.unpack_loss({"name": "mse", "from_logits": 0})
