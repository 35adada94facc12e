"""Refused edits and refused input: each names the person, the certification, the field by its label, the
value and the rule, in the words the analyst sees in the forms and the grid.

    >>> print(ValidationError(field="endDate", label="Expires", value="2024-06-30",
    ...                       rule="Expires 2024-06-30 is before Valid from 2025-01-01 "
    ...                            "(Expires must not be before Valid from)",
    ...                       person="Adele Vance (adele@contoso.example)", certification="AZ-104"))
    Adele Vance (adele@contoso.example) · AZ-104: Expires 2024-06-30 is before Valid from 2025-01-01 \
(Expires must not be before Valid from)

The names are built in one place, `certnb.frame.names` (it knows the frame's columns and the schema's
labels); this module only says them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from certnb.errors.base import CertnbError

__all__ = ["EditsRefused", "FrameRefused", "Unreadable", "ValidationError", "shown"]

_MESSAGE_PROBLEMS = 50  # problems spelled out in an EditsRefused message; all are in `.problems`
_TABLE_COLUMNS = ("row", "where", "person", "certification", "field", "label", "value", "rule")


class ValidationError(CertnbError):
    """An edit breaks a rule: names the person, the certification, the field (by its label), value and rule.

    Attributes: `person` ("Adele Vance (adele@contoso.example)", or the user id when the frame has no
    name), `user_id`, `certification` (its title), `cert_id`, `field` (Graph's name), `label` (the name the
    forms show, "Expires" for endDate), `value`, `rule`, `where` (e.g. "spreadsheet row 3") and `row` (the
    row as the caller named it: a frame label, a file row; kept for code, never the message's subject when
    the person is known).

    >>> err = ValidationError(row=3, field="endDate", label="Expires", value="2020-13-01",
    ...                       rule="Expires must be a date YYYY-MM-DD; got '2020-13-01'")
    >>> print(err)
    Expires must be a date YYYY-MM-DD; got '2020-13-01'
    >>> (err.row, err.field, err.label)
    (3, 'endDate', 'Expires')
    """

    def __init__(
        self,
        *,
        field: str,
        value: object,
        rule: str,
        row: object = None,
        label: str | None = None,
        person: str | None = None,
        user_id: str | None = None,
        certification: str | None = None,
        cert_id: str | None = None,
        where: str | None = None,
    ) -> None:
        self.row = row
        self.field = field
        self.label = label or field
        self.value = value
        self.rule = rule
        self.person = person
        self.user_id = user_id
        self.certification = certification
        self.cert_id = cert_id
        self.where = where
        # The message is said when shown, not when made: a refused bulk call makes 100,000 of these and
        # its own message spells out only the first few (EditsRefused).
        super().__init__()

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else self._describe()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    @property
    def subject(self) -> str:
        """Whose certification it is, in words: "spreadsheet row 3 · Adele Vance (adele@…) · AZ-104"."""
        return " · ".join(part for part in (self.where, self.person, self.certification) if part)

    @property
    def statement(self) -> str:
        """The field, its value and the rule, as one sentence (without the subject)."""
        rule = self.rule
        if not _names_field(rule, self.label, self.field):
            rule = f"{self.label}: {rule}"
        if self.value is None or _names_value(rule, self.value):
            return rule
        return f"{rule} (value {shown(self.value)})"

    def _describe(self) -> str:
        subject = self.subject
        return f"{subject}: {self.statement}" if subject else self.statement


def _names_field(rule: str, label: str, field: str) -> bool:
    """Does the rule already name the field (by its label, or start with the name the caller typed)?"""
    return label in rule or rule.startswith((f"'{field}'", field))


def _names_value(rule: str, value: object) -> bool:
    """Does the rule already show the value (as typed, or its repr)?"""
    text = value if isinstance(value, str) else str(value).removesuffix(" 00:00:00")  # a midnight Timestamp
    if len(text) > 200:
        return False
    return repr(value) in rule or (bool(text.strip()) and f" {text} " in f" {rule} ")


class EditsRefused(ValidationError):
    """A staging call was refused as a whole: nothing was staged and nothing journaled.

    `problems` holds one `ValidationError` per refused (row, field), each naming the person, certification,
    field label, value and rule; the error's own attributes are those of the first problem.

    >>> err = EditsRefused([ValidationError(row=3, field="endDate", label="Expires", value="2027-02-30",
    ...                                     rule="no such day", person="Adele Vance",
    ...                                     certification="AZ-104")])
    >>> len(err.problems), err.field, err.person
    (1, 'endDate', 'Adele Vance')
    >>> print(err)
    1 edit refused; the whole call was refused, nothing was staged. Fix these and run the call again:
      Adele Vance · AZ-104: Expires: no such day (value '2027-02-30')
    """

    def __init__(self, problems: Iterable[ValidationError]) -> None:
        self.problems: tuple[ValidationError, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("EditsRefused needs at least one problem")
        first = self.problems[0]
        super().__init__(
            row=first.row, field=first.field, value=first.value, rule=first.rule, label=first.label,
            person=first.person, user_id=first.user_id, certification=first.certification,
            cert_id=first.cert_id, where=first.where,
        )
        self.args = (self._summary(),)

    def _summary(self) -> str:
        count = len(self.problems)
        lines = [
            f"{count} edit{'s' if count != 1 else ''} refused; the whole call was refused, nothing was "
            "staged. Fix these and run the call again:"
        ]
        lines += [f"  {problem}" for problem in self.problems[:_MESSAGE_PROBLEMS]]
        if count > _MESSAGE_PROBLEMS:
            lines.append(f"  ... and {count - _MESSAGE_PROBLEMS} more (see .problems or .table())")
        return "\n".join(lines)

    def table(self) -> Any:
        """The problems as a DataFrame: row, where, person, certification, field, label, value, rule."""
        import pandas as pd  # only when asked: errors is imported by everything

        return pd.DataFrame(
            [(p.row, p.where, p.person, p.certification, p.field, p.label, p.value, p.rule)
             for p in self.problems],
            columns=list(_TABLE_COLUMNS),
            dtype=object,
        )


class FrameRefused(CertnbError):
    """`stage` (or `Staged.open`) was given a frame it cannot stage edits on; the message names the columns or
    labels at fault, what was expected, and what to do."""


class Unreadable(CertnbError, ValueError):
    """A spreadsheet cell that cannot be read as its column's type; the message says why and what to write
    instead. (Also a `ValueError`, as it was before it joined the tree.)"""


def shown(value: object, limit: int = 200) -> str:
    """`repr(value)`, cut to `limit` characters: a pasted 1 MB cell must not flood the notebook's output.

    >>> shown("x" * 300)[-30:]
    'xxxxx… (302 characters in all)'
    """
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters in all)"
