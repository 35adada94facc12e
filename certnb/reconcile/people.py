"""Who a source row is about: its person key (sign-in name, email or employee id) → a person of the tenant.

The tenant's people are the holders in the loaded frame, plus an optional `people=` table: the frame holds
only people with at least one certification, and it holds no employee ids, so a source keyed by employee id
needs one. Keys compare without case and surrounding spaces; an email is looked up among sign-in names (and
a `mail` column, when the frame or the table has one).

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"userId": ["u1"], "userPrincipalName": ["adele@contoso.example"],
    ...                       "userDisplayName": ["Adele Vance"]})
    >>> people = People(frame, pd.DataFrame({"employeeId": ["E1001"],
    ...                                      "userPrincipalName": ["adele@contoso.example"]}))
    >>> people.find("email", " ADELE@contoso.example "), people.find("employeeId", "e1001").user_id
    (Person(user_id='u1', upn='adele@contoso.example', name='Adele Vance'), 'u1')
    >>> people.find("email", "left@contoso.example") is None
    True

`people=` is a DataFrame with a `userPrincipalName` column (and `employeeId`, `mail`, `userId`,
`userDisplayName` as it has them), or a mapping {employeeId: userPrincipalName}. A person it names who holds
no certification yet is a person of the tenant all the same: their source rows become new certifications,
staged by sign-in name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import pandas as pd

from certnb.schema import is_missing

__all__ = ["People", "Person"]

PeopleTable = pd.DataFrame | Mapping[str, str]


class Person(NamedTuple):
    """A person of the tenant: object id (`None` when only the `people=` table names them), sign-in name,
    display name."""

    user_id: str | None
    upn: str | None
    name: str | None

    @property
    def key(self) -> str:
        """What identifies the person across the frame and the table: the sign-in name, else the id."""
        return (self.upn or self.user_id or "").casefold()

    @property
    def shown(self) -> str:
        """The person as messages show them: "Adele Vance (adele@contoso.example)"."""
        if self.name and self.upn:
            return f"{self.name} ({self.upn})"
        return self.name or self.upn or self.user_id or "?"


class People:
    """The tenant's people by sign-in name, email and employee id (module docstring)."""

    def __init__(self, frame: pd.DataFrame, table: PeopleTable | None = None) -> None:
        self._by: dict[str, dict[str, Person]] = {"userPrincipalName": {}, "email": {}, "employeeId": {}}
        self._by_id: dict[str, Person] = {}
        mails = _column(frame, "mail")
        for user_id, upn, name, mail in zip(_column(frame, "userId"), _column(frame, "userPrincipalName"),
                                            _column(frame, "userDisplayName"), mails, strict=True):
            if user_id is None and upn is None:
                continue
            person = Person(user_id, upn, name)
            self._add(person, mail=mail)
        if table is not None:
            self._add_table(table)

    def _add(self, person: Person, *, mail: str | None = None, employee_id: str | None = None) -> None:
        if person.user_id is not None:
            person = self._by_id.setdefault(person.user_id.casefold(), person)
        if person.upn is not None:
            upn = person.upn.casefold()
            known = self._by["userPrincipalName"].setdefault(upn, person)
            person = known if known.user_id is not None else person
            self._by["email"].setdefault(upn, person)
        if mail is not None:
            self._by["email"].setdefault(mail.casefold(), person)
        if employee_id is not None:
            self._by["employeeId"].setdefault(employee_id.casefold(), person)

    def _add_table(self, table: PeopleTable) -> None:
        if isinstance(table, Mapping):
            frame = pd.DataFrame({"employeeId": list(table), "userPrincipalName": list(table.values())})
        elif isinstance(table, pd.DataFrame):
            frame = table
        else:
            raise TypeError(f"people= is a DataFrame (employeeId, userPrincipalName, ...) or a mapping "
                            f"{{employeeId: userPrincipalName}}; got {type(table).__name__}")
        if "userPrincipalName" not in frame.columns and "userId" not in frame.columns:
            raise ValueError(f"people= needs a userPrincipalName (or userId) column to say who each row is; "
                             f"its columns are: {', '.join(map(str, frame.columns))}")
        for user_id, upn, name, mail, employee_id in zip(
            _column(frame, "userId"), _column(frame, "userPrincipalName"), _column(frame, "userDisplayName"),
            _column(frame, "mail"), _column(frame, "employeeId"), strict=True,
        ):
            if user_id is None and upn is None:
                continue
            known = (self._by_id.get(user_id.casefold()) if user_id is not None else None) or (
                self._by["userPrincipalName"].get(upn.casefold()) if upn is not None else None)
            self._add(known or Person(user_id, upn, name), mail=mail, employee_id=employee_id)

    def find(self, kind: str, key: Any) -> Person | None:
        """The person a key of `kind` names; `None` when the tenant (as loaded, with `people=`) has none."""
        if key is None or is_missing(key):
            return None
        text = str(key).strip().casefold()
        return self._by[kind].get(text) if text else None


def _column(frame: pd.DataFrame, name: str) -> list[str | None]:
    if name not in frame.columns:
        return [None] * len(frame)
    return [None if is_missing(v) or not str(v).strip() else str(v).strip() for v in frame[name].tolist()]
