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
from collections.abc import Mapping
from typing import Any

from certnb.staging.edit import WRITABLE_FIELDS

__all__ = [
    "CREATE",
    "DELETE",
    "MATCH_FIELDS",
    "NEW_PREFIX",
    "ROW_OPERATIONS",
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
