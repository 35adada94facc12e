"""What changed between two audits: certifications added, removed, and each changed field, with who and when.

Rows are matched on (`userId`, `id`). Each changed field is one row, named by its label ("Expires"), with
its value before and after. Who and when come from the certification's own `lastModifiedBy` and
`lastModifiedDateTime`, which Graph sets on every write, from certnb or from anywhere else (contract §2:
server-set): they name the item's *last* change, so two changes to one item between audits both show the
later one's author. A removed certification has neither. Given certnb's audit logs (`audit_log=`, the
`<journal>.audit.jsonl` files a commit writes), `outside` says whether a change was made outside certnb: no
applied entry in the logs for that certification and field (`@create`/`@delete` for added/removed ones).

    >>> from certnb.frame.build import build_frame
    >>> def frame(end):
    ...     return build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
    ...         {"id": "c1", "displayName": "AZ-104", "endDate": end,
    ...          "lastModifiedDateTime": "2026-11-02T08:00:00Z",
    ...          "lastModifiedBy": {"user": {"displayName": "HR Sync"}}}]}])
    >>> found = changes(frame("2026-12-31"), frame("2027-12-31"))
    >>> found[["change", "label", "before", "after", "lastModifiedBy"]].values.tolist()
    [['changed', 'Expires', Timestamp('2026-12-31 00:00:00'), Timestamp('2027-12-31 00:00:00'), 'HR Sync']]
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from certnb.frame.names import RowNames
from certnb.schema import AUDIENCE_WIRE_COLUMN, FIELDS, LABELS, is_missing

CHANGE_COLUMNS: tuple[str, ...] = (
    "change", "person", "certification", "userId", "id", "field", "label", "before", "after",
    "lastModifiedBy", "lastModifiedDateTime", "outside",
)
"""Columns of `changes`: `change` is added, removed or changed; `outside` is True for a change no certnb
audit log holds, False for one it holds, <NA> when no log was given."""

KEY: list[str] = ["userId", "id"]
CREATE_FIELD = "@create"  # the field of a create in certnb's audit log (certnb.staging.operations)
DELETE_FIELD = "@delete"
DONE_OUTCOMES = frozenset({"applied", "already_applied"})

_BOOKKEEPING = {"id", "lastModifiedDateTime", AUDIENCE_WIRE_COLUMN}
COMPARED: tuple[str, ...] = tuple(
    f.column for f in FIELDS
    if not f.derived and f.column not in _BOOKKEEPING and not f.column.startswith("lastModifiedBy.")
)
"""The columns compared: every certification field but its id, the lastModified pair (who and when, shown
beside each change instead), and what is derived from another column (`sourceNames`, `ownedBy`)."""

_WHO = ("lastModifiedBy.user.displayName", "lastModifiedBy.application.displayName",
        "lastModifiedBy.device.displayName", "lastModifiedBy.user.id", "lastModifiedBy.application.id")

AuditLogs = str | os.PathLike[str] | Iterable[str | os.PathLike[str] | Mapping[str, Any]] | None


def changes(before: pd.DataFrame, after: pd.DataFrame, *, audit_log: AuditLogs = None,
            since: object = None) -> pd.DataFrame:
    """The changes from `before` to `after` (two certification frames), one row each (`CHANGE_COLUMNS`).

    `audit_log` is certnb's audit log (a path, several paths, or its entries) and fills `outside`; `since`
    (the earlier audit's time) leaves out log entries from before it.
    """
    old, new = _keyed(before, "before"), _keyed(after, "after")
    log = None if audit_log is None else _done(_entries(audit_log), since)
    rows: list[dict[str, Any]] = []
    common = new.index[new.index.isin(old.index)]
    compared = [c for c in COMPARED if c in old.columns and c in new.columns]
    differs = {c: _differs(old[c].reindex(common), new[c].reindex(common)) for c in compared}
    for position, key in enumerate(common.tolist()):
        fields = [c for c in compared if differs[c][position]]
        if not fields:
            continue
        row = new.loc[key]
        for column in fields:
            rows.append(_line("changed", key, row, column, old.at[key, column], row[column], log))
    for key in new.index[~new.index.isin(old.index)].tolist():
        rows.append(_line("added", key, new.loc[key], None, None, None, log))
    for key in old.index[~old.index.isin(new.index)].tolist():
        rows.append(_line("removed", key, old.loc[key], None, None, None, log, who=False))
    table = pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))
    return table.astype({c: "string" for c in ("change", "person", "certification", "userId", "id", "field",
                                               "label", "lastModifiedBy")}
                        | {"lastModifiedDateTime": "datetime64[ns, UTC]", "outside": "boolean"})


def _keyed(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    missing = [c for c in KEY if c not in frame.columns]
    if missing:
        raise ValueError(f"the {name} frame lacks {', '.join(missing)}: compare frames as certnb.load made "
                         "them")
    keyed = frame.set_index(KEY, drop=False)
    repeated = keyed.index[keyed.index.duplicated()]
    if len(repeated):
        user, cert = repeated[0]
        raise ValueError(f"the {name} frame holds certification {cert} of user {user} twice; compare frames "
                         "with one row per certification, as certnb.load makes them")
    return keyed


def _differs(old: pd.Series, new: pd.Series) -> list[bool]:
    if old.dtype == object or new.dtype == object:
        return [not _same(a, b) for a, b in zip(old.tolist(), new.tolist(), strict=True)]
    both_missing = old.isna().to_numpy() & new.isna().to_numpy()
    equal = (old == new).fillna(False).to_numpy(dtype=bool)
    differs: list[bool] = (~(equal | both_missing)).tolist()
    return differs


def _same(a: Any, b: Any) -> bool:
    missing_a = a is None or (not isinstance(a, list | dict) and is_missing(a))
    missing_b = b is None or (not isinstance(b, list | dict) and is_missing(b))
    if missing_a or missing_b:
        return missing_a and missing_b
    return bool(a == b)


def _line(change: str, key: tuple[str, str], row: pd.Series, column: str | None, before: Any, after: Any,
          log: set[tuple[str, str, str]] | None, who: bool = True) -> dict[str, Any]:
    field = column if column is not None else CREATE_FIELD if change == "added" else DELETE_FIELD
    names = RowNames.of(row.get("userId"), row.get("userPrincipalName"), row.get("userDisplayName"),
                        row.get("id"), row.get("displayName"))
    return {
        "change": change, "person": names.person, "certification": names.certification,
        "userId": key[0], "id": key[1], "field": column,
        "label": LABELS.get(column, column) if column else None,
        "before": _value(before), "after": _value(after),
        "lastModifiedBy": _who(row) if who else None,
        "lastModifiedDateTime": _value(row.get("lastModifiedDateTime")) if who else None,
        "outside": None if log is None else (str(key[0]), str(key[1]), field) not in log,
    }


def _who(row: pd.Series) -> str | None:
    for column in _WHO:
        value = row.get(column)
        if not _same(value, None):
            return str(value)
    return None


def _value(value: Any) -> Any:
    return None if value is None or (not isinstance(value, list | dict) and is_missing(value)) else value


def _entries(audit_log: AuditLogs) -> list[Mapping[str, Any]]:
    """certnb's audit-log entries: read from paths (JSON lines, as certnb.commit writes them), or as given."""
    sources: Iterable[Any] = [audit_log] if isinstance(audit_log, str | os.PathLike) else audit_log or []
    entries: list[Mapping[str, Any]] = []
    for source in sources:
        if isinstance(source, Mapping):
            entries.append(source)
            continue
        for line in Path(source).read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:  # a torn last line (a crash mid-write) names no change
                continue
            if isinstance(entry, dict):
                entries.append(entry)
    return entries


def _done(entries: list[Mapping[str, Any]], since: object) -> set[tuple[str, str, str]]:
    """(userId, certification id, field) of every change the logs say was made (since `since`)."""
    start = None if since is None else _utc(since)
    done: set[tuple[str, str, str]] = set()
    for entry in entries:
        if entry.get("outcome") not in DONE_OUTCOMES:
            continue
        when = entry.get("when")
        if start is not None and when and _utc(when) < start:
            continue
        for cert in {entry.get("id"), entry.get("newId")} - {None}:
            done.add((str(entry.get("userId")), str(cert), str(entry.get("field"))))
    return done


def _utc(moment: object) -> pd.Timestamp:
    stamp = pd.Timestamp(moment)  # type: ignore[arg-type]
    return stamp.tz_localize("UTC") if stamp.tz is None else stamp.tz_convert("UTC")
