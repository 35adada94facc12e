"""The grid's view of its table: sort, per-column filters, free-text search and quick filters → row order,
and windows of that order as columnar binary chunks for the browser.

Pure functions over a `GridTable`, so every view is testable without a browser. The browser asks for a
window (`start`, `size`, default 200 rows) of the current order and gets one small JSON header and binary
buffers: the frame positions (int32), a flags byte per row, and every text column UTF-8 encoded, values
joined by U+001F (a control character the schema refuses in any text, so it never occurs in a cell). Besides
the frame's columns a row carries its findings, what is staged, and its cells other systems own (`owned`:
one JSON list of [hover text, fields] per row, "" for the usual row nobody owns a cell of).

    >>> from certnb.frame.build import build_frame
    >>> from certnb.widgets.datagrid.table import GridTable
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "a@x", "displayName": "Ann", "certifications": [
    ...     {"id": "c1", "displayName": "AZ-104", "endDate": "2026-12-15"},
    ...     {"id": "c2", "displayName": "CKA", "endDate": "2028-01-31"}]}])
    >>> table = GridTable(df, asof="2026-11-30")
    >>> order(table, Query(sort=(("endDate", "desc"),))).tolist()
    [1, 0]
    >>> order(table, Query(expiring_within=30)).tolist()
    [0]
    >>> header, buffers = encode_window(table, order(table, Query()), 0, 200)
    >>> decode_window(header, buffers)[1]["displayName"]
    'CKA'
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from certnb.frame.audit import as_day
from certnb.widgets.datagrid.columns import DATA_FIELDS
from certnb.widgets.datagrid.table import GridTable

__all__ = ["SELECTED", "SEPARATOR", "STAGED", "WINDOW", "Query", "decode_window", "encode_window", "order"]

WINDOW = 200
"""Rows per window the browser asks for."""
SEPARATOR = "\x1f"
STAGED, SELECTED, FINDINGS = 1, 2, 4  # bits of the flags byte


@dataclass(frozen=True)
class Query:
    """What the analyst asked to see: `sort` ((field, "asc"|"desc"), ...), `filters` ((field, text), ...:
    case-insensitive "contains"), `search` (any shown column contains it), `expiring_within` N days of the
    audit day, `rule` (rows with a finding of that audit rule), `staged_only` (anything staged: edits, new
    rows, deletes), `new_only` (new rows: staged creates and drafts), `deleted_only` (rows staged for
    deletion)."""

    sort: tuple[tuple[str, str], ...] = ()
    filters: tuple[tuple[str, str], ...] = ()
    search: str = ""
    expiring_within: int | None = None
    rule: str = ""
    staged_only: bool = False
    new_only: bool = False
    deleted_only: bool = False

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> Query:
        """A query from the browser's message (unknown fields are ignored; nothing is evaluated)."""
        sort = tuple((str(s["field"]), "desc" if s.get("dir") == "desc" else "asc")
                     for s in message.get("sort") or () if s.get("field") in DATA_FIELDS)
        filters = tuple((str(f["field"]), str(f.get("value") or "")) for f in message.get("filters") or ()
                        if f.get("field") in (*DATA_FIELDS, "findings", "staged") and f.get("value"))
        within = message.get("expiring_within")
        return cls(sort, filters, str(message.get("search") or ""),
                   int(within) if isinstance(within, int | float) and within >= 0 else None,
                   str(message.get("rule") or ""), bool(message.get("staged_only")),
                   bool(message.get("new_only")), bool(message.get("deleted_only")))


def _contains(column: np.ndarray, text: str) -> np.ndarray:
    found: np.ndarray = pd.Series(column, dtype=object).str.contains(text, case=False, regex=False).to_numpy(
        dtype=bool, na_value=False)
    return found


def _findings_text(table: GridTable) -> np.ndarray:
    return np.array([" ".join(f.rule for f in table.findings(p)) for p in range(table.size)], dtype=object)


def _staged_mask(table: GridTable) -> np.ndarray:
    found: np.ndarray = np.isin(np.arange(table.size), [*table.staged, *table.deleted])  # a create: its title
    return found


def order(table: GridTable, query: Query) -> np.ndarray:
    """The frame positions the grid shows for `query`, in display order: unsorted, new rows come first
    (where the analyst who added one sees it), then the frame's rows in their order."""
    keep = table.shown_mask()
    for name, text in query.filters:
        if name == "findings":
            keep &= _contains(_findings_text(table), text)
        elif name == "staged":
            keep &= _staged_mask(table)
        elif name == "userDisplayName":  # the person column shows the name over the sign-in name
            keep &= _contains(table.text[name], text) | _contains(table.text["userPrincipalName"], text)
        else:
            keep &= _contains(table.text[name], text)
    if query.search:
        hits = np.zeros(table.size, dtype=bool)
        for name in DATA_FIELDS:
            hits |= _contains(table.text[name], query.search)
        keep &= hits
    if query.expiring_within is not None:
        day = as_day(table.asof)
        first, last = (d.date().isoformat() for d in (day, day + pd.Timedelta(days=query.expiring_within)))
        end = table.text["endDate"]
        keep &= (end >= first) & (end <= last) & (end != "")
    if query.rule:
        keep &= table.rule_mask(query.rule)
    if query.staged_only:
        keep &= _staged_mask(table)
    if query.new_only:
        keep &= np.arange(table.size) >= table.base
    if query.deleted_only:
        keep &= np.isin(np.arange(table.size), list(table.deleted))
    positions = np.flatnonzero(keep)
    if not query.sort:
        positions = np.concatenate([positions[positions >= table.base], positions[positions < table.base]])
    for name, direction in reversed(query.sort):  # stable sorts, last key first
        keys = pd.Series(table.text[name][positions], dtype=object)
        if name not in ("issuedDate", "startDate", "endDate"):
            keys = keys.str.casefold()
        codes = pd.factorize(keys, sort=True)[0]  # equal keys share a code: ties keep their order either way
        positions = positions[np.argsort(-codes if direction == "desc" else codes, kind="stable")]
    return positions.astype(np.int32)


def _row_extras(table: GridTable, position: int) -> tuple[str, str]:
    findings = table.findings(position)
    staged = table.staged.get(position, {})
    why = table.why.get(position, {})  # a third member, when known: why it was staged, and by whom
    return (json.dumps([[f.rule, f.severity, f.detail] for f in findings]) if findings else "",
            json.dumps({k: [b, a, why[k]] if k in why else [b, a] for k, (b, a) in staged.items()})
            if staged else "")


def encode_window(table: GridTable, positions: np.ndarray, start: int, size: int = WINDOW, *,
                  selected: Collection[int] = ()) -> tuple[dict[str, Any], list[bytes]]:
    """Rows `start`..`start+size` of `positions` as (header, buffers); `decode_window` reads them back.

    Buffers: [positions int32, flags uint8, then one UTF-8 text buffer per header "columns" entry].
    """
    chunk = positions[start:start + size]
    rows = chunk.tolist()
    extras = [_row_extras(table, p) for p in rows]
    flags = np.array([(STAGED if p in table.staged else 0) | (SELECTED if p in selected else 0)
                      | (FINDINGS if e[0] else 0) | table.marks(p)
                      for p, e in zip(rows, extras, strict=True)], dtype=np.uint8)
    texts = {name: table.text[name][chunk].tolist() for name in DATA_FIELDS}
    texts["findings"] = [e[0] for e in extras]
    texts["staged"] = [e[1] for e in extras]
    texts["owned"] = [table.owned.encoded(p) for p in rows]  # "" for the rows nobody owns a cell of
    header = {"start": int(start), "count": len(rows), "total": len(positions), "columns": list(texts)}
    buffers = [chunk.astype("<i4").tobytes(), flags.tobytes()]
    buffers += [SEPARATOR.join(v.replace(SEPARATOR, " ") for v in values).encode("utf-8")
                for values in texts.values()]
    return header, buffers


def decode_window(header: dict[str, Any], buffers: list[bytes]) -> list[dict[str, Any]]:
    """The rows of an encoded window as dicts (what the browser side builds), for tests and tools."""
    count = header["count"]
    positions = np.frombuffer(buffers[0], dtype="<i4").tolist()
    flags = np.frombuffer(buffers[1], dtype=np.uint8).tolist()
    columns = {name: bytes(data).decode("utf-8").split(SEPARATOR) if count else []
               for name, data in zip(header["columns"], buffers[2:], strict=True)}
    return [{"_pos": positions[i], "_flags": flags[i], **{name: columns[name][i] for name in columns}}
            for i in range(count)]
