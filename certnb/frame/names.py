"""Who a row is, in the analyst's words: "Adele Vance (adele@contoso.example) · AZ-104", and the refusals
that say it. The one place every message (staging, spreadsheets, forms, the grid) gets its names from.

    >>> names = RowNames.of("u1", "adele@contoso.example", "Adele Vance", "c1", "AZ-104")
    >>> str(names)
    'Adele Vance (adele@contoso.example) · AZ-104'
    >>> print(refusal(names, "endDate", "2027-02-30", "Expires must be a date YYYY-MM-DD; got '2027-02-30'"))
    Adele Vance (adele@contoso.example) · AZ-104: Expires must be a date YYYY-MM-DD; got '2027-02-30'

A person is their display name and sign-in name; the user id when the frame holds neither. A certification
is its title; its id when it has none. A field is named by its label (`certnb.schema.LABELS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import pandas as pd

from certnb.errors import ValidationError
from certnb.schema import LABELS, is_missing

__all__ = ["NAME_COLUMNS", "RowNames", "label", "names_at", "refusal"]

NAME_COLUMNS: tuple[str, ...] = ("userId", "userPrincipalName", "userDisplayName", "id", "displayName")
"""The columns a row's names are read from."""
_COLUMNS = NAME_COLUMNS


class RowNames(NamedTuple):
    """A certification's holder and title, as a message says them (`str()`: "Person · Title")."""

    person: str | None
    user_id: str | None
    certification: str | None
    cert_id: str | None

    @classmethod
    def of(
        cls, user_id: Any, upn: Any = None, user_name: Any = None, cert_id: Any = None, title: Any = None
    ) -> RowNames:
        """The names of a row from its cells (any of them may be missing).

        >>> str(RowNames.of("u-7", None, None, "c9", None))
        'u-7 · certification c9'
        """
        uid, principal, name, cid, heading = map(_text, (user_id, upn, user_name, cert_id, title))
        person = f"{name} ({principal})" if name and principal else name or principal or uid
        certification = heading or (f"certification {cid}" if cid else None)
        return cls(person, uid, certification, cid)

    @classmethod
    def of_record(cls, record: Mapping[Any, Any]) -> RowNames:
        """The names of a row given as a mapping of the frame's columns (userId, …, displayName).

        >>> str(RowNames.of_record({"userId": "u1", "userPrincipalName": "a@x", "displayName": "CKA"}))
        'a@x · CKA'
        """
        return cls.of(*(record.get(column) for column in _COLUMNS))

    def __str__(self) -> str:
        return " · ".join(part for part in (self.person, self.certification) if part)


def names_at(frame: pd.DataFrame, position: int) -> RowNames:
    """The names of the row at `position` (0-based) of a certification frame.

    >>> from certnb.frame.build import build_frame
    >>> str(names_at(build_frame([{"id": "u1", "certifications": [{"id": "c1", "displayName": "CKA"}]}]), 0))
    'u1 · CKA'
    """
    return RowNames.of(*(frame[c].iat[position] if c in frame.columns else None for c in _COLUMNS))


def label(field: str) -> str:
    """The label a person sees for a field: "Expires" for endDate; an unknown name is shown as typed.

    >>> label("endDate"), label("enddate")
    ('Expires', 'enddate')
    """
    return LABELS.get(field, field)


def refusal(
    names: RowNames | None, field: str, value: object, rule: str, *, row: object = None,
    where: str | None = None, field_label: str | None = None,
) -> ValidationError:
    """A `ValidationError` naming the row's person and certification, the field by its label, value, rule.

    >>> refusal(None, "endDate", None, "no such row in the frame", where="row label 999").subject
    'row label 999'
    """
    known = names or RowNames(None, None, None, None)
    return ValidationError(
        row=row, field=field, label=field_label or label(field), value=value, rule=rule, person=known.person,
        user_id=known.user_id, certification=known.certification, cert_id=known.cert_id, where=where,
    )


def _text(value: Any) -> str | None:
    if type(value) is str:  # the usual case, first: a refused bulk call names 100,000 rows
        return value.strip() or None
    if value is None or is_missing(value):
        return None
    text = str(value).strip()
    return text or None
