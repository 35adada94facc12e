"""Creates and deletes as staged edits: the two row operations, their local ids, and how a create is matched.

A staged create is a certification Graph does not hold yet. Until Graph gives it an id it has a local one,
`new-` and 12 hex digits, and it is staged as one `@create` edit plus one edit per field it sets (before
`None`); a staged delete is one `@delete` edit whose `before` holds the loaded values as compact JSON (so the
journal, the audit log and an undo know what was deleted without the frame).

    >>> new_id = new_cert_id()
    >>> is_new_id(new_id), is_new_id("0fb4c1e3-c1e3-0fb4-e3c1-b40fe3c1b40f"), is_operation(CREATE)
    (True, False, True)
    >>> loaded_values(values_json({"displayName": "AZ-104", "endDate": "2027-06-30", "webUrl": None}))
    {'displayName': 'AZ-104', 'endDate': '2027-06-30'}

Exactly-once creates (contract §8: POST is not idempotent; Graph may create and still answer 429, or the
answer may be lost) rest on `same_certification`: after a doubtful answer the commit re-lists the person's
certifications and looks for the one it sent (by `certificationId` when the create sets one, else by title,
issuer and dates) before it sends again.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from certnb.staging.edit import WRITABLE_FIELDS, Edit, LoadedValues, RowSnapshot
from certnb.staging.rows import Target

if TYPE_CHECKING:
    from certnb.staging.creates import NewCertification

__all__ = [
    "CREATE",
    "DELETE",
    "MATCH_FIELDS",
    "NEW_PREFIX",
    "ROW_OPERATIONS",
    "create_edits",
    "delete_edits",
    "is_new_id",
    "is_operation",
    "loaded_values",
    "new_cert_id",
    "same_certification",
    "values_json",
]

CREATE = "@create"
"""The field name of the edit that stages a new certification (its other edits carry the fields)."""

DELETE = "@delete"
"""The field name of the edit that stages the deletion of a loaded certification."""

ROW_OPERATIONS = frozenset({CREATE, DELETE})

NEW_PREFIX = "new-"
"""The local ids of staged creates start with this; Graph's own ids never do (they are GUID-like)."""

MATCH_FIELDS: tuple[str, ...] = ("displayName", "issuingAuthority", "issuedDate", "startDate", "endDate")
"""What identifies a created certification that sets no `certificationId`: title, issuer and dates."""


def new_cert_id() -> str:
    """A fresh local id for a staged create: "new-" and 12 random hex digits."""
    return NEW_PREFIX + secrets.token_hex(6)


def is_new_id(cert_id: object) -> bool:
    """True for the local id of a staged create (not yet sent to Graph)."""
    return isinstance(cert_id, str) and cert_id.startswith(NEW_PREFIX)


def is_operation(field: object) -> bool:
    """True for the `@create` and `@delete` pseudo-fields."""
    return field in ROW_OPERATIONS


def values_json(values: Mapping[str, Any]) -> str:
    """A certification's set wire values (writable fields, in schema order, empty ones left out) as compact
    JSON text: what a `@delete` edit keeps as its `before`."""
    kept = {name: values.get(name) for name in WRITABLE_FIELDS if values.get(name) is not None}
    return json.dumps(kept, ensure_ascii=False, separators=(",", ":"))


def loaded_values(text: object) -> dict[str, Any]:
    """The wire values `values_json` wrote ({} for anything else)."""
    if not isinstance(text, str):
        return {}
    try:
        found = json.loads(text)
    except ValueError:
        return {}
    return {k: v for k, v in found.items() if k in WRITABLE_FIELDS} if isinstance(found, dict) else {}


def _text(value: Any) -> Any:
    return " ".join(value.split()).casefold() if isinstance(value, str) else value


def same_certification(sent: Mapping[str, Any], entity: Mapping[str, Any]) -> bool:
    """True when `entity` (as Graph lists it) is the certification a create sent with `sent` (wire values):
    the same `certificationId` when the create set one, else the same title, issuer and dates (text compared
    without case and repeated spaces).

    >>> sent = {"displayName": "AZ-104", "issuingAuthority": "Microsoft", "endDate": "2027-06-30"}
    >>> same_certification(sent, {"id": "x", "displayName": "az-104 ", "issuingAuthority": "Microsoft",
    ...                           "endDate": "2027-06-30", "startDate": None})
    True
    """
    reference = sent.get("certificationId")
    if reference is not None:
        return bool(_text(entity.get("certificationId")) == _text(reference))
    return all(_text(entity.get(name)) == _text(sent.get(name)) for name in MATCH_FIELDS)


def create_edits(
    passed: Sequence[NewCertification], staged: Mapping[tuple[str, str], Mapping[str, Any]],
) -> tuple[list[RowSnapshot], list[Edit]]:
    """The rows and edits that stage `passed` (each a new local id, a `@create` edit and one per field),
    leaving out any create identical to one already `staged` (same person, same values): re-running a cell
    stages nothing."""
    held = {(key[0], tuple(sorted(values.items()))) for key, values in staged.items()}
    rows: list[RowSnapshot] = []
    edits: list[Edit] = []
    for new in passed:
        identity = (new.user_id, tuple(sorted(new.values.items())))
        if identity in held:
            continue
        held.add(identity)
        cert_id = new_cert_id()
        rows.append(RowSnapshot(new.user_id, cert_id, new.user_principal_name, new.user_display_name,
                                new.title, LoadedValues((None,) * len(WRITABLE_FIELDS))))
        edits.append(Edit(new.user_id, cert_id, CREATE, None, None))
        edits += [Edit(new.user_id, cert_id, name, None, value) for name, value in new.values.items()]
    return rows, edits


def delete_edits(
    targets: Sequence[Target],
    edits: Mapping[tuple[str, str, str], Edit],
    rows: Mapping[tuple[str, str], RowSnapshot],
    snapshot: Callable[[Target], RowSnapshot],
) -> tuple[list[RowSnapshot], list[Edit], list[tuple[str, str, str]]]:
    """What deleting `targets` journals: rows first staged, `@delete` edits, and the edits it withdraws
    (the row's own; a staged create is withdrawn whole, which is its deletion). Rows already staged for
    deletion are left as they are."""
    new_rows: list[RowSnapshot] = []
    staged: list[Edit] = []
    unstaged: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for target in targets:
        key = target.key
        if key is None or key in seen or (key[0], key[1], DELETE) in edits:
            continue
        seen.add(key)
        row_edits = [k for k in edits if k[:2] == key]
        unstaged += row_edits
        if (key[0], key[1], CREATE) in edits:
            continue
        loaded = snapshot(target)
        if key not in rows:
            new_rows.append(loaded)
        staged.append(Edit(key[0], key[1], DELETE, values_json(loaded.loaded), None))
    return new_rows, staged, unstaged
