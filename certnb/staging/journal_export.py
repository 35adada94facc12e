"""A journal for people and other tools: plain records, written as JSON lines or CSV.

    >>> from certnb.staging.journal import Journal
    >>> from certnb.staging.edit import Edit
    >>> journal = Journal(None)
    >>> _ = journal.append(staged=[Edit("u1", "c1", "endDate", None, "2027-12-31")])
    >>> [(r["record"], r["after"]) for r in records(journal)]
    [('stage', '2027-12-31')]
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from certnb.staging.journal import Journal

__all__ = ["EXPORT_COLUMNS", "export", "records"]

EXPORT_COLUMNS: tuple[str, ...] = (
    "record", "seq", "userId", "id", "field", "before", "after", "attempt", "outcome", "status", "code",
    "request_id", "time", "detail", "reason", "staged_by", "committed_by",
)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def records(journal: Journal) -> list[dict[str, Any]]:
    """Everything in the journal as plain records: rows, then events and outcomes in time order."""
    out: list[dict[str, Any]] = [
        {"record": "row", "userId": r.user_id, "id": r.cert_id,
         "userPrincipalName": r.user_principal_name, "userDisplayName": r.user_display_name,
         "displayName": r.display_name, "loaded": dict(r.loaded)}
        for r in journal.snapshots()
    ]
    for seq, kind, uid, cid, field, before, after, time, reason, staged_by in journal.events():
        record: dict[str, Any] = {"record": kind, "seq": seq, "time": time}
        if kind != "clear":
            record.update({"userId": uid, "id": cid, "field": field})
        if kind == "stage":
            record.update({"before": before, "after": after, "reason": reason, "staged_by": staged_by})
        out.append(record)
    for seq, uid, cid, field, attempt, outcome, status, code, request_id, detail, time, _, committed_by, \
            *_ in journal.outcome_rows():
        out.append({
            "record": "outcome", "seq": seq, "userId": uid, "id": cid, "field": field, "attempt": attempt,
            "outcome": outcome, "status": status, "code": code, "request_id": request_id, "time": time,
            "detail": detail, "committed_by": committed_by,
        })
    return out


def export(journal: Journal, path: str | Path) -> Path:
    """Write `records(journal)` to `path`: JSON lines (`.jsonl`/`.json`) or `.csv` (see `Journal.export`)."""
    target = Path(path)
    found = records(journal)
    if target.suffix.lower() in (".jsonl", ".json", ".ndjson"):
        # UTF-8 cannot encode only lone surrogates (see `journal._stored`), and JSON text holds them only
        # inside strings, where "backslashreplace" writes each as its JSON escape, read back the same.
        with target.open("w", encoding="utf-8", errors="backslashreplace") as out:
            for record in found:
                out.write(_json(record) + "\n")
    elif target.suffix.lower() == ".csv":
        with target.open("w", encoding="utf-8", errors="backslashreplace", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(EXPORT_COLUMNS), extrasaction="ignore")
            writer.writeheader()
            for record in found:
                flat = dict(record)
                if record["record"] == "row":
                    flat["after"] = record["loaded"]
                for column in ("before", "after"):
                    if column in flat:
                        flat[column] = _json(flat[column])
                writer.writerow(flat)
    else:
        raise ValueError(f"export to {target.name!r}: use a .jsonl or .csv file name")
    return target
