"""The session file: one zip holding ``session.json`` and ``.npy`` arrays, with no pickle.

Layout (format version 1):
    session.json         {"format": "stepnn.session", "format_version": 1,
                          "meta": {...}, "arrays": {name: {"dtype": "<f8", "shape": [3, 4]}}}
    arrays/<name>.npy    one array per name, written by ``numpy.save(..., allow_pickle=False)``

``meta`` is plain JSON (dicts, lists, strings, finite numbers, true/false/null); every number that
may be NaN or inf goes in an array. Reading trusts nothing in the file: it refuses what is not a
zip, a member it does not expect, a path that climbs out (``../``), more than ``MAX_MEMBERS``
members or ``max_bytes`` unpacked, object arrays (pickle), and a format version newer than
``FORMAT_VERSION``; each with a ``SessionFileError``, a ValueError that says what is wrong.
"""
from __future__ import annotations

import io
import json
import math
import os
import re
import secrets
import zipfile
import zlib

import numpy as np

from ._checks import MissingFileError, save_target
from .terms import phrase

__all__ = ["FORMAT", "FORMAT_VERSION", "MAX_MEMBERS", "MAX_BYTES", "SessionFileError",
           "SessionFileNotFoundError", "write_archive", "read_archive", "expect"]

FORMAT = "stepnn.session"
FORMAT_VERSION = 1
MAX_MEMBERS = 4096                # members in one archive
MAX_BYTES = 1 << 30               # unpacked bytes of all members together (Binder has 1-2 GB)
MAX_JSON_BYTES = 64 << 20         # session.json alone
_SESSION = "session.json"
_KINDS = "biufcUS"                # bool, integers, floats, complex, text: nothing that pickles
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*(/[A-Za-z0-9_][A-Za-z0-9_.\-]*)*")
_DATE = (1980, 1, 1, 0, 0, 0)     # a fixed time stamp: the same session gives the same bytes


class SessionFileError(ValueError):
    """A session file that cannot be read: broken, hostile, or from a newer stepnn."""


class SessionFileNotFoundError(MissingFileError, SessionFileError):
    """No file at the given path (both a SessionFileError and a FileNotFoundError)."""


# --- writing ---------------------------------------------------------------------------------

def write_archive(path: "str | os.PathLike", meta: dict, arrays: "dict[str, np.ndarray]") -> None:
    """Write ``meta`` (JSON) and ``arrays`` into one zip at ``path``, replacing it whole.

    Args:
        meta: a dict of plain JSON values (no NaN or inf; put such numbers in an array).
        arrays: name -> numpy array of booleans, numbers or text (any shape). Names are
            letters, digits, ``_ . -`` and ``/`` between parts, e.g. ``"model/W1"``.
    The file appears complete or not at all: it is written next to ``path`` and moved there.
    """
    path = os.fspath(path)
    if not isinstance(meta, dict):
        raise TypeError(phrase("errors.session_meta_type", type=type(meta).__name__))
    if not isinstance(arrays, dict):
        raise TypeError(phrase("errors.session_arrays_type", type=type(arrays).__name__))
    checked = {name: _checked_array(name, value) for name, value in arrays.items()}
    header = {"format": FORMAT, "format_version": FORMAT_VERSION, "meta": meta,
              "arrays": {n: {"dtype": a.dtype.str, "shape": list(a.shape)} for n, a in checked.items()}}
    try:
        text = json.dumps(header, allow_nan=False, ensure_ascii=False, indent=1, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise type(exc)(phrase("errors.session_meta_json", exc=exc)) from None
    target = save_target(path, "run.stepnn")
    tmp = f"{target}.{secrets.token_hex(4)}.tmp"  # same folder, so the move is atomic
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies, as open()
    try:
        with os.fdopen(fd, "wb") as f, zipfile.ZipFile(f, "w") as zf:
            _add(zf, _SESSION, text.encode("utf-8"))
            for name, arr in checked.items():
                buf = io.BytesIO()
                np.save(buf, arr, allow_pickle=False)
                _add(zf, f"arrays/{name}.npy", buf.getvalue())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _checked_array(name, value) -> np.ndarray:
    if not isinstance(name, str) or len(name) > 200 or not _NAME.fullmatch(name):
        raise ValueError(phrase("errors.session_array_name", name=name))
    arr = value if isinstance(value, np.ndarray) else np.asarray(value)
    if arr.dtype.kind not in _KINDS or arr.dtype.hasobject:
        raise TypeError(phrase("errors.session_array_pickle", name=name, dtype=arr.dtype))
    return arr


def _add(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)


# --- reading ---------------------------------------------------------------------------------

def read_archive(path: "str | os.PathLike", max_bytes: int = MAX_BYTES) -> "tuple[dict, dict]":
    """Read a file written by ``write_archive``: returns ``(meta, arrays)``.

    Nothing in the file is executed (no pickle) and nothing is written to disk.

    Raises:
        SessionFileNotFoundError: no file at ``path``.
        SessionFileError: anything else wrong with the file; the message says what.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise SessionFileNotFoundError(phrase("errors.session_not_found", path=path,
                                              full=os.path.abspath(path)), path)
    if os.path.isdir(path):
        raise SessionFileError(phrase("errors.session_folder", path=path))
    try:
        with zipfile.ZipFile(path) as zf:
            return _read(zf, path, max_bytes)
    except SessionFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError,
            NotImplementedError, RuntimeError, ValueError) as exc:
        raise SessionFileError(phrase("errors.session_unreadable", path=path, exc=exc)) from None


def _read(zf: zipfile.ZipFile, path: str, max_bytes: int) -> "tuple[dict, dict]":
    def fail(message: str):
        return SessionFileError(f"{path!r}: {message}")

    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise fail(phrase("errors.session_members_count", n=len(infos), most=MAX_MEMBERS))
    names = [info.filename for info in infos]
    for name in names:
        if name != _SESSION and not (name.startswith("arrays/") and name.endswith(".npy")
                                     and _NAME.fullmatch(name[7:-4])):
            raise fail(phrase("errors.session_member_unexpected", name=name, session=_SESSION))
    if len(set(names)) != len(names):
        raise fail(phrase("errors.session_member_twice"))
    total = sum(info.file_size for info in infos)
    if total > max_bytes:
        raise fail(phrase("errors.session_too_large", total=total, limit=max_bytes))
    if any(info.flag_bits & 0x1 for info in infos):
        raise fail(phrase("errors.session_encrypted"))
    if _SESSION not in names:
        raise fail(phrase("errors.session_no_header", session=_SESSION))
    header = _header(_member(zf, zf.getinfo(_SESSION), MAX_JSON_BYTES, fail), fail)
    expected = {f"arrays/{name}.npy" for name in header["arrays"]}
    missing, extra = expected - set(names), set(names) - expected - {_SESSION}
    if missing or extra:
        raise fail(phrase("errors.session_members_mismatch", session=_SESSION, missing=sorted(missing),
                          extra=sorted(extra)))
    arrays = {name: _array(zf.getinfo(f"arrays/{name}.npy"), zf, spec, name, fail)
              for name, spec in header["arrays"].items()}
    return header["meta"], arrays


def _member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, fail) -> bytes:
    """A member's bytes, never more than its declared size (which was checked against limits)."""
    if info.file_size > limit:
        raise fail(phrase("errors.session_member_size", name=info.filename, size=info.file_size,
                          limit=limit))
    with zf.open(info) as f:
        data = f.read(info.file_size + 1)
    if len(data) != info.file_size:
        raise fail(phrase("errors.session_member_length", name=info.filename, got=len(data),
                          size=info.file_size))
    return data


def _no_constant(token: str):
    raise ValueError(phrase("errors.session_json_constant", token=token))


def _header(data: bytes, fail) -> dict:
    try:
        header = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise fail(phrase("errors.session_bad_json", session=_SESSION, exc=exc)) from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        found = header.get("format") if isinstance(header, dict) else type(header).__name__
        raise fail(phrase("errors.session_format", session=_SESSION, found=found, expected=FORMAT))
    version = header.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise fail(phrase("errors.session_format_version", version=version))
    if version > FORMAT_VERSION:
        raise fail(phrase("errors.session_newer", version=version, supported=FORMAT_VERSION))
    expect(header, "meta", dict, where=_SESSION, error=fail)
    specs = expect(header, "arrays", dict, where=_SESSION, error=fail)
    for name, spec in specs.items():
        if not _NAME.fullmatch(name) or not isinstance(spec, dict) \
                or not isinstance(spec.get("dtype"), str) or not isinstance(spec.get("shape"), list) \
                or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0
                           for n in spec["shape"]):
            raise fail(phrase("errors.session_array_spec", session=_SESSION, name=name, spec=spec))
    return header


def _array(info: zipfile.ZipInfo, zf: zipfile.ZipFile, spec: dict, name: str, fail) -> np.ndarray:
    try:
        dtype = np.dtype(spec["dtype"])
    except (TypeError, ValueError):
        raise fail(phrase("errors.session_array_dtype_unknown", name=name, dtype=spec["dtype"])) from None
    if dtype.kind not in _KINDS or dtype.hasobject:
        raise fail(phrase("errors.session_array_dtype_pickle", name=name, dtype=dtype))
    data = _member(zf, info, info.file_size, fail)
    buf = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(buf)
        read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                       (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if read_header is None:
            raise ValueError(phrase("errors.session_npy_version", version=version))
        shape, fortran, stored = read_header(buf)
        if stored != dtype or list(shape) != spec["shape"]:
            raise ValueError(phrase("errors.session_npy_header", stored=stored, shape=shape,
                                    session=_SESSION, dtype=dtype, expected=tuple(spec["shape"])))
        if len(data) - buf.tell() != math.prod(shape) * dtype.itemsize:
            raise ValueError(phrase("errors.session_npy_length", got=len(data) - buf.tell(),
                                    size=math.prod(shape) * dtype.itemsize))
        arr = np.lib.format.read_array(io.BytesIO(data), allow_pickle=False)
    except Exception as exc:  # numpy's header parser raises several kinds; all mean a bad file
        raise fail(phrase("errors.session_npy_unreadable", name=name, exc=exc)) from None
    return arr


def expect(table: dict, key: str, kind: "type | tuple", where: str = "meta", error=None):
    """``table[key]`` if it is of ``kind``; otherwise a SessionFileError that names the key.

    A helper for readers of ``meta``: ``expect(meta, "phase", int)``. bool never counts as int.
    """
    present = isinstance(table, dict) and key in table
    value = table[key] if present else None
    kinds = kind if isinstance(kind, tuple) else (kind,)
    ok = present and isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
    if not ok:
        names = phrase("errors.session_or").join(k.__name__ for k in kinds)
        message = (phrase("errors.session_field_type", where=where, field=key, kinds=names,
                          found=type(value).__name__) if present else
                   phrase("errors.session_field_missing", where=where, field=key, kinds=names))
        raise error(message) if error else SessionFileError(message)
    return value
