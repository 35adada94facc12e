"""The audit's rules about owned values: fixes that would change a value another system owns, and one
certification held from two sources with different values (`certnb.frame.owners` says who owns what).

    >>> from certnb.frame.build import build_frame
    >>> from certnb.frame.audit import audit
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
    ...     {"id": "c1", "displayName": "AZ-104", "issuingCompany": "MSFT", "certificationId": "X1",
    ...      "sources": [{"sourceId": "wd-1", "properties": ["issuingCompany"]}]},
    ...     {"id": "c2", "displayName": "CKA", "issuingCompany": "Microsoft", "certificationId": "X2"},
    ...     {"id": "c3", "displayName": "AZ-900", "issuingCompany": "Microsoft", "certificationId": "X3"}]}])
    >>> owned = audit(df, asof="2026-11-30").query("rule == 'owned-fix'")
    >>> owned[["id", "field", "suggested"]].values.tolist()
    [['c1', 'issuingCompany', 'Microsoft']]

- `owned-fix`: a fix the audit suggests (a `suggested` value, e.g. an issuer spelling), or an edit staged
  (`audit(df, staged=...)`), on a field an admin-controlled source owns. Graph refuses such an edit or the
  next import reverts it, so the finding says where to fix it instead; the suggesting finding's own `fix`
  says so too, so no suggestion proposes changing an owned value silently.
- `sources-disagree`: the same certification (the duplicate rule's key: title or certificationId) held by a
  person twice, from different sources, with different values in a field: which one is right is for a
  person to say, and the owning system's copy is the one that will stay.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from certnb.frame.findings import ROW
from certnb.frame.owners import Ownership
from certnb.schema import LABELS, WRITABLE_COLUMNS, is_missing

__all__ = [
    "OWNER_RULES",
    "disagreeing_sources",
    "owned_fix_text",
    "owned_fixes",
    "owned_suggestions",
    "staged_changes",
    "staged_owned_fixes",
]

OWNER_RULES: dict[str, str] = {"sources-disagree": "warning", "owned-fix": "warning"}
"""Rule name → severity, in report order (after the audit's other rules)."""

_COMPARED = tuple(c for c in WRITABLE_COLUMNS if c != "allowedAudiences")  # who may see it is per copy


def staged_changes(staged: Any) -> list[tuple[str, str, str, Any]]:
    """(userId, id, field, after) of each staged edit: from a `certnb.Staged` (its `edits`), or a table
    with those columns (e.g. `staged.diff().table`). The frame layer reads them, it does not stage.

    >>> staged_changes(pd.DataFrame({"userId": ["u1"], "id": ["c1"], "field": ["endDate"],
    ...                              "after": ["2027-01-31"]}))
    [('u1', 'c1', 'endDate', '2027-01-31')]
    """
    if staged is None:
        return []
    if isinstance(staged, pd.DataFrame):
        return [tuple(r) for r in staged[["userId", "id", "field", "after"]].itertuples(index=False)]
    edits = getattr(staged, "edits", None)
    if edits is None:
        raise TypeError(f"staged must be a certnb.Staged or a table of edits; got {type(staged).__name__}")
    return [(e.user_id, e.cert_id, e.field, e.after) for e in edits if e.field in LABELS]


def _joined(names: Iterable[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def owned_fixes(
    frame: pd.DataFrame, findings: list[dict[str, Any]], staged: Any = None,
    ownership: Ownership | None = None,
) -> Iterator[dict[str, Any]]:
    """`owned-fix` findings for the suggested fixes among `findings` (whose `fix` text is amended in
    place) and for the staged edits, on fields an admin-controlled source owns."""
    ownership = Ownership(frame) if ownership is None else ownership
    if not ownership:
        return
    for finding in findings:
        if finding["suggested"] is None:
            continue
        key = (finding["userId"], finding["id"])
        owning = ownership.owners(key, finding["field"])
        if not owning:
            continue
        where = _joined(owning)
        finding["fix"] = owned_fix_text(finding["fix"], where)
        yield _owned(finding, where, "the audit suggests", finding["suggested"])
    yield from staged_owned_fixes(frame, staged, ownership)


def owned_fix_text(fix: str, where: str) -> str:
    """A suggesting finding's `fix`, saying where the value is to be fixed instead."""
    return f"{fix}, in {where} (it owns this value; a Graph edit would not last)"


def staged_owned_fixes(frame: pd.DataFrame, staged: Any, ownership: Ownership) -> Iterator[dict[str, Any]]:
    """`owned-fix` findings for the staged edits of fields an admin-controlled source owns."""
    changes = staged_changes(staged)
    if not changes:
        return
    rows = _rows_by_key(frame)
    for user_id, cert_id, field, after in changes:
        owning = ownership.owners((user_id, cert_id), field)
        row = rows.get((user_id, cert_id))
        if owning and row is not None:
            finding = {**row, "field": field, "value": _value(frame, row[ROW], field)}
            yield _owned(finding, _joined(owning), "an edit is staged to set", after)


def owned_suggestions(table: pd.DataFrame, ownership: Ownership, owned_rows: Any = None
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The findings `table` with the `fix` of each suggestion on an owned value amended (`owned_fix_text`),
    and the `owned-fix` findings for those suggestions, in the table's order; made column-wise.
    `owned_rows`, if known: per row of the frame, may a source own it (its findings carry `ROW`)? The
    others' suggestions are not looked up."""
    suggested = table["suggested"].notna().to_numpy(copy=True)
    if owned_rows is not None:
        suggested &= np.asarray(owned_rows, dtype=bool)[np.asarray(table[ROW], dtype=np.int64)]
    suggesting = np.flatnonzero(suggested)
    users = table["userId"].to_numpy(dtype=object)[suggesting].tolist()
    ids = table["id"].to_numpy(dtype=object)[suggesting].tolist()
    fields = table["field"].to_numpy(dtype=object)[suggesting].tolist()
    wheres = [_joined(o) if (o := ownership.owners((u, i), f)) else None
              for u, i, f in zip(users, ids, fields, strict=True)]
    hit = [w is not None for w in wheres]
    rows = suggesting[np.array(hit, dtype=bool)] if len(suggesting) else suggesting
    owners = [w for w in wheres if w is not None]
    if not owners:
        return table, table.iloc[:0]
    fixes: list[Any] = table["fix"].to_numpy(dtype=object)[rows].tolist()
    owned = table.iloc[rows].reset_index(drop=True)
    amended = table["fix"].to_numpy(dtype=object, copy=True)
    amended[rows] = [owned_fix_text(f, w) for f, w in zip(fixes, owners, strict=True)]
    # A new table sharing the other columns (copy-on-write), not a copy; objects, not inferred text.
    table = table.assign(fix=pd.Series(amended, index=table.index, dtype=object))
    # Objects, not inferred text (which pyarrow would copy into Arrow), as in every findings table.
    owned["rule"] = np.full(len(owned), "owned-fix", dtype=object)
    owned["severity"] = np.full(len(owned), OWNER_RULES["owned-fix"], dtype=object)
    wanted = owned["suggested"].tolist()
    owned["detail"] = np.array([_owned_detail(f, w, "the audit suggests", v)
                                for f, w, v in zip(owned["field"].tolist(), owners, wanted, strict=True)],
                               dtype=object)
    owned["fix"] = np.array([_owned_fix(w) for w in owners], dtype=object)
    return table, owned


def _owned_detail(field: str, where: str, how: str, wanted: Any) -> str:
    label = LABELS.get(field, field)
    return (f"{how} {label} {_shown(wanted)}, but {where} owns {label}: Graph refuses the edit, or the next "
            "import puts the old value back")


def _owned_fix(where: str) -> str:
    return f"correct it in {where} (staged.source_fixes() lists such fixes to send there)"


def _owned(base: dict[str, Any], where: str, how: str, wanted: Any) -> dict[str, Any]:
    return {
        **{k: v for k, v in base.items() if k == ROW or not k.startswith("_")},
        "rule": "owned-fix",
        "severity": OWNER_RULES["owned-fix"],
        "detail": _owned_detail(base["field"], where, how, wanted),
        "fix": _owned_fix(where),
        "suggested": wanted,
    }


def _rows_by_key(frame: pd.DataFrame) -> dict[tuple[str, str], dict[str, Any]]:
    cells = frame[["userId", "userPrincipalName", "id", "displayName"]].itertuples(index=False)
    return {(str(r.userId), str(r.id)): {"userId": r.userId, "userPrincipalName": r.userPrincipalName,
                                         "id": r.id, "displayName": r.displayName, ROW: i}
            for i, r in enumerate(cells)}


def _value(frame: pd.DataFrame, position: int, field: str) -> Any:
    if field not in frame.columns:
        return None
    value = frame[field].iat[position]
    return None if is_missing(value) else value


def _shown(value: Any) -> str:
    if value is None or is_missing(value):
        return "(empty)"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    return repr(value) if isinstance(value, str) else str(value)


def disagreeing_sources(
    frame: pd.DataFrame, keys: pd.DataFrame, ownership: Ownership | None = None, shared: Any = None
) -> Iterator[dict[str, Any]]:
    """`sources-disagree` findings: per person, records that are the same certification by `keys` (the
    duplicate rule's title and reference), come from different sources, and differ in a field's value;
    `ownership`: the frame's `Ownership`, and `shared`: per row, whether another row of its person has its
    title or reference (the duplicate rule's rows), if known already."""
    ownership = Ownership(frame) if ownership is None else ownership
    if not ownership:
        return
    # Only rows sharing a person and a title or a reference with another row can disagree: found column-wise
    # first, so the pairs below are looked at among those few rows, not a million.
    if shared is None:
        shared = np.zeros(len(frame), dtype=bool)
        for kind in ("title", "reference"):
            value = keys[kind].astype(object).to_numpy()
            pair = pd.DataFrame({"u": frame["userId"].to_numpy(), "k": value})
            shared |= pair.duplicated(keep=False).to_numpy() & (value != "")
    candidates = np.flatnonzero(np.asarray(shared, dtype=bool)).tolist()
    if not candidates:
        return
    people = frame["userId"].astype(object).to_numpy()
    ids = frame["id"].astype(object).to_numpy()
    values = {field: _cells(frame, field, candidates) for field in _COMPARED}
    titles = keys["title"].astype(object).to_numpy()
    references = keys["reference"].astype(object).to_numpy()
    sourced = [i for i in candidates if ownership.sources((people[i], ids[i]))]
    groups: dict[tuple[Any, str, str], list[int]] = {}
    for i in sourced:
        for kind, column in (("title", titles), ("reference", references)):
            key = str(column[i])
            if key:
                groups.setdefault((people[i], kind, key), []).append(i)
    reported: set[tuple[int, str]] = set()
    for members in groups.values():
        if len(members) < 2:
            continue
        for i in members:
            mine = ownership.sources((people[i], ids[i]))
            for j in members:
                theirs = ownership.sources((people[j], ids[j]))
                if i == j or set(mine) == set(theirs):
                    continue
                for field in _COMPARED:
                    a, b = values[field][i], values[field][j]
                    if a is None or b is None or a == b or (i, field) in reported:
                        continue
                    reported.add((i, field))
                    yield _disagreement(frame, i, field, a, b, mine, theirs, ids[j])


def _cells(frame: pd.DataFrame, field: str, positions: list[int]) -> dict[int, Any]:
    """A column's cells at `positions` as Python objects, None where missing (or the frame lacks it)."""
    if field not in frame.columns:
        return dict.fromkeys(positions)
    cells = np.array(frame[field].iloc[positions].astype(object), dtype=object)
    cells[pd.isna(cells)] = None  # the markers `is_missing` knows (None, NA, NaT, NaN), column-wise
    return dict(zip(positions, cells.tolist(), strict=True))


def _disagreement(
    frame: pd.DataFrame, i: int, field: str, mine: Any, theirs: Any, my_sources: tuple[str, ...],
    their_sources: tuple[str, ...], other_id: str,
) -> dict[str, Any]:
    label = LABELS.get(field, field)
    row = frame.iloc[i]
    return {
        "rule": "sources-disagree",
        "severity": OWNER_RULES["sources-disagree"],
        "userId": row["userId"],
        "userPrincipalName": row["userPrincipalName"],
        "id": row["id"],
        "displayName": row["displayName"],
        "field": field,
        "value": mine,
        "detail": f"{label} is {_shown(mine)} here (from {_joined(my_sources)}) but {_shown(theirs)} in "
                  f"{other_id} (from {_joined(their_sources)})",
        "fix": "decide which is right; correct the owning system's copy there, and merge or delete the other",
        "suggested": None,
        ROW: i,
    }
