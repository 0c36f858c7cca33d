"""Data sets: shapes, determinism, the geometry of each problem, iris, and the helpers."""
import math

import numpy as np
import pytest

from stepnn import datasets as ds

CLASSIFICATION = [ds.circle, ds.xor, ds.gauss, ds.spiral, ds.moons]
REGRESSION = [ds.linear, ds.sine]
GENERATORS = CLASSIFICATION + REGRESSION


def _name(f):
    return f.__name__


# --- shapes, dtypes, determinism -------------------------------------------------------------

@pytest.mark.parametrize("make", CLASSIFICATION, ids=_name)
@pytest.mark.parametrize("n", [1, 2, 7, 200])
def test_classification_shapes_and_dtypes(make, n):
    X, y = make(n=n, noise=0.1, seed=3)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert set(np.unique(y)) <= {0, 1}
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("make", REGRESSION, ids=_name)
@pytest.mark.parametrize("n", [1, 50])
def test_regression_shapes_and_dtypes(make, n):
    X, y = make(n=n, seed=3)
    assert X.shape == (n, 1) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.float64


@pytest.mark.parametrize("make", GENERATORS, ids=_name)
def test_same_seed_same_numbers_other_seed_other_numbers(make):
    X1, y1 = make(n=60, noise=0.2, seed=5)
    X2, y2 = make(n=60, noise=0.2, seed=5)
    X3, _ = make(n=60, noise=0.2, seed=6)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("make", CLASSIFICATION, ids=_name)
@pytest.mark.parametrize("n", [200, 51])
def test_classes_balanced_without_noise(make, n):
    _, y = make(n=n, noise=0.0, seed=1)
    assert np.sum(y == 0) == n // 2
    assert np.sum(y == 1) == n - n // 2


@pytest.mark.parametrize("make", CLASSIFICATION, ids=_name)
def test_rows_are_shuffled_so_the_tail_holds_both_classes(make):
    _, y = make(n=200, noise=0.0, seed=0)
    assert set(y[-40:]) == {0, 1}


# --- geometry of each problem ----------------------------------------------------------------

def test_circle_inner_disk_is_class_1_outer_ring_class_0():
    X, y = ds.circle(n=400, noise=0.0, seed=2)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r[y == 1].max() < 2.5 <= 3.5 <= r[y == 0].min()
    assert r.max() <= 5.0 and np.all(np.abs(X) <= 6.0)


def test_circle_noise_moves_labels_not_points():
    X0, y0 = ds.circle(n=400, noise=0.0, seed=2)
    Xn, yn = ds.circle(n=400, noise=0.5, seed=2)
    np.testing.assert_array_equal(X0, Xn)
    assert np.any(y0 != yn)


def test_xor_label_is_sign_product_rule_and_padding():
    X, y = ds.xor(n=400, noise=0.0, seed=4)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] >= 0).astype(np.int64))
    assert np.all(np.abs(X) >= 0.3) and np.all(np.abs(X) <= 5.3)
    quadrants = {(bool(a), bool(b)) for a, b in X > 0}
    assert len(quadrants) == 4


def test_gauss_blob_centres_and_noise_widens_them():
    X, y = ds.gauss(n=2000, noise=0.0, seed=0)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [2, 2], atol=0.1)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [-2, -2], atol=0.1)
    # variance per axis is 0.5 at noise 0 and 4 at noise 0.5 (Playground's scale)
    assert X[y == 1].var(axis=0) == pytest.approx([0.5, 0.5], rel=0.15)
    Xn, yn = ds.gauss(n=2000, noise=0.5, seed=0)
    assert Xn[yn == 1].var(axis=0) == pytest.approx([4.0, 4.0], rel=0.15)


def _sorted_rows(A):
    return A[np.lexsort(A.T[::-1])]


def test_spiral_classes_are_point_reflections_of_each_other():
    X, y = ds.spiral(n=200, noise=0.0, seed=0)
    np.testing.assert_allclose(_sorted_rows(X[y == 0]), _sorted_rows(-X[y == 1]), atol=1e-12)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.max() < 5.0 and r.min() == 0.0


def test_spiral_noise_moves_each_coordinate_by_at_most_noise():
    X0, y0 = ds.spiral(n=200, noise=0.0, seed=0)
    Xn, yn = ds.spiral(n=200, noise=0.3, seed=0)
    np.testing.assert_array_equal(y0, yn)  # same seed: same shuffle, so rows correspond
    assert 0 < np.abs(Xn - X0).max() <= 0.3


def test_moons_lie_on_their_half_circles_without_noise():
    X, y = ds.moons(n=100, noise=0.0, seed=0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert np.all(upper[:, 1] >= -1e-12) and np.all(lower[:, 1] <= 0.5 + 1e-12)


def test_linear_targets_follow_the_formula_without_noise():
    X, y = ds.linear(n=50, noise=0.0, seed=0, slope=3.0, intercept=0.5)
    np.testing.assert_allclose(y, 3.0 * X[:, 0] + 0.5)
    assert np.all(np.abs(X) <= 1.0)


def test_linear_noise_is_the_standard_deviation():
    X, y = ds.linear(n=20000, noise=0.2, seed=0)
    residual = y - (2.0 * X[:, 0] - 1.0)
    assert residual.std() == pytest.approx(0.2, rel=0.05)


def test_sine_targets_follow_the_formula_without_noise():
    X, y = ds.sine(n=50, noise=0.0, seed=0)
    np.testing.assert_allclose(y, [math.sin(v) for v in X[:, 0]])
    assert np.all(np.abs(X) <= math.pi)


# --- iris ------------------------------------------------------------------------------------

IRIS_MEANS = {  # Fisher (1936), per species: sepal length, sepal width, petal length, petal width
    0: (5.006, 3.428, 1.462, 0.246),
    1: (5.936, 2.770, 4.260, 1.326),
    2: (6.588, 2.974, 5.552, 2.026),
}


def test_iris_shapes_and_classes():
    X, y = ds.iris()
    assert X.shape == (150, 4) and X.dtype == np.float64
    assert y.shape == (150,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [50, 50, 50]
    assert len(ds.iris_feature_names) == 4
    assert ds.iris_class_names == ("setosa", "versicolor", "virginica")


@pytest.mark.parametrize("label", [0, 1, 2])
def test_iris_class_means_match_fisher(label):
    X, y = ds.iris()
    means = np.round(X[y == label].mean(axis=0), 3)
    np.testing.assert_allclose(means, IRIS_MEANS[label], atol=1e-9)


def test_iris_rows_35_and_38_are_fishers_values_not_uci_errata():
    X, _ = ds.iris()
    np.testing.assert_array_equal(X[0], [5.1, 3.5, 1.4, 0.2])
    np.testing.assert_array_equal(X[34], [4.9, 3.1, 1.5, 0.2])
    np.testing.assert_array_equal(X[37], [4.9, 3.6, 1.4, 0.1])
    np.testing.assert_array_equal(X[149], [5.9, 3.0, 5.1, 1.8])


def test_iris_returns_copies():
    X, _ = ds.iris()
    X[0, 0] = -1.0
    assert ds.iris()[0][0, 0] == 5.1


# --- helpers ---------------------------------------------------------------------------------

def test_one_hot_round_trip():
    labels = np.array([2, 0, 1, 1, 0])
    one_hot = ds.to_one_hot(labels)
    assert one_hot.shape == (5, 3) and one_hot.dtype == np.float64
    np.testing.assert_array_equal(one_hot.sum(axis=1), np.ones(5))
    np.testing.assert_array_equal(ds.to_labels(one_hot), labels)
    assert ds.to_one_hot(labels, n_classes=4).shape == (5, 4)
    assert ds.to_labels(one_hot).dtype == np.int64


def test_one_hot_accepts_column_and_whole_floats():
    np.testing.assert_array_equal(ds.to_one_hot(np.array([[1], [0]])), [[0, 1], [1, 0]])
    np.testing.assert_array_equal(ds.to_one_hot([1.0, 0.0]), [[0, 1], [1, 0]])


def test_to_labels_argmax_of_probabilities_and_sigmoid_column():
    probs = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]])
    np.testing.assert_array_equal(ds.to_labels(probs), [1, 0])
    np.testing.assert_array_equal(ds.to_labels(np.array([[0.2], [0.5], [0.9]])), [0, 1, 1])


@pytest.mark.parametrize("fraction,n_val", [(0.2, 20), (0.5, 50), (0.001, 1), (0.999, 99)])
def test_split_sizes_and_no_overlap(fraction, n_val):
    X = np.arange(200.0).reshape(100, 2)
    y = np.arange(100)
    X_tr, y_tr, X_val, y_val = ds.train_val_split(X, y, validation_fraction=fraction, seed=1)
    assert len(X_val) == len(y_val) == n_val and len(X_tr) == len(y_tr) == 100 - n_val
    assert set(y_tr).isdisjoint(y_val) and set(y_tr) | set(y_val) == set(range(100))
    np.testing.assert_array_equal(X_tr[:, 0], 2 * y_tr)  # rows stay paired
    np.testing.assert_array_equal(X_val[:, 0], 2 * y_val)


def test_split_without_shuffle_takes_the_last_rows_and_seed_decides_shuffle():
    X, y = np.arange(10.0)[:, None], np.arange(10)
    _, y_tr, _, y_val = ds.train_val_split(X, y, 0.3, shuffle=False)
    np.testing.assert_array_equal(y_val, [7, 8, 9])
    np.testing.assert_array_equal(y_tr, range(7))
    a = ds.train_val_split(X, y, 0.3, seed=0)[3]
    assert np.array_equal(a, ds.train_val_split(X, y, 0.3, seed=0)[3])
    assert not np.array_equal(a, ds.train_val_split(X, y, 0.3, seed=1)[3])


def test_load_resolves_names():
    X, y = ds.load("Spiral", n=30, noise=0.1, seed=2)
    X2, y2 = ds.spiral(n=30, noise=0.1, seed=2)
    np.testing.assert_array_equal(X, X2)
    assert ds.load("iris")[0].shape == (150, 4)
    assert set(ds.NAMES) == {"circle", "xor", "gauss", "spiral", "moons", "linear", "sine", "iris"}


# --- bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize("make", GENERATORS, ids=_name)
@pytest.mark.parametrize("kw,error,words", [
    ({"n": 0}, ValueError, ">= 1"),
    ({"n": -5}, ValueError, ">= 1"),
    ({"n": 2.5}, TypeError, "integer"),
    ({"n": "100"}, TypeError, "integer"),
    ({"n": True}, TypeError, "integer"),
    ({"noise": -0.1}, ValueError, ">= 0"),
    ({"noise": float("nan")}, ValueError, ">= 0"),
    ({"noise": float("inf")}, ValueError, ">= 0"),
    ({"noise": "high"}, TypeError, "float"),
    ({"seed": 1.5}, TypeError, "seed"),
    ({"seed": -1}, ValueError, "seed"),
])
def test_generators_reject_bad_arguments(make, kw, error, words):
    with pytest.raises(error, match=words) as info:
        make(**kw)
    assert "got" in str(info.value) and "pass" in str(info.value)


@pytest.mark.parametrize("labels,error,words", [
    ([0.5, 1.0], TypeError, "integers"),
    (["a", "b"], TypeError, "integers"),
    ([0, -1], ValueError, ">= 0"),
    (np.zeros((2, 2), dtype=int), ValueError, r"\(n,\)"),
])
def test_to_one_hot_rejects_bad_labels(labels, error, words):
    with pytest.raises(error, match=words):
        ds.to_one_hot(labels)


def test_to_one_hot_rejects_too_few_classes():
    with pytest.raises(ValueError, match=r"n_classes >= 3.*n_classes=3"):
        ds.to_one_hot([0, 2], n_classes=2)


def test_to_labels_rejects_three_dimensional_input():
    with pytest.raises(ValueError, match=r"\(n, k\)"):
        ds.to_labels(np.zeros((2, 3, 4)))


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.2, 1.5, float("nan"), "0.2"])
def test_split_rejects_fraction_outside_open_interval(fraction):
    with pytest.raises(ValueError, match=r"in \(0, 1\)"):
        ds.train_val_split(np.zeros((10, 2)), np.zeros(10), validation_fraction=fraction)


@pytest.mark.parametrize("kw, error, words", [
    ({"slope": float("nan")}, ValueError, "slope must be a finite number, got nan"),
    ({"intercept": float("inf")}, ValueError, "intercept must be a finite number"),
    ({"slope": "2"}, TypeError, "slope must be a finite number, got '2'"),
    ({"intercept": None}, TypeError, "intercept must be a finite number"),
])
def test_linear_rejects_a_line_that_is_not_finite_numbers(kw, error, words):
    with pytest.raises(error, match=words):
        ds.linear(**kw)


def test_split_refuses_text_for_shuffle_and_ragged_rows():
    with pytest.raises(TypeError, match="shuffle must be True or False; received 'no'"):
        ds.train_val_split(np.zeros((10, 2)), np.zeros(10), shuffle="no")  # was read as True
    with pytest.raises(ValueError, match="X must be a rectangular array of numbers"):
        ds.train_val_split([[1.0, 2.0], [3.0]], [0, 1])


def test_split_rejects_mismatched_lengths_and_single_row():
    with pytest.raises(ValueError, match=r"same number of rows.*\(10, 2\).*\(9,\)"):
        ds.train_val_split(np.zeros((10, 2)), np.zeros(9))
    with pytest.raises(ValueError, match=">= 2"):
        ds.train_val_split(np.zeros((1, 2)), np.zeros(1))


@pytest.mark.parametrize("name", ["circles", "", 3])
def test_load_unknown_name_lists_valid_names(name):
    with pytest.raises(ValueError, match="circle, xor, gauss, spiral, moons, linear, sine, iris"):
        ds.load(name)


# --- a student's own data: from_csv ----------------------------------------------------------

def _csv(tmp_path, text, name="data.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_from_csv_numbers_and_integer_labels(tmp_path):
    path = _csv(tmp_path, "x1,label,x2\n0.5,1,2\n-1e-1,0,3.25\n\n 7 , 1 ,8\n")
    X, y = ds.from_csv(path)
    np.testing.assert_array_equal(X, [[0.5, 2.0], [-0.1, 3.25], [7.0, 8.0]])
    assert X.dtype == np.float64 and X.shape == (3, 2)
    np.testing.assert_array_equal(y, [1, 0, 1])
    assert y.dtype == np.int64


def test_from_csv_real_target_is_regression(tmp_path):
    X, y = ds.from_csv(_csv(tmp_path, "x,y\n1,0.5\n2,1.5\n3,1.5\n"), target="y")
    assert y.dtype == np.float64 and y.tolist() == [0.5, 1.5, 1.5]
    assert X.shape == (3, 1)


def test_from_csv_class_names_in_sorted_order(tmp_path):
    text = "a,b,species\n1,2,virginica\n3,4,setosa\n5,6,versicolor\n7,8,setosa\n"
    X, y = ds.from_csv(str(_csv(tmp_path, text)), target="species")
    assert y.tolist() == [2, 0, 1, 0]  # sorted: setosa, versicolor, virginica
    assert y.dtype == np.int64


def test_from_csv_reads_iris_back(tmp_path):
    X0, y0 = ds.iris()
    names = np.array(ds.iris_class_names)[y0]
    lines = ["sl,sw,pl,pw,species"] + [",".join([*map(repr, row.tolist()), n])
                                       for row, n in zip(X0, names)]
    X, y = ds.from_csv(_csv(tmp_path, "\n".join(lines), encoding="utf-8-sig"), target="species")
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)  # the iris class names are already in sorted order


def test_from_csv_missing_path_names_it(tmp_path):
    path = tmp_path / "nowhere" / "data.csv"
    with pytest.raises(FileNotFoundError, match="No CSV file at") as info:
        ds.from_csv(path)
    assert info.value.filename == str(path) and str(path) in str(info.value)


def _csv_error(tmp_path, text, **kw):
    with pytest.raises(ds.CSVFormatError) as info:
        ds.from_csv(_csv(tmp_path, text), **kw)
    assert isinstance(info.value, ValueError) and "data.csv" in str(info.value)
    return info.value


@pytest.mark.parametrize("text", ["", "\n\n  \n"])
def test_from_csv_empty_file(tmp_path, text):
    err = _csv_error(tmp_path, text)
    assert "the file is empty" in str(err) and err.line is None


def test_from_csv_header_without_samples(tmp_path):
    err = _csv_error(tmp_path, "x,label\n")
    assert "no samples" in str(err) and err.line == 1


def test_from_csv_missing_target_column(tmp_path):
    err = _csv_error(tmp_path, "x1,x2,Label\n1,2,0\n")
    assert err.line == 1
    assert "no column named 'label'" in str(err) and "'x1', 'x2', 'Label'" in str(err)
    assert "target='Label'" in str(err)


@pytest.mark.parametrize("separator", [";", "\t"])
def test_from_csv_with_another_delimiter_names_it(tmp_path, separator):
    text = separator.join(["x1", "x2", "label"]) + "\n" + separator.join(["1", "2", "0"]) + "\n"
    err = _csv_error(tmp_path, text)
    assert f"pass delimiter={separator!r}" in str(err), str(err)
    err = _csv_error(tmp_path, "x1;x2;y\n1;2;0\n")  # the target is not there either way
    assert "delimiter" not in str(err) and "target= with one of these names" in str(err)


@pytest.mark.parametrize("cell, words", [("abc", "'abc' is not a number"), ("", "is empty"),
                                          ("nan", "'nan' is not a finite number"),
                                          ("-inf", "'-inf' is not a finite number"),
                                          ("NaN", "'NaN' is not a finite number")])
def test_from_csv_bad_feature_cell(tmp_path, cell, words):
    err = _csv_error(tmp_path, f"x1,x2,label\n1,2,0\n\n3,{cell},1\n")
    assert (err.line, err.column, err.column_number) == (4, "x2", 2)
    assert "line 4, column 'x2' (column 2)" in str(err) and words in str(err)


def test_from_csv_nan_target(tmp_path):
    err = _csv_error(tmp_path, "x,label\n1,0\n2,nan\n3,1\n")
    assert (err.line, err.column) == (3, "label") and "not a finite number" in str(err)


def test_from_csv_empty_target(tmp_path):
    err = _csv_error(tmp_path, "x,label\n1,0\n2, \n")
    assert (err.line, err.column) == (3, "label") and "target is empty" in str(err)


@pytest.mark.parametrize("text, line, words", [
    ("x,label\n1,0\n2,1\n3,cat\n4,1\n", 4, "this target is a word but most of the column holds numbers"),
    ("x,label\n1,cat\n2,dog\n3,1\n4,dog\n", 4, "this target is a number but most of the column holds words"),
])
def test_from_csv_target_mixing_numbers_and_words(tmp_path, text, line, words):
    err = _csv_error(tmp_path, text)
    assert (err.line, err.column, err.column_number) == (line, "label", 2) and words in str(err)


@pytest.mark.parametrize("column", ["cat\ncat\ncat", "1\n1\n1"])
def test_from_csv_single_class(tmp_path, column):
    rows = "\n".join(f"{i},{c}" for i, c in enumerate(column.split("\n")))
    err = _csv_error(tmp_path, "x,label\n" + rows + "\n")
    assert err.column == "label" and "at least two classes" in str(err)


def test_from_csv_constant_real_target_is_fine(tmp_path):
    _, y = ds.from_csv(_csv(tmp_path, "x,y\n1,0.5\n2,0.5\n"), target="y")
    assert y.tolist() == [0.5, 0.5]


@pytest.mark.parametrize("row, n", [("1,2", 2), ("1,2,0,5", 4)])
def test_from_csv_ragged_rows(tmp_path, row, n):
    err = _csv_error(tmp_path, f"x1,x2,label\n1,2,0\n{row}\n")
    assert err.line == 3 and f"has {n} value(s) but the header (line 1) names 3 columns" in str(err)


@pytest.mark.parametrize("header, words", [("x,x,label", "two columns have this name"),
                                           ("x,,label", "column 2 of the header has no name"),
                                           ("label", "the only column is the target")])
def test_from_csv_bad_header(tmp_path, header, words):
    err = _csv_error(tmp_path, header + "\n" + ",".join("1" * len(header.split(","))) + "\n")
    assert err.line == 1 and words in str(err)


def test_from_csv_not_text_or_broken_quotes(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(b"x,label\n\xff\xfe\x00,1\n")
    with pytest.raises(ds.CSVFormatError, match="not a text file in UTF-8"):
        ds.from_csv(path)
    err = _csv_error(tmp_path, 'x,label\n1,"0\n')
    assert "not readable as CSV" in str(err)


def test_from_csv_target_must_be_a_name(tmp_path):
    with pytest.raises(TypeError, match="target must be the name of a column"):
        ds.from_csv(_csv(tmp_path, "x,label\n1,0\n2,1\n"), target=1)


def test_from_csv_windows_lines_quotes_and_another_delimiter(tmp_path):
    X, y = ds.from_csv(_csv(tmp_path, '"x 1";"label"\r\n1.5;a\r\n2;"b"\r\n'), delimiter=";")
    assert X.tolist() == [[1.5], [2.0]] and y.tolist() == [0, 1]
