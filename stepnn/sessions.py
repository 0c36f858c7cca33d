"""Saved sessions: ``save(trainer, path)`` writes a training run to one file, ``load(path)`` gives
back a Trainer that continues exactly as the original would have, bit for bit.

The file is the archive of ``stepnn.saving`` (a zip of ``session.json`` and ``.npy`` arrays, no
pickle). It holds the model with its weights, the data (training and validation), the settings in
force and those waiting for the next forward(), the optimizer's state, the shuffling generator
and this epoch's order of the samples, the phase with the records of the current iteration, the
history (its numbers, epochs, events and the bounded descent path), and what ``reset()`` goes
back to (the first weights and settings).

The timeline starts afresh at the saved moment: after ``load``, ``undo()`` steps back as far as
the loaded moment and no further, and ``goto(k)`` reaches the iterations from the loaded one on
(earlier ones are refused with a message saying so).

Loading trusts nothing: every field is checked (types, shapes, sizes that must agree, known
optimizer, loss, activation and regularizer names) and anything wrong raises a
``SessionFileError`` saying what; nothing in the file is executed.
"""
from __future__ import annotations

import dataclasses
import os
from numbers import Integral

import numpy as np

from . import losses, optimizers, regularizers
from ._checks import positive_float
from .history import COLUMNS as HISTORY_COLUMNS, EpochEntry, Event, History
from .model import Sequential
from .packing import (expect, file_error, pack_loss, part, pack_model, pack_optimizer,
                      pack_optimizer_state, rebuild, stored_array, pack_rng, unpack_loss, unpack_model, unpack_optimizer,
                      unpack_optimizer_state, unpack_rng)
from .records import BackwardRecord, ForwardRecord, LossRecord, UpdateRecord
from .saving import SessionFileError, read_archive, write_archive
from .terms import phrase
from .trainer import FLAGS, PHASES, LoopState, Trainer, TrainingData, make_data

__all__ = ["save", "load", "SESSION_VERSION", "SessionFileError"]

SESSION_VERSION = 2
"""The version of the session's content (``meta["session_version"]``); a later stepnn reads every
earlier version. Version 2 adds shuffle, drop_last and fused to the settings (initial, in force,
waiting): they became settings a run can change; a version-1 file has them as the trainer's
options only."""

_KIND = "stepnn.trainer"


# --- saving -----------------------------------------------------------------------------------

def save(trainer: Trainer, path: "str | os.PathLike") -> None:
    """Write ``trainer`` (where it stands, mid-iteration or not) to the session file ``path``.

    The file appears whole or not at all. A custom loss, optimizer or activation (one not known
    by name) cannot be saved: a TypeError says which.
    """
    if not isinstance(trainer, Trainer):
        raise TypeError(phrase("errors.save_trainer", type=type(trainer).__name__))
    s = trainer.state
    arrays: dict = {}
    datasets: list = []  # each distinct TrainingData once

    def data_index(data: TrainingData) -> int:
        for i, d in enumerate(datasets):
            if d is data:
                return i
        datasets.append(data)
        return len(datasets) - 1

    def settings(values: dict) -> dict:
        out = {}
        if "loss_fn" in values or "loss" in values:
            loss = values.get("loss_fn", values.get("loss"))
            if loss.name not in losses.NAMES:
                raise TypeError(phrase("errors.save_custom", kind=phrase("errors.kind.loss"),
                                       value=loss.name, names=", ".join(losses.NAMES)))
            out["loss"] = pack_loss(loss)
        if "optimizer" in values:
            out["optimizer"] = pack_optimizer(values["optimizer"])
        if "learning_rate" in values:
            out["learning_rate"] = float(values["learning_rate"])
        if "batch_size" in values:
            out["batch_size"] = int(values["batch_size"])
        if "regularizers" in values:
            out["regularizers"] = [regularizers.serialize(r) for r in values["regularizers"]]
        if "data" in values:
            out["data"] = data_index(values["data"])
        out.update({flag: bool(values[flag]) for flag in FLAGS if flag in values})
        return out

    model_meta, model_arrays = pack_model(trainer.model)
    arrays.update(model_arrays)
    arrays.update({f"initial/{i}": w for i, w in enumerate(trainer.initial_weights)})
    opt_meta, opt_arrays = pack_optimizer_state(s.opt_state)
    arrays.update(opt_arrays)
    rng = np.random.default_rng()
    rng.bit_generator.state = s.rng_state
    state = {
        "settings": settings(dict(loss_fn=s.loss_fn, optimizer=s.optimizer, batch_size=s.batch_size,
                                  regularizers=s.regularizers, data=s.data,
                                  **{flag: getattr(s, flag) for flag in FLAGS})),
        "pending": settings(s.pending),
        "phase": s.phase, "epoch": s.epoch, "iteration": s.iteration,
        "global_iteration": s.global_iteration, "samples_seen": s.samples_seen,
        "cursor": s.cursor, "epoch_count": s.epoch_count, "n_events": s.n_events,
        "optimizer_state": opt_meta, "rng": pack_rng(rng), "has_order": s.order is not None,
    }
    arrays["state/epoch_loss_sum"] = np.array(s.epoch_loss_sum)
    if s.order is not None:
        arrays["state/order"] = s.order
    initial = settings(trainer.initial_settings)
    records = _pack_records(s, arrays)
    history = _pack_history(trainer.history, arrays)
    for i, data in enumerate(datasets):
        arrays[f"data/{i}/X"], arrays[f"data/{i}/y"] = data.X, data.y
        if data.X_val is not None:
            arrays[f"data/{i}/X_val"], arrays[f"data/{i}/y_val"] = data.X_val, data.y_val
    meta = {
        "kind": _KIND, "session_version": SESSION_VERSION, "model": model_meta,
        "trainer": {"shuffle": trainer.shuffle, "seed": trainer.seed, "drop_last": trainer.drop_last,
                    "fused": trainer.fused, "max_undo": trainer.max_undo},
        "data": [{"validation_split": d.validation_split, "validation": d.X_val is not None}
                 for d in datasets],
        "initial": initial, "state": state, "records": records, "history": history,
    }
    write_archive(path, meta, arrays)


def _pack_list(arrays: dict, prefix: str, items: list) -> int:
    for i, a in enumerate(items):
        arrays[f"{prefix}/{i}"] = np.asarray(a)
    return len(items)


def _pack_records(s: LoopState, arrays: dict) -> dict:
    out = {}
    f = s.forward
    if f is not None:
        arrays["records/forward/x"] = f.x
        arrays["records/forward/indices"] = f.indices
        out["forward"] = {"layers": _pack_list(arrays, "records/forward/z", f.z)}
        _pack_list(arrays, "records/forward/a", f.a)
    lo = s.loss
    if lo is not None:
        arrays["records/loss/numbers"] = np.array([lo.value, lo.data_loss, lo.penalty])
        arrays["records/loss/per_sample"] = lo.per_sample
        arrays["records/loss/y_true"] = lo.y_true
        out["loss"] = {"name": lo.name}
    b = s.backward
    if b is not None:
        n = len(b.dW)
        for key, items in (("dz", b.dz), ("da", b.da), ("dW", b.dW), ("db", b.db)):
            _pack_list(arrays, f"records/backward/{key}", items)
        penalty = [] if b.penalty_dW is None else [i for i, g in enumerate(b.penalty_dW) if g is not None]
        for i in penalty:
            arrays[f"records/backward/penalty_dW/{i}"] = b.penalty_dW[i]
        arrays["records/backward/grad_norm"] = np.array(b.grad_norm)
        out["backward"] = {"layers": n, "fused": b.fused, "penalty": b.penalty_dW is not None,
                           "penalty_layers": penalty}
    u = s.update
    if u is not None:
        _pack_list(arrays, "records/update/old", u.old)
        _pack_list(arrays, "records/update/new", u.new)
        out["update"] = {"learning_rate": float(u.learning_rate), "optimizer": u.optimizer,
                         "n": len(u.old)}
    return out


def _pack_value(value, arrays: dict, name: str):
    """An event's old or new value as JSON (arrays go in ``arrays`` under ``name``)."""
    if value is None or isinstance(value, (bool, str)):
        return {"t": "plain", "v": value}
    if isinstance(value, Integral):
        return {"t": "plain", "v": int(value)}
    if isinstance(value, float):
        arrays[name] = np.array(value)  # may be inf or NaN: not JSON
        return {"t": "float"}
    if isinstance(value, np.ndarray):
        arrays[name] = value
        return {"t": "array"}
    if isinstance(value, optimizers.Optimizer):
        return {"t": "optimizer", "v": pack_optimizer(value)}
    if isinstance(value, tuple) and all(r is None or isinstance(r, regularizers.Regularizer)
                                        for r in value):
        return {"t": "regularizers", "v": [regularizers.serialize(r) for r in value]}
    raise TypeError(phrase("errors.session_event_value", value=value))


def _pack_history(history: History, arrays: dict) -> dict:
    parts = history.parts()
    arrays["history/numbers"] = parts["numbers"]
    arrays["history/samples"] = parts["samples"]
    arrays["history/path"] = parts["path"]
    arrays["history/path_at"] = parts["path_at"]
    epochs = parts["epochs"]
    arrays["history/epochs"] = np.array([[e.loss, np.nan if e.val_loss is None else e.val_loss,
                                          np.nan if e.val_accuracy is None else e.val_accuracy]
                                         for e in epochs]).reshape(len(epochs), 3)
    events = [{"global_iteration": e.global_iteration, "what": e.what,
               "old": _pack_value(e.old, arrays, f"history/events/{i}/old"),
               "new": _pack_value(e.new, arrays, f"history/events/{i}/new")}
              for i, e in enumerate(parts["events"])]
    return {"stride": parts["stride"], "epoch_numbers": [e.epoch for e in epochs],
            "has_val_loss": [e.val_loss is not None for e in epochs],
            "has_val_accuracy": [e.val_accuracy is not None for e in epochs], "events": events}


# --- loading ----------------------------------------------------------------------------------

def load(path: "str | os.PathLike") -> Trainer:
    """The Trainer saved in ``path``, standing where it stood: the next phase, step or fit goes on
    exactly as the saved trainer's would have. Its timeline starts at the loaded moment (undo goes
    back to it, not before; goto reaches the iterations from it on).

    Raises:
        SessionFileNotFoundError: no file at ``path`` (also a FileNotFoundError).
        SessionFileError: a broken, hostile or inconsistent file, or one from a newer stepnn;
            the message says what is wrong. Nothing in the file is executed.
    """
    meta, arrays = read_archive(path)
    if meta.get("kind") != _KIND:
        raise file_error(phrase("errors.session_kind", kind=meta.get("kind"), expected=_KIND))
    version = expect(meta, "session_version", int, where=part("meta"))
    if not 1 <= version <= SESSION_VERSION:
        raise file_error(phrase("errors.session_version", version=version, supported=SESSION_VERSION))
    model = unpack_model(expect(meta, "model", dict, part("meta")), arrays)
    n_in, n_out = model.sizes[0], model.sizes[-1]
    datasets = _unpack_datasets(expect(meta, "data", list, part("meta")), arrays, n_in)
    options = expect(meta, "trainer", dict, part("meta"))
    flags = {k: expect(options, k, bool, part("trainer")) for k in FLAGS}  # a version-1 file's only record
    seed = expect(options, "seed", int, part("trainer"))
    max_undo = expect(options, "max_undo", (int, type(None)), part("trainer"))

    def settings(table: dict, where: str, complete: bool) -> dict:
        out = {}
        for key, kind in (("loss", dict), ("optimizer", dict), ("learning_rate", (int, float)),
                          ("batch_size", int), ("regularizers", list), ("data", int),
                          *((flag, bool) for flag in FLAGS)):
            if key not in table:
                if complete and key not in ("learning_rate",) + FLAGS:  # flags: the options' values
                    raise file_error(phrase("errors.session_setting_missing", where=where, field=key))
                continue
            value = expect(table, key, kind, where)
            if key == "loss":
                value = unpack_loss(value)
            elif key == "optimizer":
                value = unpack_optimizer(value)
            elif key == "learning_rate":
                value = rebuild(part("learning_rate", where=where), positive_float, "learning_rate", value)
            elif key == "regularizers":
                if len(value) != len(model.layers):
                    raise file_error(phrase("errors.session_regularizers_count", where=where, n=len(value),
                                            layers=len(model.layers)))
                value = tuple(rebuild(part("regularizer", where=where), regularizers.get, r) for r in value)
            elif key == "data":
                if not 0 <= value < len(datasets):
                    raise file_error(phrase("errors.session_data_index", where=where, index=value,
                                            n=len(datasets)))
                value = datasets[value]
            out[key] = value
        unknown = set(table) - {"loss", "optimizer", "learning_rate", "batch_size", "regularizers", "data",
                                *FLAGS}
        if unknown:
            raise file_error(phrase("errors.session_unknown_settings", where=where, unknown=sorted(unknown)))
        if "batch_size" in out and not (out["batch_size"] >= 1 and (
                not complete or out["batch_size"] <= out["data"].n)):
            raise file_error(phrase("errors.session_batch_size", where=where, batch_size=out["batch_size"]))
        return out

    initial = settings(expect(meta, "initial", dict, part("meta")), part("initial_settings"), True)
    st = expect(meta, "state", dict, part("meta"))
    now = settings(expect(st, "settings", dict, part("state")), part("settings_in_force"), True)
    pending = settings(expect(st, "pending", dict, part("state")), part("waiting_settings"), False)
    initial_weights = [stored_array(arrays, f"initial/{i}", shape)
                       for i, shape in enumerate(model.param_shapes)]
    weights = model.get_weights()

    # the trainer at its start, then moved to the saved moment
    for layer, reg in zip(model.layers, initial["regularizers"]):
        layer.kernel_regularizer = reg
    model.set_weights(initial_weights)
    data0 = initial["data"]
    trainer = rebuild(part("trainer_object"), Trainer, model, data0.X, data0.y, loss=initial["loss"],
                       optimizer=initial["optimizer"], batch_size=initial["batch_size"],
                       seed=seed, max_undo=max_undo,
                       validation_data=None if data0.X_val is None else (data0.X_val, data0.y_val),
                       **{flag: initial.get(flag, value) for flag, value in flags.items()})
    nxt_data, nxt_loss = pending.get("data", now["data"]), pending.get("loss", now["loss"])
    for where, data, loss in (("loss_in_force", now["data"], now["loss"]), ("loss_waiting", nxt_data, nxt_loss)):
        rebuild(part(where), data.labels_for, loss, n_out)
        rebuild(part(where), trainer.check_fit, loss, data)
    if "batch_size" in pending and pending["batch_size"] > nxt_data.n:
        raise file_error(phrase("errors.session_batch_size_samples", where=part("waiting_settings"),
                                batch_size=pending["batch_size"], n=nxt_data.n))
    y, y_val = now["data"].labels_for(now["loss"], n_out)
    state = LoopState(loss_fn=now["loss"], y=y, y_val=y_val, optimizer=now["optimizer"],
                      batch_size=now["batch_size"], regularizers=now["regularizers"],
                      data=now["data"], rng_state=unpack_rng(expect(st, "rng", dict, part("state"))).bit_generator.state,
                      weights=weights, pending=pending,
                      **{flag: now.get(flag, value) for flag, value in flags.items()})
    ints = {k: expect(st, k, int, part("state")) for k in ("phase", "epoch", "iteration", "global_iteration",
                                                    "samples_seen", "cursor", "epoch_count", "n_events")}
    if any(v < 0 for v in ints.values()) or ints["phase"] > 3:
        raise file_error(phrase("errors.session_counters", counters=ints))
    for k, v in ints.items():
        setattr(state, k, v)
    state.epoch_loss_sum = float(stored_array(arrays, "state/epoch_loss_sum", ()))
    if expect(st, "has_order", bool, part("state")):
        order = stored_array(arrays, "state/order", (state.data.n,))
        if order.dtype.kind not in "iu" or not np.array_equal(np.sort(order), np.arange(state.data.n)):
            raise file_error(phrase("errors.session_order"))
        state.order = order.astype(np.int64)
    if state.cursor > state.data.n or (state.order is None and state.cursor):
        raise file_error(phrase("errors.session_cursor", cursor=state.cursor, n=state.data.n))
    state.opt_state = unpack_optimizer_state(expect(st, "optimizer_state", dict, part("state")), arrays)
    _check_opt_state(state.opt_state, model)
    _unpack_records(expect(meta, "records", dict, part("meta")), arrays, state, model)
    history = _unpack_history(expect(meta, "history", dict, part("meta")), arrays, model, initial_weights)
    numbers = stored_array(arrays, "history/numbers")  # checked by History.from_parts
    first, size = HISTORY_COLUMNS.index("first_sample"), HISTORY_COLUMNS.index("n_samples")
    samples = int(numbers[-1, first] + numbers[-1, size]) if len(numbers) else 0
    if len(history) != state.global_iteration or len(history.epochs) != state.epoch \
            or len(history.events) != state.n_events or samples != state.samples_seen:
        raise file_error(phrase("errors.session_history_state", n=len(history), epochs=len(history.epochs),
                                events=len(history.events), samples=samples,
                                global_iteration=state.global_iteration, epoch=state.epoch,
                                n_events=state.n_events, samples_seen=state.samples_seen))
    if state.order is not None:  # this epoch's batches so far were taken from its order
        start = state.samples_seen - state.cursor
        taken = stored_array(arrays, "history/samples")[max(start, 0):state.samples_seen]
        if start < 0 or not np.array_equal(taken, state.order[:state.cursor]):
            raise file_error(phrase("errors.session_epoch_order", cursor=state.cursor))
    trainer.resume(state, history, data0)
    return trainer


def _unpack_datasets(specs: list, arrays: dict, n_in: int) -> list:
    if not specs:
        raise file_error(phrase("errors.session_no_data"))
    out = []
    for i, spec in enumerate(specs):
        where = part("data_set", i=i)
        if not isinstance(spec, dict):
            raise file_error(phrase("errors.session_not_object", where=where))
        split = expect(spec, "validation_split", (int, float), where)
        val = None
        if expect(spec, "validation", bool, where):
            val = (stored_array(arrays, f"data/{i}/X_val"), stored_array(arrays, f"data/{i}/y_val"))
        data = rebuild(where, make_data, stored_array(arrays, f"data/{i}/X"), stored_array(arrays, f"data/{i}/y"),
                        n_in, validation_data=val)
        if not 0 <= split < 1:
            raise file_error(phrase("errors.session_validation_split", where=where, split=split))
        out.append(dataclasses.replace(data, validation_split=float(split), _labels={}))
    return out


def _check_opt_state(state: dict, model: Sequential) -> None:
    shapes = [tuple(s) for s in model.param_shapes]
    for key, value in state.items():
        if key == "t":
            if value < 0:
                raise file_error(phrase("errors.session_step_count"))
            continue
        if [a.shape for a in value] != shapes or any(a.dtype.kind != "f" for a in value):
            raise file_error(phrase("errors.session_moment_shapes", field=key, shapes=shapes))


def _list(arrays: dict, prefix: str, n: int, shapes=None) -> list:
    return [stored_array(arrays, f"{prefix}/{i}", None if shapes is None else shapes[i]) for i in range(n)]


def _unpack_records(meta: dict, arrays: dict, state: LoopState, model: Sequential) -> None:
    n_layers = len(model.layers)
    phase = state.phase
    has = {k: k in meta for k in ("forward", "loss", "backward", "update")}
    # what each phase leaves: forward 1.., loss 2.., backward 3..; at phase 0, all or none
    expected = {"forward": phase >= 1, "loss": phase >= 2, "backward": phase >= 3}
    for key, need in expected.items():
        if phase and has[key] != need:
            raise file_error(phrase("errors.session_record_missing" if need else "errors.session_record_extra",
                                    record=key, phase=PHASES[phase]))
    if phase and has["update"]:
        raise file_error(phrase("errors.session_update_mid"))
    outs = [layer.n_out for layer in model.layers]
    if has["forward"]:
        spec = expect(meta, "forward", dict, part("records"))
        if expect(spec, "layers", int, part("records_forward")) != n_layers:
            raise file_error(phrase("errors.session_forward_layers"))
        x = stored_array(arrays, "records/forward/x")
        indices = stored_array(arrays, "records/forward/indices")
        b = len(x)
        if x.shape != (b, model.sizes[0]) or indices.shape != (b,) or indices.dtype.kind not in "iu":
            raise file_error(phrase("errors.session_forward_batch"))
        shapes = [(b, k) for k in outs]
        state.forward = ForwardRecord(x, indices.astype(np.int64), _list(arrays, "records/forward/z", n_layers, shapes),
                                      _list(arrays, "records/forward/a", n_layers, shapes))
        if phase:
            expect_idx = state.order[state.cursor:state.cursor + state.batch_size] \
                if state.order is not None else None
            if expect_idx is None or not np.array_equal(expect_idx, state.forward.indices):
                raise file_error(phrase("errors.session_forward_order"))
    if has["loss"]:
        if not has["forward"]:
            raise file_error(phrase("errors.session_loss_without_forward"))
        spec = expect(meta, "loss", dict, part("records"))
        numbers = stored_array(arrays, "records/loss/numbers", (3,))
        b = len(state.forward.x)
        per_sample = stored_array(arrays, "records/loss/per_sample", (b,))
        y_true = stored_array(arrays, "records/loss/y_true")
        if len(y_true) != b:
            raise file_error(phrase("errors.session_loss_labels"))
        state.loss = LossRecord(float(numbers[0]), per_sample, y_true, state.forward.a[-1],
                                expect(spec, "name", str, part("records_loss")), float(numbers[2]),
                                float(numbers[1]))
    if has["backward"]:
        if not has["loss"]:
            raise file_error(phrase("errors.session_backward_without_loss"))
        spec = expect(meta, "backward", dict, part("records"))
        b = len(state.forward.x)
        act_shapes = [(b, k) for k in outs]
        w_shapes = [tuple(s) for s in model.param_shapes]
        dz = _list(arrays, "records/backward/dz", n_layers, act_shapes)
        da = _list(arrays, "records/backward/da", n_layers, act_shapes)
        dW = _list(arrays, "records/backward/dW", n_layers, w_shapes[0::2])
        db = _list(arrays, "records/backward/db", n_layers, w_shapes[1::2])
        penalty = None
        if expect(spec, "penalty", bool, part("records_backward")):
            penalty = [None] * n_layers
            for i in expect(spec, "penalty_layers", list, part("records_backward")):
                if not isinstance(i, int) or not 0 <= i < n_layers:
                    raise file_error(phrase("errors.session_penalty_layer"))
                penalty[i] = stored_array(arrays, f"records/backward/penalty_dW/{i}", w_shapes[2 * i])
        state.backward = BackwardRecord(dz, da, dW, db, float(stored_array(arrays, "records/backward/grad_norm", ())),
                                        expect(spec, "fused", bool, part("records_backward")),
                                        penalty_dW=penalty)
    if has["update"]:
        spec = expect(meta, "update", dict, part("records"))
        shapes = [tuple(s) for s in model.param_shapes]
        if expect(spec, "n", int, part("records_update")) != len(shapes):
            raise file_error(phrase("errors.session_update_weights"))
        state.update = UpdateRecord(_list(arrays, "records/update/old", len(shapes), shapes),
                                    _list(arrays, "records/update/new", len(shapes), shapes), None,
                                    expect(spec, "learning_rate", float, part("records_update")),
                                    expect(spec, "optimizer", str, part("records_update")))


def _unpack_value(spec, arrays: dict, name: str):
    if not isinstance(spec, dict):
        raise file_error(phrase("errors.session_event_value_object"))
    kind = expect(spec, "t", str, part("history_event"))
    if kind == "plain":
        value = spec.get("v")
        if not (value is None or isinstance(value, (bool, int, str))):
            raise file_error(phrase("errors.session_event_plain"))
        return value
    if kind == "float":
        return float(stored_array(arrays, name, ()))
    if kind == "array":
        return stored_array(arrays, name)
    if kind == "optimizer":
        return unpack_optimizer(expect(spec, "v", dict, part("history_event")))
    if kind == "regularizers":
        return tuple(rebuild(part("event_regularizer"), regularizers.get, r)
                     for r in expect(spec, "v", list, part("history_event")))
    raise file_error(phrase("errors.session_event_kind", kind=kind))


def _unpack_history(meta: dict, arrays: dict, model: Sequential, initial_weights: list) -> History:
    epochs_arr = stored_array(arrays, "history/epochs")
    numbers = [expect(meta, k, list, part("history")) for k in ("epoch_numbers", "has_val_loss", "has_val_accuracy")]
    n_epochs = len(numbers[0])
    if epochs_arr.shape != (n_epochs, 3) or any(len(v) != n_epochs for v in numbers):
        raise file_error(phrase("errors.session_epochs_length"))
    if numbers[0] != list(range(1, n_epochs + 1)) or any(type(k) is not int for k in numbers[0]):
        raise file_error(phrase("errors.session_epochs_order"))
    epochs = [EpochEntry(k, float(row[0]), float(row[1]) if v else None,
                         float(row[2]) if a else None)
              for k, row, v, a in zip(numbers[0], epochs_arr, numbers[1], numbers[2])]
    events = []
    for i, spec in enumerate(expect(meta, "events", list, part("history"))):
        if not isinstance(spec, dict):
            raise file_error(phrase("errors.session_event_object"))
        events.append(Event(expect(spec, "global_iteration", int, part("history_event")),
                            expect(spec, "what", str, part("history_event")),
                            _unpack_value(spec.get("old"), arrays, f"history/events/{i}/old"),
                            _unpack_value(spec.get("new"), arrays, f"history/events/{i}/new")))
    path = stored_array(arrays, "history/path")
    if path.ndim != 2 or path.shape[1] != model.n_params:
        raise file_error(phrase("errors.session_path_columns", n=model.n_params))
    history = rebuild(part("history"), History.from_parts, stored_array(arrays, "history/numbers"),
                       stored_array(arrays, "history/samples"), epochs, events, path,
                       stored_array(arrays, "history/path_at"), expect(meta, "stride", int, part("history")))
    return history
