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

import pandas as pd

from certnb.frame.owners import Ownership
from certnb.schema import LABELS, WRITABLE_COLUMNS, is_missing

__all__ = ["OWNER_RULES", "disagreeing_sources", "owned_fixes", "staged_changes"]

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
    frame: pd.DataFrame, findings: list[dict[str, Any]], staged: Any = None
) -> Iterator[dict[str, Any]]:
    """`owned-fix` findings for the suggested fixes among `findings` (whose `fix` text is amended in
    place) and for the staged edits, on fields an admin-controlled source owns."""
    ownership = Ownership(frame)
    if not ownership:
        return
    rows = _rows_by_key(frame)
    for finding in findings:
        if finding["suggested"] is None:
            continue
        key = (finding["userId"], finding["id"])
        owning = ownership.owners(key, finding["field"])
        if not owning:
            continue
        where = _joined(owning)
        finding["fix"] = f"{finding['fix']}, in {where} (it owns this value; a Graph edit would not last)"
        yield _owned(finding, where, "the audit suggests", finding["suggested"])
    for user_id, cert_id, field, after in staged_changes(staged):
        owning = ownership.owners((user_id, cert_id), field)
        row = rows.get((user_id, cert_id))
        if owning and row is not None:
            finding = {**row, "field": field, "value": _value(frame, row["_position"], field)}
            yield _owned(finding, _joined(owning), "an edit is staged to set", after)


def _owned(base: dict[str, Any], where: str, how: str, wanted: Any) -> dict[str, Any]:
    label = LABELS.get(base["field"], base["field"])
    return {
        **{k: v for k, v in base.items() if not k.startswith("_")},
        "rule": "owned-fix",
        "severity": OWNER_RULES["owned-fix"],
        "detail": f"{how} {label} {_shown(wanted)}, but {where} owns {label}: Graph refuses the edit, or the "
                  "next import puts the old value back",
        "fix": f"correct it in {where} (staged.source_fixes() lists such fixes to send there)",
        "suggested": wanted,
    }


def _rows_by_key(frame: pd.DataFrame) -> dict[tuple[str, str], dict[str, Any]]:
    cells = frame[["userId", "userPrincipalName", "id", "displayName"]].itertuples(index=False)
    return {(str(r.userId), str(r.id)): {"userId": r.userId, "userPrincipalName": r.userPrincipalName,
                                         "id": r.id, "displayName": r.displayName, "_position": i}
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


def disagreeing_sources(frame: pd.DataFrame, keys: pd.DataFrame) -> Iterator[dict[str, Any]]:
    """`sources-disagree` findings: per person, records that are the same certification by `keys` (the
    duplicate rule's title and reference), come from different sources, and differ in a field's value."""
    ownership = Ownership(frame)
    if not ownership:
        return
    people = frame["userId"].tolist()
    ids = frame["id"].tolist()
    sourced = [i for i, key in enumerate(zip(people, ids, strict=True)) if ownership.sources(key)]
    groups: dict[tuple[Any, str, str], list[int]] = {}
    for i in sourced:
        for kind in ("title", "reference"):
            value = str(keys[kind].iat[i])
            if value:
                groups.setdefault((people[i], kind, value), []).append(i)
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
                    a, b = _value(frame, i, field), _value(frame, j, field)
                    if a is None or b is None or a == b or (i, field) in reported:
                        continue
                    reported.add((i, field))
                    yield _disagreement(frame, i, field, a, b, mine, theirs, ids[j])


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
    }
