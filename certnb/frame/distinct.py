"""Per distinct value: work a column's distinct cells once and spread the answers back over its rows.

A tenant's million certifications hold far fewer titles, references, issuers and links than rows, so a rule
that trims, casefolds or parses each cell costs what the distinct cells cost: the column is factorised
once, the function runs on its uniques, and the answers are taken back by code. `Distinct` keeps one
column's factorisation so that several rules share it; `DistinctColumns` keeps one per column of a frame
for the length of an audit.

    >>> import pandas as pd
    >>> titles = Distinct(pd.Series([" AZ-104", "az-104 ", None], dtype="string"))
    >>> titles.each(str.casefold, missing="").tolist()
    [' az-104', 'az-104 ', '']
    >>> issuers = Distinct(pd.Series(["MSFT", "PMI", "MSFT", None]))
    >>> issuers.uniques, issuers.counts.tolist()
    (['MSFT', 'PMI'], [2, 1])
    >>> issuers.where([True, False]).tolist()
    [True, False, True, False]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from certnb.schema import TEXT_DTYPE

__all__ = ["Distinct", "DistinctColumns"]


class Distinct:
    """One column factorised: `codes` (each row's distinct cell, -1 where missing), `uniques` (the distinct
    cells as Python objects, in order of first appearance) and `counts` (rows per unique)."""

    __slots__ = ("_counts", "codes", "uniques")

    def __init__(self, column: pd.Series) -> None:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        self.codes: np.ndarray = codes
        self.uniques: list[Any] = np.asarray(uniques, dtype=object).tolist()
        self._counts: np.ndarray | None = None

    @property
    def counts(self) -> np.ndarray:
        """How many rows hold each unique (`uniques` order)."""
        if self._counts is None:
            present = self.codes[self.codes >= 0]
            self._counts = np.bincount(present, minlength=len(self.uniques))
        return self._counts

    def take(self, answers: Sequence[Any], missing: Any = None) -> np.ndarray:
        """Each row's answer (an object array): `answers[i]` answers `uniques[i]`; `missing` a missing cell.

        >>> Distinct(pd.Series(["a", None, "b"])).take(["A", "B"], missing="-").tolist()
        ['A', '-', 'B']
        """
        table = np.empty(len(self.uniques) + 1, dtype=object)
        table[:-1] = list(answers)
        table[-1] = missing  # code -1, a missing cell, takes the last answer
        cells: np.ndarray = table[self.codes]
        return cells

    def each(self, function: Callable[[Any], Any], missing: Any = None) -> np.ndarray:
        """`function` of each row's cell, worked once per unique (an object array)."""
        return self.take([function(u) for u in self.uniques], missing)

    def where(self, chosen: Iterable[bool]) -> np.ndarray:
        """Per row: is its cell one of the `chosen` uniques (one flag per unique)? A missing cell is not."""
        flags = np.zeros(len(self.uniques) + 1, dtype=bool)
        flags[:-1] = np.fromiter(chosen, dtype=bool, count=len(self.uniques))
        rows: np.ndarray = flags[self.codes]
        return rows


class DistinctColumns:
    """A frame's text columns, each factorised once on first use (`Distinct`), for the rules of one audit;
    a column that is not text yet (a frame built by hand) is read as text first, as the rules read it.

    >>> cells = DistinctColumns(pd.DataFrame({"issuingCompany": ["MSFT", "MSFT"]}))
    >>> cells["issuingCompany"] is cells["issuingCompany"], cells["issuingCompany"].uniques
    (True, ['MSFT'])
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame
        self._columns: dict[str, Distinct] = {}

    def __getitem__(self, column: str) -> Distinct:
        found = self._columns.get(column)
        if found is None:
            cells = self._frame[column]
            if not isinstance(cells.dtype, pd.StringDtype):
                cells = cells.astype(TEXT_DTYPE)
            found = self._columns[column] = Distinct(cells)
        return found
