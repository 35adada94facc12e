"""The journal's `rows` table: a `RowSnapshot` as one SQLite row (a column per writable field), and back.

    >>> row = RowSnapshot("u1", "c1", "a@x", "A", "AZ-104", {"endDate": "2026-12-31"})
    >>> [stored] = row_records([row], escaped=False)
    >>> row_snapshots([(*stored, False)])[0].loaded["endDate"]
    '2026-12-31'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from certnb.staging.edit import WRITABLE_FIELDS, LoadedValues, RowSnapshot
from certnb.staging.journal_values import BOOLEAN_FIELDS, stored_value, wire_value

# Values are stored as SQLite values, not JSON (`journal_values`). One column per writable field holds a
# row's loaded values. Value columns have no declared type (SQLite "BLOB" affinity keeps values as given; a
# declared ANY would turn the text "35558864" into a number).
_LOADED_SQL = ", ".join(f'"{name}"' for name in WRITABLE_FIELDS)
_BOOLEAN_POSITIONS = tuple(i for i, name in enumerate(WRITABLE_FIELDS) if name in BOOLEAN_FIELDS)
_ROW_VALUES = ("user_principal_name", "user_display_name", "display_name", *WRITABLE_FIELDS)
_ROW_HAS_BLOB = "'blob' IN (" + ", ".join(f'typeof("{name}")' for name in _ROW_VALUES) + ")"
ROW_PLACEHOLDERS = f"({', '.join('?' * (5 + len(WRITABLE_FIELDS)))})"
"""The `VALUES` of one row of the `rows` table."""
ROWS_SELECT = ("SELECT user_id, cert_id, user_principal_name, user_display_name, display_name, "
               f"{_LOADED_SQL}, {_ROW_HAS_BLOB} FROM rows")
"""Every row of the `rows` table, with whether any of its values is a BLOB last (`row_snapshots`)."""


def row_records(rows: Iterable[RowSnapshot], *, escaped: bool) -> list[tuple[Any, ...]]:
    """The `rows` table's records of `rows`; `escaped`: text UTF-8 cannot encode kept as BLOBs."""
    found = [(r.user_id, r.cert_id, r.user_principal_name, r.user_display_name, r.display_name,
              *_in_order(r.loaded)) for r in rows]
    if escaped:
        found = [(*row[:2], *map(stored_value, row[2:])) for row in found]
    return found


def row_snapshots(found: Iterable[tuple[Any, ...]]) -> list[RowSnapshot]:
    """The `RowSnapshot`s of rows read with `ROWS_SELECT`."""
    new = RowSnapshot._make  # one tuple per row, without keyword handling: a journal holds 100,000
    made = []
    for row in found:
        if row[-1]:  # text kept as BLOBs (`journal_values`); booleans are never BLOBs
            row = tuple(wire_value("", value) for value in row)
        loaded = list(row[5:-1])
        for i in _BOOLEAN_POSITIONS:
            if loaded[i] is not None:
                loaded[i] = bool(loaded[i])  # SQLite keeps booleans as 0/1
        made.append(new((*row[:5], LoadedValues(tuple(loaded)))))
    return made


def _in_order(loaded: Mapping[str, Any]) -> Iterable[Any]:
    """A row's loaded values in `WRITABLE_FIELDS` order (the `rows` table's columns)."""
    return loaded.ordered if type(loaded) is LoadedValues else map(loaded.get, WRITABLE_FIELDS)
