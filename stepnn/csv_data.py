"""A student's own data from a CSV file: ``from_csv(path, target="label") -> (X, y)``.

The file is plain comma-separated text (UTF-8, a byte-order mark is fine): a header line naming
the columns, then one line per sample. The ``target`` column is y; every other column is a
feature of X, in the file's order. Blank lines are skipped. Anything else the reader cannot
take is refused with a ``CSVFormatError`` that names the line and the column.
"""
from __future__ import annotations

import csv
import math
import os

import numpy as np

from ._checks import MissingFileError
from .terms import phrase

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
            where.append(phrase("errors.csv.line", line=line))
        if column is not None:
            where.append(phrase("errors.csv.column", column=column, number=column_number))
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
        raise TypeError(phrase("errors.csv.target_type", target=target))
    rows = _read_rows(path, delimiter)
    if not rows:
        raise CSVFormatError(path, phrase("errors.csv.empty"))
    header_line, header = rows[0]
    header = [name.strip() for name in header]
    _check_header(path, header_line, header, target)
    if len(rows) == 1:
        raise CSVFormatError(path, phrase("errors.csv.no_samples"), line=header_line)
    for line, row in rows[1:]:
        if len(row) != len(header):
            raise CSVFormatError(path, phrase("errors.csv.row_length", got=len(row),
                                              header_line=header_line, n=len(header)), line=line)
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
        raise MissingFileError(phrase("errors.csv.not_found", path=path,
                                      full=os.path.abspath(path)), path) from None
    with f:
        reader = csv.reader(f, delimiter=delimiter, strict=True)
        rows = []
        try:
            for row in reader:
                if row and not (len(row) == 1 and not row[0].strip()):
                    rows.append((reader.line_num, row))
        except csv.Error as exc:
            raise CSVFormatError(path, phrase("errors.csv.unreadable", exc=exc),
                                 line=reader.line_num + 1) from None
        except UnicodeDecodeError:
            raise CSVFormatError(path, phrase("errors.csv.not_utf8")) from None
    return rows


def _check_header(path: str, line: int, header: list, target: str) -> None:
    for j, name in enumerate(header):
        if not name:
            raise CSVFormatError(path, phrase("errors.csv.unnamed_column", number=j + 1), line=line)
        if header.index(name) != j:
            raise CSVFormatError(path, phrase("errors.csv.duplicate_column"), line=line,
                                 column=name, column_number=j + 1)
    if target not in header:
        near = [n for n in header if n.lower() == target.strip().lower()]
        hint = f"target={near[0]!r}" if near else phrase("errors.csv.target_hint")
        if len(header) == 1:  # one name holding them all: another delimiter (a ; or a tab)
            other = [sep for sep in ";\t|" if target in (n.strip() for n in header[0].split(sep))]
            hint = f"delimiter={other[0]!r}" if other else hint
        raise CSVFormatError(path, phrase("errors.csv.no_target", target=target, hint=hint,
                                          columns=", ".join(map(repr, header))), line=line)
    if len(header) == 1:
        raise CSVFormatError(path, phrase("errors.csv.only_target", target=target), line=line)


def _number(cell: str) -> "float | None":
    try:
        return float(cell)
    except ValueError:
        return None


def _feature(path: str, line: int, cell: str, name: str, number: int) -> float:
    value = _number(cell)
    if not cell.strip():
        problem = phrase("errors.csv.feature_empty")
    elif value is None:
        problem = phrase("errors.csv.feature_not_number", cell=cell.strip())
    elif not math.isfinite(value):
        problem = phrase("errors.csv.feature_not_finite", cell=cell.strip())
    else:
        return value
    raise CSVFormatError(path, problem, line, name, number)


def _target(path: str, cells: list, name: str, number: int) -> np.ndarray:
    """The target column as int64 labels, int64 class indices of sorted words, or float64."""
    values = []
    for line, cell in cells:
        cell = cell.strip()
        if not cell:
            raise CSVFormatError(path, phrase("errors.csv.target_empty"), line, name, number)
        value = _number(cell)
        if value is not None and not math.isfinite(value):
            raise CSVFormatError(path, phrase("errors.csv.target_not_finite", cell=cell),
                                 line, name, number)
        values.append(cell if value is None else value)
    words = [isinstance(v, str) for v in values]
    if any(words) and not all(words):
        odd = not (sum(words) * 2 > len(words))  # the kind fewer cells have is the odd one out
        line = next(line for (line, _), w in zip(cells, words) if w == odd)
        kinds = ("a_word", "numbers") if odd else ("a_number", "words")
        raise CSVFormatError(path, phrase("errors.csv.target_mixed",
                                          odd=phrase(f"errors.csv.{kinds[0]}"),
                                          most=phrase(f"errors.csv.{kinds[1]}")), line, name, number)
    if all(words):
        index = {word: k for k, word in enumerate(sorted(set(values)))}
        y = np.array([index[v] for v in values], dtype=np.int64) if len(index) > 1 else None
    else:
        y = np.array(values, dtype=np.float64)
        if np.all(y == np.round(y)) and np.all(np.abs(y) < 2.0 ** 53):
            y = y.astype(np.int64) if len(np.unique(y)) > 1 else None
    if y is None:
        raise CSVFormatError(path, phrase("errors.csv.one_class", cls=cells[0][1].strip()),
                             None, name, number)
    return y
