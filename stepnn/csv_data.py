"""A student's own data from a CSV file: ``from_csv(path, target="label") -> (X, y)``.

The file is plain comma-separated text (UTF-8, a byte-order mark is fine): a header line naming
the columns, then one line per sample. The ``target`` column is y; every other column is a
feature of X, in the file's order. Blank lines are skipped. Anything else the reader cannot
take is refused with a ``CSVFormatError`` that names the line and the column.
"""
from __future__ import annotations

import csv
import errno
import math
import os

import numpy as np

__all__ = ["from_csv", "CSVFormatError"]


class CSVFormatError(ValueError):
    """A CSV file that cannot be read as (X, y).

    Attributes:
        path: the file. line: the line number (1-based; None when no one line is at fault).
        column: the column's name, or None. column_number: its position, 1-based, or None.
    """

    def __init__(self, path: str, message: str, line: "int | None" = None,
                 column: "str | None" = None, column_number: "int | None" = None):
        self.path, self.line, self.column, self.column_number = path, line, column, column_number
        where = [repr(path)]
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column!r} (column {column_number})")
        super().__init__(f"{', '.join(where)}: {message}")


def from_csv(path: "str | os.PathLike", target: str = "label", delimiter: str = ",") -> tuple:
    """Load a CSV file as (X, y).

    Args:
        path: the CSV file.
        target: the name of the column to predict (the header's spelling, case included).
        delimiter: the character between values.

    Returns:
        X: float64 ``(n_samples, n_features)``, the other columns in the file's order.
        y: ``(n_samples,)``. Numbers that are all whole (``0, 1, 2``) give int64 class labels;
        other numbers give float64 (regression). Words (``setosa, versicolor``) give int64 class
        indices in sorted order: class k is ``sorted(set(words))[k]``.

    Raises:
        FileNotFoundError: no file at ``path``.
        CSVFormatError (a ValueError): an empty file, no column named ``target``, rows of
        different lengths, an empty, non-numeric, NaN or infinite feature, a target column that
        mixes numbers and words, or class labels with a single class.
    """
    path = os.fspath(path)
    if not isinstance(target, str) or not target.strip():
        raise TypeError(f"target must be the name of a column (a string), e.g. target='label'; "
                        f"received {target!r}.")
    rows = _read_rows(path, delimiter)
    if not rows:
        raise CSVFormatError(path, "the file is empty. Expected a header line naming the columns, "
                                   "e.g. 'x1,x2,label', then one line per sample.")
    header_line, header = rows[0]
    header = [name.strip() for name in header]
    _check_header(path, header_line, header, target)
    if len(rows) == 1:
        raise CSVFormatError(path, "the file has a header but no samples. Add one line per sample "
                                   "below the header.", line=header_line)
    for line, row in rows[1:]:
        if len(row) != len(header):
            raise CSVFormatError(path, f"this line has {len(row)} value(s) but the header (line "
                                       f"{header_line}) names {len(header)} columns. Every line "
                                       f"needs one value per column.", line=line)
    t = header.index(target)
    features = [j for j in range(len(header)) if j != t]
    X = np.array([[_feature(path, line, row[j], header[j], j + 1) for j in features]
                  for line, row in rows[1:]], dtype=np.float64).reshape(len(rows) - 1, len(features))
    y = _target(path, [(line, row[t]) for line, row in rows[1:]], target, t + 1)
    return X, y


def _read_rows(path: str, delimiter: str) -> list:
    """(line number, cells) of every non-blank line."""
    try:
        f = open(path, newline="", encoding="utf-8-sig")
    except FileNotFoundError:
        raise FileNotFoundError(errno.ENOENT, f"No CSV file at {path!r} (looked in "
                                f"{os.path.abspath(path)!r}). Check the name and the folder.",
                                path) from None
    with f:
        reader = csv.reader(f, delimiter=delimiter, strict=True)
        rows = []
        try:
            for row in reader:
                if row and not (len(row) == 1 and not row[0].strip()):
                    rows.append((reader.line_num, row))
        except csv.Error as exc:
            raise CSVFormatError(path, f"not readable as CSV ({exc}). Check the quotes on this "
                                       f"line.", line=reader.line_num + 1) from None
        except UnicodeDecodeError:
            raise CSVFormatError(path, "not a text file in UTF-8. Save it as 'CSV UTF-8' (a "
                                       "spreadsheet's export) and try again.") from None
    return rows


def _check_header(path: str, line: int, header: list, target: str) -> None:
    for j, name in enumerate(header):
        if not name:
            raise CSVFormatError(path, f"column {j + 1} of the header has no name. Give every "
                                       f"column a name.", line=line)
        if header.index(name) != j:
            raise CSVFormatError(path, "two columns have this name. Give every column its own "
                                       "name.", line=line, column=name, column_number=j + 1)
    if target not in header:
        near = [n for n in header if n.lower() == target.strip().lower()]
        hint = f"target={near[0]!r}" if near else "target= with one of these names"
        raise CSVFormatError(path, f"no column named {target!r} (the target to predict). The "
                                   f"columns are {', '.join(map(repr, header))}; pass {hint}.",
                             line=line)
    if len(header) == 1:
        raise CSVFormatError(path, f"the only column is the target {target!r}; X needs at least "
                                   f"one feature column.", line=line)


def _number(cell: str) -> "float | None":
    try:
        return float(cell)
    except ValueError:
        return None


def _feature(path: str, line: int, cell: str, name: str, number: int) -> float:
    value = _number(cell)
    if not cell.strip():
        problem = "is empty; every feature needs a number. Fill it in or remove the line."
    elif value is None:
        problem = f"{cell.strip()!r} is not a number; every feature must be a number."
    elif not math.isfinite(value):
        problem = (f"{cell.strip()!r} is not a finite number (a missing or infinite value). "
                   f"Fill it in or remove the line.")
    else:
        return value
    raise CSVFormatError(path, problem, line, name, number)


def _target(path: str, cells: list, name: str, number: int) -> np.ndarray:
    """The target column as int64 labels, int64 class indices of sorted words, or float64."""
    values = []
    for line, cell in cells:
        cell = cell.strip()
        if not cell:
            raise CSVFormatError(path, "the target is empty; every sample needs one.", line, name,
                                 number)
        value = _number(cell)
        if value is not None and not math.isfinite(value):
            raise CSVFormatError(path, f"the target {cell!r} is not a finite number (a missing or "
                                       f"infinite value). Fill it in or remove the line.",
                                 line, name, number)
        values.append(cell if value is None else value)
    words = [isinstance(v, str) for v in values]
    if any(words) and not all(words):
        odd = not (sum(words) * 2 > len(words))  # the kind fewer cells have is the odd one out
        line = next(line for (line, _), w in zip(cells, words) if w == odd)
        kinds = ("a word", "numbers") if odd else ("a number", "words")
        raise CSVFormatError(path, f"this target is {kinds[0]} but most of the column holds "
                                   f"{kinds[1]}. Use numbers for every sample (regression or "
                                   f"class labels 0, 1, ...) or words for every sample (class "
                                   f"names).", line, name, number)
    if all(words):
        index = {word: k for k, word in enumerate(sorted(set(values)))}
        y = np.array([index[v] for v in values], dtype=np.int64) if len(index) > 1 else None
    else:
        y = np.array(values, dtype=np.float64)
        if np.all(y == np.round(y)) and np.all(np.abs(y) < 2.0 ** 53):
            y = y.astype(np.int64) if len(np.unique(y)) > 1 else None
    if y is None:
        raise CSVFormatError(path, f"every sample has the same class, {cells[0][1].strip()!r}; a "
                                   f"classifier needs at least two classes. Add samples of "
                                   f"another class.", None, name, number)
    return y
