"""New certifications to stage: who gets each, its fields checked by the edit rules, and the refusals.

`Staged.add` calls `new_certifications` with what the caller gave (one person and fields, or a DataFrame of
new certifications) and stages the result only when no problem was found: one refusal lists them all.

    >>> from certnb.frame.build import build_frame
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "ana@contoso.example", "displayName": "Ana",
    ...                    "certifications": [{"id": "c1", "displayName": "AZ-900"}]}])
    >>> [new], problems = new_certifications(df, [("Ana", "ana@contoso.example",
    ...                                       {"displayName": "AZ-104", "endDate": "2027-06-30"})])
    >>> new.user_id, new.values, problems
    ('u1', {'displayName': 'AZ-104', 'endDate': '2027-06-30'}, [])

Rules, each refusal naming the person, the new certification's title, the field by its label, the value:

- the person is a userId or userPrincipalName of the frame; one the frame does not hold (someone without
  certifications is not in it) is taken as given, and Graph answers 404 if there is no such user;
- a title (`displayName`, not blank) is required; every value passes the rule of its field (`check_value`),
  and the dates are in order (`check_date_order`);
- a person cannot be given a certification they already hold as loaded (same `certificationId`, else the
  same title, issuer and dates, `same_certification`): edit the loaded one, or merge duplicates instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from certnb.errors import ValidationError
from certnb.frame.names import RowNames, refusal
from certnb.schema import is_missing
from certnb.staging.edit import WRITABLE_FIELDS, Refusal, check_date_order, check_value
from certnb.staging.operations import same_certification
from certnb.staging.refusals import date_order_rule
from certnb.staging.rows import Target, wire_column

__all__ = [
    "PERSON_COLUMNS", "NewCertification", "given_rows", "has_title", "new_certifications", "rows_of_frame",
    "sheet_rows", "spreadsheet_row",
]


def has_title(value: Any) -> bool:
    """True when `value` can be a new certification's title: text that is not blank."""
    return isinstance(value, str) and bool(value.strip())

PERSON_COLUMNS: tuple[str, ...] = ("userId", "userPrincipalName")
"""The columns of a frame of new certifications that name the person (either one)."""

_IGNORED_COLUMNS = frozenset({"userDisplayName", "row", "id"})
GivenRow = tuple[Any, Any, Mapping[str, Any]]  # (label for refusals, person key, field → value as given)


@dataclass(frozen=True)
class NewCertification:
    """A new certification that passed every rule: whose it is and its fields' wire values (set ones only)."""

    user_id: str
    user_principal_name: str | None
    user_display_name: str | None
    values: dict[str, Any]

    @property
    def title(self) -> str | None:
        """The certification's title."""
        return self.values.get("displayName")


def given_rows(user: Any, values: Any = None, fields: Mapping[str, Any] | None = None) -> list[GivenRow]:
    """What `Staged.add` was given, as rows: every shape it takes, each row (label, person, fields).

    - `add("ben@…", displayName=…)` or `add("ben@…", {"displayName": …})`: one certification for one person;
    - `add("ben@…", [{…}, {…}])`: several for one person (`fields` given beside apply to each);
    - `add(["ana@…", "ben@…"], displayName=…)`: the same certification for each person;
    - `add(frame)`, `add([{"userPrincipalName": …, "displayName": …}, …])`, `add({…})` or a Series: rows that
      name their person (a `userId` or `userPrincipalName` column or key), then field columns.

    >>> [f for _, _, f in given_rows("ben@x", [{"displayName": "AZ-104"}], {"issuingAuthority": "MS"})]
    [{'displayName': 'AZ-104', 'issuingAuthority': 'MS'}]
    """
    extra = dict(fields or {})
    records = _records(user)
    if records is not None:
        if values is not None or extra:
            raise TypeError("staged.add(rows) takes the fields from the rows (their columns or keys), not as "
                            "arguments")
        return rows_of_frame(records)
    if isinstance(values, Sequence) and not isinstance(values, str):
        if not all(isinstance(v, Mapping) for v in values):
            raise TypeError("staged.add(person, values): values is a mapping of fields, or a list of them")
        return [(user, user, {**v, **extra}) for v in values]
    if values is not None and not isinstance(values, Mapping):
        raise TypeError("staged.add(person, values): values is a mapping of fields; got "
                        f"{type(values).__name__}")
    one = {**(values or {}), **extra}
    if isinstance(user, (list, tuple, set, pd.Index)) and all(isinstance(u, str) for u in user):
        return [(u, u, dict(one)) for u in user]
    return [(user, user, one)]


def _records(given: Any) -> pd.DataFrame | None:
    """`given` as a table of rows naming their person, when it is one (else None: a person)."""
    if isinstance(given, pd.DataFrame):
        return given
    if isinstance(given, pd.Series):
        return given.to_frame().T
    if isinstance(given, Mapping):
        return pd.DataFrame([dict(given)])
    if isinstance(given, (list, tuple)) and given and all(isinstance(g, Mapping) for g in given):
        return pd.DataFrame([dict(g) for g in given])
    return None


def rows_of_frame(table: pd.DataFrame) -> list[GivenRow]:
    """The given rows of a DataFrame of new certifications (a person column, then field columns); a column
    that is neither is refused by `new_certifications`, which names it."""
    people = [table[c].tolist() for c in PERSON_COLUMNS if c in table.columns]
    labels = table["row"].tolist() if "row" in table.columns else table.index.tolist()
    # Each row's person is its first filled person column (rows given as dicts may name people either way).
    keys = [next((k for k in ks if not _empty(k)), ks[0]) for ks in zip(*people, strict=True)] if people \
        else [None] * len(table)
    fields = [c for c in table.columns if c not in PERSON_COLUMNS and c not in _IGNORED_COLUMNS]
    values = {c: table[c].tolist() for c in fields}
    rows: list[GivenRow] = []
    for n, (row_label, key) in enumerate(zip(labels, keys, strict=True)):
        given = {c: values[c][n] for c in fields}
        rows.append((row_label, key, {c: v for c, v in given.items() if not _empty(v)}))
    return rows


def new_certifications(
    frame: pd.DataFrame | None, given: Iterable[GivenRow], *, where: str | None = None,
) -> tuple[list[NewCertification], list[ValidationError]]:
    """Check each given new certification (module docstring): the ones that pass, and every problem."""
    people = _People(frame)
    passed: list[NewCertification] = []
    problems: list[ValidationError] = []
    for row_label, key, fields in given:
        title = fields.get("displayName")
        shown = where.format(row_label) if where is not None else None
        person = people.find(key)
        if person is None:
            names = RowNames.of(None, None, None, None, title if isinstance(title, str) else None)
            problems.append(refusal(names, "userId", key, "a new certification needs the person who holds it "
                                    "(their userId or userPrincipalName)", row=row_label, where=shown,
                                    field_label="Person"))
            continue
        names = RowNames.of(person[0], person[1], person[2], None, title if isinstance(title, str) else None)
        values: dict[str, Any] = {}
        refused: set[str] = set()
        for name, value in fields.items():
            try:
                wire = check_value(name, value)
            except Refusal as rule:
                problems.append(refusal(names, name, value, str(rule), row=row_label, where=shown))
                refused.add(name)
                continue
            if wire is not None:
                values[name] = wire
        if "displayName" not in refused and not has_title(values.get("displayName")):
            problems.append(refusal(names, "displayName", fields.get("displayName"),
                                    "a new certification needs a title", row=row_label, where=shown))
            continue
        order = check_date_order(values)
        if order is not None:
            earlier, later = order
            broken = date_order_rule(earlier, later, values[earlier], values[later])
            problems.append(refusal(names, later, values[later], broken, row=row_label, where=shown))
            continue
        held = people.held(person[0], values)
        if held is not None:
            problems.append(refusal(names, "displayName", title,
                                    f"{person[2] or person[1] or person[0]} already holds this certification "
                                    f"(id {held}): edit that one, or merge duplicates, instead of adding it "
                                    "again", row=row_label, where=shown, field_label="Title"))
            continue
        passed.append(NewCertification(person[0], person[1], person[2], values))
    return passed, problems


class _People:
    """The frame's people by userId and by UPN (case-insensitive), and the certifications each holds."""

    def __init__(self, frame: pd.DataFrame | None) -> None:
        self._by_key: dict[str, tuple[str, str | None, str | None]] = {}
        self._held: dict[str, list[dict[str, Any]]] = {}
        if frame is None or frame.empty:
            return
        ids = _texts(frame, "userId")
        upns = _texts(frame, "userPrincipalName")
        names = _texts(frame, "userDisplayName")
        cert_ids = _texts(frame, "id")
        wire = {name: wire_column(frame, name) for name in WRITABLE_FIELDS if name in frame.columns}
        for n, (user_id, upn, name, cert_id) in enumerate(zip(ids, upns, names, cert_ids, strict=True)):
            if user_id is None:
                continue
            person = (user_id, upn, name)
            self._by_key.setdefault(user_id.casefold(), person)
            if upn is not None:
                self._by_key.setdefault(upn.casefold(), person)
            self._held.setdefault(user_id, []).append(
                {"id": cert_id, **{field: column[n] for field, column in wire.items()}}
            )

    def find(self, key: Any) -> tuple[str, str | None, str | None] | None:
        if _empty(key) or not isinstance(key, str) or not key.strip():
            return None
        found = self._by_key.get(key.strip().casefold())
        if found is not None:
            return found
        text = key.strip()
        return (text, text if "@" in text else None, None)  # not in the frame: taken as given

    def held(self, user_id: str, values: Mapping[str, Any]) -> str | None:
        """The id of a loaded certification of the person that is this one, if any."""
        for entity in self._held.get(user_id, ()):
            if same_certification(values, entity):
                return str(entity["id"])
        return None


def _texts(frame: pd.DataFrame, column: str) -> Sequence[str | None]:
    if column not in frame.columns:
        return [None] * len(frame)
    return [None if is_missing(v) else str(v) for v in frame[column].tolist()]


def _empty(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return bool(is_missing(value))


def sheet_rows(creates: pd.DataFrame | None) -> list[tuple[Any, Any, Any, dict[str, Any]]]:
    """(file row, userId, userPrincipalName, fields) of each new row of a spreadsheet's `creates` table.

    >>> sheet_rows(pd.DataFrame({"row": [4], "userId": [None], "userPrincipalName": ["ben@x"],
    ...                          "displayName": ["CKA"]}))
    [(4, None, 'ben@x', {'displayName': 'CKA'})]
    """
    if creates is None or creates.empty:
        return []
    fields = [c for c in creates.columns if c not in ("row", "userId", "userPrincipalName")]
    return [(record["row"], record["userId"], record["userPrincipalName"], {c: record[c] for c in fields})
            for record in creates.to_dict("records")]


def spreadsheet_row(target: Target) -> str:
    """Where a row of a spreadsheet came from, as problems name it: "spreadsheet row 3"."""
    return f"spreadsheet row {target.label}"
