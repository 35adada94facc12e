"""The review of staged edits as the analyst reads it: one line per change — person, certification title,
field label, before → after, the findings it fixes, its latest commit outcome — grouped by person or field.

Pure: edits, the loaded rows and what is known of them in; lines and groups out (review_html.py shows them).

    >>> from certnb.staging.edit import Edit, RowSnapshot
    >>> rows = {("u1", "c1"): RowSnapshot("u1", "c1", "bob@x", "Bob Builder", "AZ-900")}
    >>> [line] = review_lines([Edit("u1", "c1", "endDate", "2026-06-30", "2027-06-30", 1)], rows,
    ...                       fixes={("u1", "c1", "endDate"): ("expired",)})
    >>> line.person, line.label, line.change, line.fixes
    ('Bob Builder (bob@x)', 'Expires', '2026-06-30 → 2027-06-30', ('expired',))
    >>> print(line)
    Bob Builder (bob@x) · AZ-900 · Expires: 2026-06-30 → 2027-06-30 (fixes: expired)

A staged create (its `@create` edit and the fields it sets) is one line, and so is a staged delete:

    >>> new = [Edit("u1", "new-0a1b2c3d4e5f", "@create", None, None),
    ...        Edit("u1", "new-0a1b2c3d4e5f", "displayName", None, "AZ-104"),
    ...        Edit("u1", "new-0a1b2c3d4e5f", "endDate", None, "2027-06-30"),
    ...        Edit("u1", "c1", "@delete", '{"displayName":"AZ-900","endDate":"2026-06-30"}', None)]
    >>> for line in review_lines(new, rows):
    ...     print(line)
    Bob Builder (bob@x) · AZ-104 · New certification: Expires 2027-06-30
    Bob Builder (bob@x) · AZ-900 · Delete: the whole certification (Expires 2026-06-30)

A change staged with a reason says why, and by whom:

    >>> print(review_lines([Edit("u1", "c1", "endDate", "2026-06-30", "2027-06-30", 1, "CHG-7: renewed",
    ...                          "megan@x")], rows)[0])
    Bob Builder (bob@x) · AZ-900 · Expires: 2026-06-30 → 2027-06-30 because CHG-7: renewed (staged by megan@x)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from certnb.schema import WRITABLE_COLUMNS
from certnb.staging.change_words import label, value_words
from certnb.staging.edit import Edit, RowSnapshot
from certnb.staging.fixes import RULE_WORDS
from certnb.staging.operations import CREATE, DELETE, loaded_values
from certnb.staging.reason import why_words

__all__ = ["GROUPINGS", "Grouping", "ReviewLine", "group_lines", "operation_lines", "review_lines"]

Grouping = Literal["person", "field"]
GROUPINGS: tuple[Grouping, ...] = ("person", "field")
"""The ways a review groups its lines."""

_RANK = {name: rank for rank, name in enumerate(WRITABLE_COLUMNS)}
_DELETE_SHOWN = frozenset({"issuingAuthority", "certificationId", "startDate", "endDate"})
"""The values a delete's line names to say which certification goes (the title is on the line already)."""


@dataclass(frozen=True)
class ReviewLine:
    """One staged change, named the analyst's way (`person`, `title`, `label`) with its `fixes` (audit rule
    names) and latest commit `outcome` (None before a commit)."""

    edit: Edit
    name: str | None
    upn: str | None
    title: str | None
    fixes: tuple[str, ...] = ()
    outcome: str | None = None
    values: tuple[tuple[str, Any], ...] = ()
    """A create's fields, or the loaded values of a certification staged for deletion (field, wire value)."""

    @property
    def creates(self) -> bool:
        """True for the line of a staged create."""
        return self.edit.field == CREATE

    @property
    def deletes(self) -> bool:
        """True for the line of a staged delete."""
        return self.edit.field == DELETE

    @property
    def values_words(self) -> str:
        """The create's values in words, or those that say which certification a delete removes (issuer,
        certification id, dates); the title left out (the line names it):
        "Issuing authority 'Microsoft', Expires 2027-06-30"."""
        return ", ".join(f"{label(field)} {value_words(value)}" for field, value in self.values
                         if field != "displayName" and value is not None
                         and (self.creates or field in _DELETE_SHOWN))

    @property
    def person(self) -> str:
        """"Display name (UPN)", or whichever of the two is known."""
        if self.name and self.upn:
            return f"{self.name} ({self.upn})"
        return self.name or self.upn or "(unknown person)"

    @property
    def label(self) -> str:
        """The field's form label ("Expires")."""
        return label(self.edit.field)

    @property
    def cleared(self) -> bool:
        """True when the change empties a field that held a value, or deletes a certification."""
        return self.deletes or (self.edit.after is None and self.edit.before is not None and not self.creates)

    @property
    def change(self) -> str:
        """Before → after in words ("2026-06-30 → (cleared)" when the field is emptied); for a create its
        values, for a delete "the whole certification (its values)"."""
        if self.creates:
            return self.values_words or "(no fields besides the title)"
        if self.deletes:
            return f"the whole certification ({self.values_words})" if self.values_words else \
                "the whole certification"
        after = "(cleared)" if self.cleared else value_words(self.edit.after)
        return f"{value_words(self.edit.before)} → {after}"

    @property
    def why(self) -> str:
        """"because <reason> (staged by <account>)", either part left out when unknown; "" when both are."""
        return why_words(self.edit.reason, self.edit.staged_by)

    @property
    def fix_words(self) -> str:
        """The fixed findings in words ("expired, no certification id"), "" when none."""
        return ", ".join(RULE_WORDS.get(rule, rule) for rule in self.fixes)

    def __str__(self) -> str:
        fixes = f" (fixes: {self.fix_words})" if self.fixes else ""
        outcome = f" [{self.outcome.replace('_', ' ')}]" if self.outcome else ""
        why = f" {self.why}" if self.why else ""
        return (f"{self.person} · {self.title or '(untitled)'} · {self.label}: {self.change}{fixes}{why}"
                f"{outcome}")


def review_lines(
    edits: Iterable[Edit],
    rows: Mapping[tuple[str, str], RowSnapshot],
    *,
    fixes: Mapping[tuple[str, str, str], tuple[str, ...]] | None = None,
    outcomes: Mapping[int, str] | None = None,
) -> list[ReviewLine]:
    """One `ReviewLine` per edit, in staging order: `fixes` by edit key (`certnb.staging.fixes.Fixes.of`),
    `outcomes` by edit seq (the journal's latest outcome names)."""
    people = {uid: row for (uid, _), row in rows.items()}  # a create's person, named by their other rows
    lines = []
    for edit in edits:
        row = rows.get(edit.row_key)
        person = row or people.get(edit.user_id)
        lines.append(ReviewLine(
            edit,
            person.user_display_name if person else None,
            person.user_principal_name if person else edit.user_id,
            row.display_name if row else None,
            (fixes or {}).get(edit.key, ()),
            (outcomes or {}).get(edit.seq),
        ))
    return operation_lines(lines)


def operation_lines(lines: Iterable[ReviewLine]) -> list[ReviewLine]:
    """`lines` with each staged create's lines (its `@create` and the fields it sets) folded into the one
    line of its `@create`, and each delete's loaded values read from its journaled JSON, in schema order."""
    lines = list(lines)
    created: dict[tuple[str, str], list[tuple[str, Any]]] = {}
    for line in lines:
        if line.edit.field == CREATE:
            created[line.edit.row_key] = []
    for line in lines:
        if line.edit.row_key in created and line.edit.field != CREATE:
            created[line.edit.row_key].append((line.edit.field, line.edit.after))
    folded = []
    for line in lines:
        key = line.edit.row_key
        if key in created and line.edit.field != CREATE:
            continue
        if key in created:
            values = tuple(sorted(created[key], key=lambda fv: _RANK.get(fv[0], len(_RANK))))
            title = dict(values).get("displayName") or line.title
            line = ReviewLine(line.edit, line.name, line.upn, title, (), line.outcome, values)
        elif line.edit.field == DELETE:
            loaded = loaded_values(line.edit.before)
            values = tuple(sorted(loaded.items(), key=lambda fv: _RANK.get(fv[0], len(_RANK))))
            title = line.title or loaded.get("displayName")
            line = ReviewLine(line.edit, line.name, line.upn, title, line.fixes, line.outcome, values)
        folded.append(line)
    return folded


def group_lines(lines: Iterable[ReviewLine], by: Grouping = "person") -> list[tuple[str, list[ReviewLine]]]:
    """Lines grouped under a heading: by person (alphabetical, then title and field) or by field label
    (schema order, then person and title).

    >>> from certnb.staging.edit import Edit
    >>> lines = [ReviewLine(Edit("u2", "c2", "endDate", None, "2027-01-31"), "Zoë", "z@x", "CKA"),
    ...          ReviewLine(Edit("u1", "c1", "issuingCompany", "MSFT", "Microsoft"), "Adele", "a@x",
    ...                     "AZ-104"),
    ...          ReviewLine(Edit("u1", "c1", "endDate", None, "2027-01-31"), "Adele", "a@x", "AZ-104")]
    >>> [(heading, [line.label for line in group]) for heading, group in group_lines(lines, "person")]
    [('Adele (a@x)', ['Issuing company', 'Expires']), ('Zoë (z@x)', ['Expires'])]
    >>> [heading for heading, _ in group_lines(lines, "field")]
    ['Issuing company', 'Expires']
    """
    if by not in GROUPINGS:
        raise ValueError(f"group the review by one of {', '.join(GROUPINGS)}; got {by!r}")
    groups: dict[tuple[Any, ...], tuple[str, list[ReviewLine]]] = {}
    for line in lines:
        if by == "person":
            key: tuple[Any, ...] = (line.person.casefold(), line.edit.user_id)
            heading = line.person
        else:
            key = (_RANK.get(line.edit.field, len(_RANK)), line.edit.field)
            heading = line.label
        groups.setdefault(key, (heading, []))[1].append(line)
    ordered = []
    for key in sorted(groups):
        heading, members = groups[key]
        if by == "person":
            members.sort(key=lambda ln: ((ln.title or "").casefold(), ln.edit.cert_id,
                                         _RANK.get(ln.edit.field, len(_RANK))))
        else:
            members.sort(key=lambda ln: (ln.person.casefold(), (ln.title or "").casefold(), ln.edit.cert_id))
        ordered.append((heading, members))
    return ordered
