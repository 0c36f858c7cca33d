"""The session file: a zip of JSON and .npy arrays that round-trips bit for bit and refuses
hostile or broken files with a SessionFileError, executing nothing."""
import io
import json
import pathlib
import pickle
import zipfile

import numpy as np
import pytest

from stepnn import saving
from stepnn.saving import SessionFileError, SessionFileNotFoundError, read_archive, write_archive


def _arrays():
    rng = np.random.default_rng(0)
    return {
        "model/W1": rng.normal(size=(2, 3)),
        "model/b1": np.array([0.0, -0.0, 1e-300]),
        "odd": np.array([np.nan, np.inf, -np.inf, 5e-324]),
        "order": rng.permutation(7),
        "mask": np.array([[True, False]]),
        "names": np.array(["setosa", "versicolor"]),
        "scalar": np.float64(2.5),
        "empty": np.zeros((0, 4)),
        "fortran": np.asfortranarray(rng.normal(size=(3, 2))),
        "strided": np.arange(10.0)[::3],
        "small": np.arange(4, dtype=np.int8),
    }


META = {"phase": 2, "settings": {"batch_size": 16, "optimizer": "adam"}, "note": "한국어 ok",
        "flags": [True, None, 1.5]}


def _same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


# --- round trip --------------------------------------------------------------------------------

def test_round_trip_is_bit_exact(tmp_path):
    path = tmp_path / "run.stepnn"
    write_archive(path, META, _arrays())
    meta, arrays = read_archive(path)
    assert meta == META
    assert set(arrays) == set(_arrays())
    for name, arr in _arrays().items():
        assert _same(arrays[name], arr), name


def test_the_same_session_gives_the_same_bytes(tmp_path):
    write_archive(tmp_path / "a", META, _arrays())
    write_archive(tmp_path / "b", META, _arrays())
    assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes()


def test_the_file_is_a_zip_of_json_and_npy(tmp_path):
    path = tmp_path / "run.stepnn"
    write_archive(path, META, {"model/W1": np.eye(2)})
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["arrays/model/W1.npy", "session.json"]
        header = json.loads(zf.read("session.json"))
        W = np.load(io.BytesIO(zf.read("arrays/model/W1.npy")), allow_pickle=False)
    assert header["format"] == "stepnn.session" and header["format_version"] == 1
    assert header["arrays"] == {"model/W1": {"dtype": "<f8", "shape": [2, 2]}}
    np.testing.assert_array_equal(W, np.eye(2))


def test_a_failed_write_leaves_the_old_file(tmp_path):
    path = tmp_path / "run.stepnn"
    write_archive(path, META, {"x": np.ones(2)})
    before = path.read_bytes()
    with pytest.raises(TypeError):
        write_archive(path, META, {"x": np.ones(2), "y": np.array([object()])})
    with pytest.raises(ValueError):
        write_archive(path, {"loss": float("nan")}, {})
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["run.stepnn"]  # no temporary file left


# --- what cannot be saved ------------------------------------------------------------------

@pytest.mark.parametrize("value", [np.array([{"a": 1}], dtype=object), np.array([1, "a"], dtype=object),
                                   np.zeros(2, dtype=[("a", "f8"), ("b", "O")]),
                                   np.zeros(2, dtype=[("a", "f8")])])
def test_object_and_structured_arrays_are_refused(tmp_path, value):
    with pytest.raises(TypeError, match="would need pickle"):
        write_archive(tmp_path / "x", {}, {"bad": value})
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("name", ["../up", "/abs", "a/../b", ".hidden", "a\\b", "", "a//b", 3, "x" * 201])
def test_bad_array_names_are_refused(tmp_path, name):
    with pytest.raises(ValueError, match="is not allowed"):
        write_archive(tmp_path / "x", {}, {name: np.ones(1)})


@pytest.mark.parametrize("meta, error", [({"w": np.ones(2)}, TypeError), ({1j: 1}, TypeError),
                                         ({"x": float("inf")}, ValueError), ([1], TypeError)])
def test_meta_must_be_plain_json(tmp_path, meta, error):
    with pytest.raises(error, match="meta must"):
        write_archive(tmp_path / "x", meta, {})


# --- hostile and broken files -----------------------------------------------------------------

def _zip(path, members: dict):
    """A zip with exactly these members (name -> bytes or str), as an attacker would build it."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _header(spec=None, **changes):
    header = {"format": "stepnn.session", "format_version": 1, "meta": {}, "arrays": spec or {}}
    header.update(changes)
    return json.dumps(header)


def _npy(arr, allow_pickle=False):
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=allow_pickle)
    return buf.getvalue()


def _refused(path, *words, max_bytes=saving.MAX_BYTES):
    with pytest.raises(SessionFileError) as info:
        read_archive(path, max_bytes=max_bytes)
    assert isinstance(info.value, ValueError) and str(path) in str(info.value)
    for word in words:
        assert word in str(info.value)
    return info.value


def test_missing_path(tmp_path):
    path = tmp_path / "none.stepnn"
    with pytest.raises(SessionFileNotFoundError, match="No session file at") as info:
        read_archive(path)
    assert isinstance(info.value, FileNotFoundError) and isinstance(info.value, SessionFileError)
    assert info.value.filename == str(path)


def test_a_folder(tmp_path):
    _refused(tmp_path, "is a folder")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_bytes(tmp_path, seed):
    path = tmp_path / "noise.stepnn"
    path.write_bytes(np.random.default_rng(seed).bytes(5000))
    _refused(path, "not a readable stepnn session file")


def test_an_empty_file(tmp_path):
    path = tmp_path / "empty.stepnn"
    path.write_bytes(b"")
    _refused(path, "not a readable stepnn session file")


@pytest.mark.parametrize("keep", [0.2, 0.5, 0.9, 0.99])
def test_a_truncated_zip(tmp_path, keep):
    path = tmp_path / "cut.stepnn"
    write_archive(path, META, _arrays())
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * keep)])
    _refused(path)


def test_corrupted_member_data(tmp_path):
    path = tmp_path / "flipped.stepnn"
    write_archive(path, META, {"big": np.arange(5000.0)})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("arrays/big.npy")
    start = info.header_offset + 30 + len(info.filename) + 20  # inside the compressed array data
    for i in range(start, start + 60):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    error = _refused(path, "not a readable stepnn session file")
    assert "decompressing" in str(error) or "Bad CRC-32" in str(error)  # zlib.error or CRC


class _Trap:
    """Unpickling this creates the marker file: proof that code from the file ran."""
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


def test_an_array_holding_a_pickled_object_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    evil = _npy(np.array([_Trap(str(marker))], dtype=object), allow_pickle=True)
    # declared honestly as an object array
    path = _zip(tmp_path / "a.stepnn", {"session.json": _header({"x": {"dtype": "|O", "shape": [1]}}),
                                        "arrays/x.npy": evil})
    _refused(path, "would need pickle")
    # declared as floats, holding a pickle
    path = _zip(tmp_path / "b.stepnn", {"session.json": _header({"x": {"dtype": "<f8", "shape": [1]}}),
                                        "arrays/x.npy": evil})
    _refused(path, "array 'x'")
    # a raw pickle where the .npy should be
    path = _zip(tmp_path / "c.stepnn", {"session.json": _header({"x": {"dtype": "<f8", "shape": [1]}}),
                                        "arrays/x.npy": pickle.dumps(_Trap(str(marker)))})
    _refused(path, "not a readable .npy array")
    assert not marker.exists()


def test_an_npy_header_claiming_a_huge_array(tmp_path):
    honest = _npy(np.zeros(4))
    # the same header claiming 10^13 floats (80 TB), kept at its length by using up its padding
    lying = honest.replace(b"(4,), }" + b" " * 12, b"(9999999999999,), }")
    assert len(lying) == len(honest) and lying != honest
    spec = {"x": {"dtype": "<f8", "shape": [9999999999999]}}
    path = _zip(tmp_path / "big.stepnn", {"session.json": _header(spec), "arrays/x.npy": lying})
    _refused(path, "array 'x'", "not the 79999999999992 its header says")


def test_a_broken_npy_header(tmp_path):
    broken = _npy(np.zeros(4)).replace(b"'shape': (4,), }", b"'shape': (4,),  ")
    spec = {"x": {"dtype": "<f8", "shape": [4]}}
    path = _zip(tmp_path / "b.stepnn", {"session.json": _header(spec), "arrays/x.npy": broken})
    _refused(path, "array 'x' is not a readable .npy array")


def test_member_disagreeing_with_the_header(tmp_path):
    spec = {"x": {"dtype": "<f8", "shape": [3]}}
    path = _zip(tmp_path / "a", {"session.json": _header(spec), "arrays/x.npy": _npy(np.zeros(4))})
    _refused(path, "holds dtype float64, shape (4,)")
    path = _zip(tmp_path / "b", {"session.json": _header(spec),
                                 "arrays/x.npy": _npy(np.zeros(3, dtype=np.int64))})
    _refused(path, "holds dtype int64")
    path = _zip(tmp_path / "c", {"session.json": _header(spec), "arrays/x.npy": b"\x93NUMPY garbage"})
    _refused(path, "not a readable .npy array")


@pytest.mark.parametrize("members, words", [
    ({"arrays/x.npy": _npy(np.ones(1))}, "no session.json inside"),
    ({"session.json": _header({"x": {"dtype": "<f8", "shape": [1]}})}, "missing ['arrays/x.npy']"),
    ({"session.json": _header(), "arrays/y.npy": _npy(np.ones(1))}, "not listed ['arrays/y.npy']"),
], ids=["no-json", "no-array", "unlisted-array"])
def test_missing_or_unlisted_members(tmp_path, members, words):
    _refused(_zip(tmp_path / "m.stepnn", members), words)


def test_a_future_format_version(tmp_path):
    path = _zip(tmp_path / "new.stepnn", {"session.json": _header(format_version=2)})
    _refused(path, "newer stepnn (format version 2)", "up to 1", "Upgrade")


@pytest.mark.parametrize("text, words", [
    ("not json", "not valid JSON"),
    ("[1, 2]", "does not describe a stepnn session"),
    (_header(format="keras"), "format 'keras'"),
    (_header(format_version="1"), "format_version must be a whole number"),
    (_header(format_version=True), "format_version must be a whole number"),
    (_header(format_version=0), "format_version must be a whole number"),
    (_header(meta=[1]), "'meta' must be dict; found list"),
    (_header(arrays=None), "'arrays' must be dict; found NoneType"),
    (_header({"x": {"dtype": "<f8", "shape": "3"}}), "lists array 'x'"),
    (_header({"x": {"dtype": 8, "shape": [3]}}), "lists array 'x'"),
    (_header({"x": {"dtype": "<f8", "shape": [-1]}}), "lists array 'x'"),
    (_header({"x": {"dtype": "<f8", "shape": [True]}}), "lists array 'x'"),
    (_header({"x": {"dtype": "nonsense", "shape": [1]}}), "unknown dtype"),
    (_header({"../x": {"dtype": "<f8", "shape": [1]}}), "lists array '../x'"),
    (_header(meta={"loss": "NaN"}).replace('"NaN"', "NaN"), "NaN is not a JSON number"),
    ('{"a": ' * 100000 + "1" + "}" * 100000, "not valid JSON"),
    (b"\xff\xfe{}", "not valid JSON"),
], ids=lambda v: v if isinstance(v, str) and len(v) < 40 else None)
def test_wrong_json(tmp_path, text, words):
    members = {"session.json": text}
    if '"x": {"dtype"' in str(text):  # give array x a member, so the header is what is judged
        members["arrays/x.npy"] = _npy(np.ones(1))
    _refused(_zip(tmp_path / "j.stepnn", members), words)


@pytest.mark.parametrize("name", ["../evil.npy", "/etc/evil.npy", "arrays/../../evil.npy",
                                  "arrays\\..\\evil.npy", "arrays/.x.npy", "other.txt",
                                  "arrays/x.npy/", "arrays/x.pkl"])
def test_path_traversal_and_strange_names(tmp_path, monkeypatch, name):
    work = tmp_path / "work"
    work.mkdir()
    path = _zip(work / "t.stepnn", {"session.json": _header(), name: b"payload"})
    monkeypatch.chdir(work)
    _refused(path, "unexpected member")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["t.stepnn", "work"]  # nothing written


def test_a_name_twice(tmp_path):
    path = tmp_path / "twice.stepnn"
    with pytest.warns(UserWarning, match="Duplicate name"):
        _zip(path, {"session.json": _header()})
        with zipfile.ZipFile(path, "a") as zf:
            zf.writestr("session.json", _header())
    _refused(path, "appears twice")


def test_a_zip_bomb_is_refused_before_unpacking(tmp_path):
    path = tmp_path / "bomb.stepnn"
    write_archive(path, {}, {"zeros": np.zeros(2_000_000)})  # 16 MB of zeros
    assert path.stat().st_size < 100_000
    _refused(path, "would unpack to 16000", "limit of 1000000", max_bytes=1_000_000)
    assert read_archive(path)[1]["zeros"].shape == (2_000_000,)  # under the default limit


def test_a_member_lying_about_its_size(tmp_path):
    path = tmp_path / "liar.stepnn"
    write_archive(path, {}, {"zeros": np.zeros(100_000)})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("arrays/zeros.npy")
    real = info.file_size.to_bytes(4, "little")
    small = (1000).to_bytes(4, "little")
    assert bytes(data).count(real) == 2
    data = bytes(data).replace(real, small)  # the local and the central header both lie
    path.write_bytes(data)
    _refused(path, "Bad CRC-32 for file 'arrays/zeros.npy'")  # zipfile stops at the declared size


def test_too_many_members(tmp_path, monkeypatch):
    monkeypatch.setattr(saving, "MAX_MEMBERS", 10)
    members = {"session.json": _header({f"a{i}": {"dtype": "<f8", "shape": [1]} for i in range(11)})}
    members.update({f"arrays/a{i}.npy": _npy(np.ones(1)) for i in range(11)})
    _refused(_zip(tmp_path / "many.stepnn", members), "12 members, more than the 10")


def test_an_encrypted_member(tmp_path):
    path = _zip(tmp_path / "enc.stepnn", {"session.json": _header()})
    data = bytearray(path.read_bytes())
    # set the encryption bit (general purpose flag bit 0) in the central directory entry
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 0x1
    path.write_bytes(bytes(data))
    _refused(path, "encrypted")


# --- reading meta ----------------------------------------------------------------------------

def test_expect_names_the_key():
    meta = {"phase": 2, "flag": True, "name": "x"}
    assert saving.expect(meta, "phase", int) == 2
    with pytest.raises(SessionFileError, match="meta: 'flag' must be int; found bool"):
        saving.expect(meta, "flag", int)
    with pytest.raises(SessionFileError, match="meta: 'seed' must be int; found nothing"):
        saving.expect(meta, "seed", int)
    with pytest.raises(SessionFileError, match="'name' must be int or float; found str"):
        saving.expect(meta, "name", (int, float))
    assert saving.expect(meta, "flag", bool) is True


# --- files saved by earlier versions keep loading --------------------------------------------

def test_the_stored_version_1_example_loads():
    path = pathlib.Path(__file__).parent / "data" / "archive_v1.stepnn"
    meta, arrays = read_archive(path)
    assert meta == {"example": "format version 1", "numbers": [1, 2.5],
                    "nested": {"ok": True, "none": None}}
    assert _same(arrays["model/W1"], np.arange(6.0).reshape(2, 3) / 4)
    assert _same(arrays["labels"], np.array(["a", "b"]))
    assert _same(arrays["order"], np.array([2, 0, 1], dtype=np.int64))
    assert _same(arrays["odd"], np.array([np.nan, -np.inf, -0.0]))
