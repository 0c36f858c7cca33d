"""The parts of a saved session as plain JSON plus arrays, and back: the model, the optimizer with
its state, the loss and the random generator.

Each ``pack_*`` gives ``(meta, arrays)`` (or only ``meta``): ``meta`` is plain JSON, ``arrays``
maps names under ``prefix`` to numpy arrays, ready for ``saving.write_archive``. Each
``unpack_*`` rebuilds the object from what ``saving.read_archive`` returned, checking every field
it reads: a wrong type, a missing array or a wrong shape is a ``SessionFileError``. Rebuilt
objects continue bit for bit: the same weights, moments, step count and random stream.
"""
from __future__ import annotations

import numpy as np

from . import activations, initializers, losses, optimizers, regularizers
from .layers import Dense
from .model import Sequential
from .saving import SessionFileError, expect as _expect
from .terms import phrase

__all__ = ["file_error", "part", "rebuild", "stored_array", "expect",
           "pack_model", "unpack_model", "pack_optimizer", "unpack_optimizer",
           "pack_optimizer_state", "unpack_optimizer_state", "pack_loss", "unpack_loss",
           "pack_rng", "unpack_rng"]


def file_error(message: str) -> SessionFileError:
    """A SessionFileError about the session file's ``session.json`` part, saying ``message``."""
    return SessionFileError(f"session.json: {message}")


def part(name: str, **values) -> str:
    """The words naming a part of a session file (``errors.session_part.{name}``) in the language
    chosen by ``set_language``, e.g. ``part("model_layer", i=2)`` is "model layer 2"."""
    return phrase(f"errors.session_part.{name}", **values)


def expect(table: dict, key: str, kind, where: str):
    """``table[key]`` if it is of ``kind``, else a SessionFileError naming the field."""
    return _expect(table, key, kind, where=where, error=file_error)


def rebuild(what: str, make, *args, **kwargs):
    """``make(*args, **kwargs)``, with a bad value from the file reported as a SessionFileError."""
    try:
        return make(*args, **kwargs)
    except (TypeError, ValueError, OverflowError) as exc:
        raise file_error(phrase("errors.session_rebuild", what=what, exc=exc)) from None


def stored_array(arrays: dict, name: str, shape: "tuple | None" = None) -> np.ndarray:
    """The array ``arrays[name]`` read from a session file, of ``shape`` when given; else a
    SessionFileError saying that it is missing or of the wrong shape."""
    arr = arrays.get(name)
    if not isinstance(arr, np.ndarray):
        raise file_error(phrase("errors.session_array_missing", name=name))
    if shape is not None and arr.shape != tuple(shape):
        raise file_error(phrase("errors.session_array_shape", name=name, shape=arr.shape,
                                expected=tuple(shape)))
    return arr


def _table_name(kind: str, table, value) -> str:
    """The name under which ``table.get`` gives back ``value`` itself (a custom one cannot be saved)."""
    for name in table.NAMES:
        if table.get(name) is value:
            return name
    raise TypeError(phrase("errors.save_custom", kind=phrase(f"errors.kind.{kind}"), value=value,
                           names=", ".join(table.NAMES)))


# --- the model --------------------------------------------------------------------------------

def pack_model(model: Sequential, prefix: str = "model") -> tuple[dict, dict]:
    """The architecture as meta; the weights as arrays ``{prefix}/W1``, ``{prefix}/b1``, ..."""
    layers = [{"n_in": layer.n_in, "n_out": layer.n_out,
               "activation": _table_name("activation", activations, layer.activation),
               "kernel_initializer": _table_name("initializer", initializers, layer.initializer),
               "kernel_regularizer": regularizers.serialize(layer.kernel_regularizer),
               "name": layer.name, "explicit_weights": layer.explicit_weights}
              for layer in model.layers]
    arrays = {f"{prefix}/{name}": w for name, w in zip(model.param_names, model.get_weights())}
    return {"seed": int(model.seed), "layers": layers}, arrays


def unpack_model(meta: dict, arrays: dict, prefix: str = "model") -> Sequential:
    """The Sequential that ``pack_model`` described, with its weights."""
    seed = expect(meta, "seed", int, where=part("model"))
    specs = expect(meta, "layers", list, where=part("model"))
    if not specs:
        raise file_error(phrase("errors.session_no_layers"))
    layers = []
    for i, spec in enumerate(specs, 1):
        where = part("model_layer", i=i)
        if not isinstance(spec, dict):
            raise file_error(phrase("errors.session_object_found", where=where, type=type(spec).__name__))
        n_in, n_out = expect(spec, "n_in", int, where), expect(spec, "n_out", int, where)
        W = stored_array(arrays, f"{prefix}/W{i}", (n_in, n_out) if n_in > 0 else None)
        b = stored_array(arrays, f"{prefix}/b{i}", (n_out,) if n_out > 0 else None)
        explicit = expect(spec, "explicit_weights", bool, where)
        layer = rebuild(where, Dense, n_in, n_out, activation=expect(spec, "activation", str, where),
                         kernel_initializer=expect(spec, "kernel_initializer", str, where),
                         kernel_regularizer=expect(spec, "kernel_regularizer", (dict, type(None)), where),
                         name=expect(spec, "name", (str, type(None)), where),
                         weights=(W, b) if explicit else None)
        layers.append((layer, W, b))
    model = rebuild(part("model"), Sequential, [layer for layer, _, _ in layers], seed=seed)
    rebuild(part("model_weights"), model.set_weights, [w for _, W, b in layers for w in (W, b)])
    return model


# --- the optimizer, its state, the loss -------------------------------------------------------

def pack_optimizer(optimizer: optimizers.Optimizer) -> dict:
    """``{"name": "adam", "hyperparameters": {"learning_rate": ..., ...}}``."""
    return {"name": optimizer.name, "hyperparameters": optimizer.hyperparameters()}


def unpack_optimizer(meta: dict) -> optimizers.Optimizer:
    where = phrase("errors.kind.optimizer")
    name = expect(meta, "name", str, where=where)
    hyper = expect(meta, "hyperparameters", dict, where=where)
    return rebuild(where, optimizers.get, name, **hyper)


def pack_optimizer_state(state: dict, prefix: str = "optimizer_state") -> tuple[dict, dict]:
    """An optimizer's state ``{"t": 3, "m": [arrays], ...}``: t in meta, each list of arrays as
    ``{prefix}/{key}/{i}``. The empty state ``{}`` (before the first step) packs to ``{}``."""
    meta, arrays = {}, {}
    for key, value in state.items():
        if key == "t":
            meta["t"] = int(value)
        else:
            meta.setdefault("lists", {})[key] = len(value)
            arrays.update({f"{prefix}/{key}/{i}": np.asarray(a) for i, a in enumerate(value)})
    return meta, arrays


def unpack_optimizer_state(meta: dict, arrays: dict, prefix: str = "optimizer_state") -> dict:
    if not meta:
        return {}
    state = {"t": expect(meta, "t", int, where=part("optimizer_state"))}
    # plain SGD keeps only its step count t: no lists of arrays
    lists = expect(meta, "lists", dict, where=part("optimizer_state")) if "lists" in meta else {}
    for key in lists:
        n = expect(lists, key, int, where=part("optimizer_state_lists"))
        state[key] = [stored_array(arrays, f"{prefix}/{key}/{i}") for i in range(n)]
    return state


def pack_loss(loss: losses.Loss) -> dict:
    return {"name": loss.name, "from_logits": loss.from_logits}


def unpack_loss(meta: dict) -> losses.Loss:
    where = phrase("errors.kind.loss")
    return rebuild(where, losses.get, expect(meta, "name", str, where=where),
                    from_logits=expect(meta, "from_logits", bool, where=where))


# --- the random generator ---------------------------------------------------------------------

def pack_rng(rng: np.random.Generator) -> dict:
    """The generator's exact state; its 128-bit integers as decimal strings (JSON readers other
    than Python's lose digits of large numbers)."""
    state = rng.bit_generator.state
    if state.get("bit_generator") != "PCG64":
        raise TypeError(phrase("errors.session_rng_kind", name=state.get("bit_generator")))
    return {"bit_generator": "PCG64", "state": {k: str(v) for k, v in state["state"].items()},
            "has_uint32": int(state["has_uint32"]), "uinteger": int(state["uinteger"])}


def unpack_rng(meta: dict) -> np.random.Generator:
    """A generator that draws exactly what the saved one would have drawn next."""
    if expect(meta, "bit_generator", str, where=part("rng")) != "PCG64":
        raise file_error(phrase("errors.session_bit_generator", name=meta["bit_generator"]))
    numbers = expect(meta, "state", dict, where=part("rng"))
    texts = {k: expect(numbers, k, str, where=part("rng_state")) for k in ("state", "inc")}
    inner = rebuild(part("random_generator"), lambda: {k: int(v) for k, v in texts.items()})
    rng = np.random.default_rng()
    rebuild(part("random_generator"), setattr, rng.bit_generator, "state",
             {"bit_generator": "PCG64", "state": inner,
              "has_uint32": expect(meta, "has_uint32", int, where=part("rng")),
              "uinteger": expect(meta, "uinteger", int, where=part("rng"))})
    return rng
