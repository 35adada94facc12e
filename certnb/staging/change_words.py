"""Staged changes in the analyst's words: "7 certifications of 6 people: Expires extended by one year".

Edits are grouped by field (in schema order), then by what they do to it: a date moved by the same amount
(in days, months or years: whichever says it exactly), one spelling replaced by another, a field set to one
value, a field cleared. Fields are named by their form label (`certnb.schema.LABELS`), never by the Graph
name. Pure: edits and the loaded rows in, sentences out.

    >>> from certnb.staging.edit import Edit
    >>> edits = [Edit("u1", "c1", "endDate", "2026-12-31", "2027-12-31"),
    ...          Edit("u2", "c2", "endDate", "2026-03-15", "2027-03-15"),
    ...          Edit("u2", "c3", "issuingCompany", "Microsft", "Microsoft"),
    ...          Edit("u3", "c4", "webUrl", "https://x.example/a", None)]
    >>> for sentence in describe_changes(edits):
    ...     print(sentence)
    1 certification of 1 person: Issuing company 'Microsft' → 'Microsoft'
    2 certifications of 2 people: Expires extended by one year
    1 certification of 1 person: Web URL cleared
    >>> shift_phrase("2027-01-31", "2027-03-02")
    'by 30 days'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from certnb.schema import FIELDS_BY_COLUMN, WRITABLE_COLUMNS, field_for
from certnb.staging.edit import Edit
from certnb.staging.operations import CREATE, DELETE, is_new_id, loaded_values

__all__ = ["ChangeSentence", "change_kind", "date_shift", "describe_changes", "label", "shift_phrase",
           "value_words"]

_RANK = {name: rank for rank, name in enumerate(WRITABLE_COLUMNS)}
_NUMBERS = {1: "one", 2: "two", 3: "three"}
_KEPT_ALONE = 3  # a field's one-off changes spelt out one by one; more are summed up as "changed"
_TITLES_SHOWN = 3  # a create or delete sentence names this many titles, then "and N more"
_OPERATION_LABELS = {CREATE: "New certification", DELETE: "Delete"}


def label(column: str) -> str:
    """The label a person sees for a column ("Expires" for `endDate`).

    >>> label("endDate"), label("inference.confidenceScore"), label("@create")
    ('Expires', 'Confidence score', 'New certification')
    """
    if column in _OPERATION_LABELS:
        return _OPERATION_LABELS[column]
    return field_for(column).label if column in FIELDS_BY_COLUMN else column


def value_words(value: Any) -> str:
    """A wire value as a sentence quotes it: text in quotes, dates and numbers bare, empty as "(empty)".

    >>> value_words("Microsoft"), value_words("2027-06-30"), value_words(None), value_words(True)
    ("'Microsoft'", '2027-06-30', '(empty)', 'yes')
    """
    if value is None:
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{value:g}"
    text = str(value)
    return text if _is_date(text) else repr(text)


def _is_date(text: Any) -> bool:
    if not isinstance(text, str) or len(text) != 10:
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _count(n: int, unit: str) -> str:
    return f"{_NUMBERS.get(n, str(n)) if n == 1 else n} {unit}{'s' if n != 1 else ''}"


def _add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus `months`, the day of month clipped to the month's end (as `pandas.DateOffset` does)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(f"no such month: {year}-{month}")  # pragma: no cover - every month has 28 days


def date_shift(before: Any, after: Any) -> tuple[int, str] | None:
    """How far a date moved, in the largest unit that says it exactly: (n, "year"|"month"|"day"), n signed;
    None unless both are wire dates.

    >>> date_shift("2026-12-31", "2027-12-31"), date_shift("2024-02-29", "2025-02-28")
    ((1, 'year'), (1, 'year'))
    >>> date_shift("2027-01-31", "2026-10-31"), date_shift("2027-01-01", "2027-01-08")
    ((-3, 'month'), (7, 'day'))
    """
    if not (_is_date(before) and _is_date(after)):
        return None
    start, end = dt.date.fromisoformat(before), dt.date.fromisoformat(after)
    months = (end.year - start.year) * 12 + end.month - start.month
    if months and _add_months(start, months) == end:
        return (months // 12, "year") if months % 12 == 0 else (months, "month")
    days = (end - start).days
    return (days, "day") if days else None


def shift_phrase(before: Any, after: Any) -> str:
    """The size of a date shift in words: "by one year", "by 3 months", "by 30 days" ("" if not a shift).

    >>> shift_phrase("2026-12-31", "2028-12-31"), shift_phrase("2026-12-31", "Microsoft")
    ('by 2 years', '')
    """
    shift = date_shift(before, after)
    return "" if shift is None else f"by {_count(abs(shift[0]), shift[1])}"


def change_kind(edit: Edit) -> tuple[Any, ...]:
    """What an edit does to its field, as a key edits doing the same share:
    ("cleared",) · ("shift", n, unit) · ("set", after) when the field was empty · ("replace", before, after).

    >>> change_kind(Edit("u1", "c1", "endDate", "2026-12-31", "2027-12-31"))
    ('shift', 1, 'year')
    >>> change_kind(Edit("u1", "c1", "issuingCompany", "MSFT", None))
    ('cleared',)
    """
    if edit.after is None:
        return ("cleared",)
    if edit.before is None:
        return ("set", edit.after)
    shift = date_shift(edit.before, edit.after)
    if shift is not None:
        return ("shift", *shift)
    return ("replace", edit.before, edit.after)


def _phrase(field: str, kind: tuple[Any, ...]) -> str:
    name = label(field)
    match kind:
        case ("cleared",):
            return f"{name} cleared"
        case ("shift", n, unit):
            later = n > 0
            if field == "endDate":
                verb = "extended" if later else "brought forward"
            else:
                verb = "moved later" if later else "moved earlier"
            return f"{name} {verb} by {_count(abs(n), unit)}"
        case ("set", after):
            return f"{name} set to {value_words(after)}"
        case ("replace", before, after):
            return f"{name} {value_words(before)} → {value_words(after)}"
        case ("to", after):
            return f"{name} set to {value_words(after)}"
        case ("created", titles):
            return f"new, {_titles(titles)}"
        case ("deleted", titles):
            return f"deleted, {_titles(titles)}"
    return f"{name} changed"


def _titles(titles: tuple[str, ...]) -> str:
    shown = ", ".join(value_words(t) for t in titles[:_TITLES_SHOWN])
    more = len(titles) - _TITLES_SHOWN
    return f"{shown} and {more} more" if more > 0 else shown


@dataclass(frozen=True)
class ChangeSentence:
    """Edits of one field that do the same thing: `text` says it ("2 certifications of 2 people: Expires
    cleared"), `edits` are the edits it covers, `kind` what they do (`change_kind`, or ("to", value) for one
    value set over several, or ("changed",) for one-off changes summed up)."""

    field: str
    kind: tuple[Any, ...]
    edits: tuple[Edit, ...]

    @property
    def certifications(self) -> int:
        """How many certifications the sentence covers."""
        return len({e.row_key for e in self.edits})

    @property
    def people(self) -> int:
        """How many people hold them."""
        return len({e.user_id for e in self.edits})

    @property
    def phrase(self) -> str:
        """What is done, without the counts: "Expires extended by one year"."""
        return _phrase(self.field, self.kind)

    @property
    def cleared(self) -> bool:
        """True when the sentence empties a field or deletes certifications (the display marks it: a loss,
        not an addition)."""
        return self.kind == ("cleared",) or self.field == DELETE

    @property
    def text(self) -> str:
        """The whole sentence, counts first."""
        n, m = self.certifications, self.people
        return (f"{n} certification{'s' if n != 1 else ''} of {m} {'person' if m == 1 else 'people'}: "
                f"{self.phrase}")

    def __str__(self) -> str:
        return self.text


def describe_changes(edits: Iterable[Edit]) -> list[ChangeSentence]:
    """The sentences that say what `edits` do, by field in schema order, biggest group first in a field.

    Edits setting one value over different old values read "Expires set to 2027-06-30"; a field with more
    than three one-off changes gets one sentence, "Description changed" (the table shows each).

    >>> [s.text for s in describe_changes([Edit("u1", f"c{n}", "description", f"old {n}", f"new {n}")
    ...                                    for n in range(5)])]
    ['5 certifications of 1 person: Description changed']

    Staged creates (the `@create` edit and the fields it sets) read as one sentence first, staged deletes as
    one last, each naming the titles:

    >>> [s.text for s in describe_changes([Edit("u1", "new-0a1b2c3d4e5f", "@create", None, None),
    ...                                    Edit("u1", "new-0a1b2c3d4e5f", "displayName", None, "AZ-104"),
    ...                                    Edit("u2", "c9", "@delete", '{"displayName":"CISA"}', None)])]
    ["1 certification of 1 person: new, 'AZ-104'", "1 certification of 1 person: deleted, 'CISA'"]
    """
    edits = list(edits)
    creating = {e.row_key for e in edits if e.field == CREATE or is_new_id(e.cert_id)}
    deleting = [e for e in edits if e.field == DELETE]
    by_field: dict[str, dict[tuple[Any, ...], list[Edit]]] = {}
    for edit in edits:
        if edit.row_key not in creating and edit.field != DELETE:
            by_field.setdefault(edit.field, {}).setdefault(change_kind(edit), []).append(edit)
    sentences: list[ChangeSentence] = []
    if creating:
        created = tuple(e for e in edits if e.row_key in creating)
        titles = {e.row_key: e.after for e in created if e.field == "displayName" and e.after}
        sentences.append(ChangeSentence(CREATE, ("created", _distinct(titles.values())), created))
    for field in sorted(by_field, key=lambda f: _RANK.get(f, len(_RANK))):
        groups = by_field[field]
        # Several old values set to one new value ("set to 2027-06-30" from different dates) read as one.
        kinds_by_after: dict[Any, list[tuple[Any, ...]]] = {}
        for kind, members in groups.items():
            afters = {_hashable(e.after) for e in members}
            if kind != ("cleared",) and len(afters) == 1:
                kinds_by_after.setdefault(afters.pop(), []).append(kind)
        merged: dict[tuple[Any, ...], list[Edit]] = {}
        for kind, members in groups.items():
            after = _hashable(members[0].after)
            shared = kinds_by_after.get(after, [])
            if kind != ("cleared",) and len(shared) > 1 and kind in shared:
                kind = ("to", members[0].after)
            merged.setdefault(kind, []).extend(members)
        big = {k: v for k, v in merged.items() if len(v) > 1 or k == ("cleared",)}
        alone = {k: v for k, v in merged.items() if k not in big}
        if len(alone) > _KEPT_ALONE:
            big[("changed",)] = [e for members in alone.values() for e in members]
            alone = {}
        kept = {**big, **alone}
        for kind in sorted(kept, key=lambda k: (-len(kept[k]), k == ("changed",))):
            sentences.append(ChangeSentence(field, kind, tuple(kept[kind])))
    if deleting:
        gone = _distinct(t for t in (loaded_values(e.before).get("displayName") for e in deleting) if t)
        sentences.append(ChangeSentence(DELETE, ("deleted", gone), tuple(deleting)))
    return sentences


def _distinct(titles: Iterable[Any]) -> tuple[str, ...]:
    """Each title once, in first-seen order."""
    return tuple(dict.fromkeys(str(t) for t in titles))


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value
