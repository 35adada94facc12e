"""A merge plan in the analyst's words: per group the keeper and why, the fills, the conflicts, the deletes;
as text for a terminal, as HTML (the records side by side, the keeper marked) for a notebook, and the
conflicts as a table. Pure text; certnb.staging.merge plans.

    >>> value_text("endDate", "2027-06-18"), value_text("webUrl", "https://x.example"), value_text("x", None)
    ('2027-06-18', "'https://x.example'", '(empty)')
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from certnb.errors.validation import shown
from certnb.schema import FIELDS_BY_COLUMN, LABELS
from certnb.staging.edit import WRITABLE_FIELDS
from certnb.staging.review_html import STYLE, value_html

if TYPE_CHECKING:
    from certnb.staging.merge import MergeGroup, MergePlan, MergeRecord

__all__ = ["CONFLICT_COLUMNS", "MERGE_STYLE", "conflict_table", "conflict_text", "group_html", "keeper_words",
           "plan_html", "plan_text", "short_id", "value_text"]

CONFLICT_COLUMNS = ("person", "title", "keeper", "field", "label", "id", "value", "kept", "resolved")
"""The conflicts table: one line per record holding a value of a field the group disagrees on; `kept` is
True for the value the keeper keeps, `resolved` the value `resolve=` chose (None: none)."""

MERGE_STYLE = (
    "<style>.certnb-merge table{border-collapse:collapse;margin:4px 0 10px 0}"
    ".certnb-merge td,.certnb-merge th{border:1px solid #d0d7de;padding:2px 8px;text-align:left;"
    "vertical-align:top}.certnb-merge th.certnb-keeper,.certnb-merge td.certnb-keeper{background:#eaf5ea}"
    ".certnb-merge th.certnb-deleted{color:#b00020}.certnb-merge .certnb-fill{background:#dcf5dc;"
    "font-weight:bold}.certnb-merge .certnb-conflict{background:#fff1c2}"
    ".certnb-merge .certnb-resolved{background:#ddf4ff;font-weight:bold}</style>"
)

_FIELDS = len(WRITABLE_FIELDS)


def value_text(name: str, value: Any) -> str:
    """A wire value in a sentence: dates and numbers as they are, text quoted (and cut), empty as (empty)."""
    if value is None:
        return "(empty)"
    spec = FIELDS_BY_COLUMN.get(name)
    if (spec is not None and spec.kind in ("date", "flags")) or not isinstance(value, str):
        return str(value)
    return shown(value, 120)


def short_id(cert_id: str, among: Sequence[str]) -> str:
    """`cert_id` as a message shows it: its shortest start of 4 characters or more that no other id of
    `among` shares, and "…" when cut.

    >>> short_id("a1b2c3d4", ["a1b2c3d4", "a1b2f0"]), short_id("c1", ["c1", "c2"])
    ('a1b2c…', 'c1')
    """
    others = [other for other in among if other != cert_id]
    for length in range(4, len(cert_id)):
        start = cert_id[:length]
        if not any(other.startswith(start) for other in others):
            return start + "…"
    return cert_id


def _stamp(record: MergeRecord) -> str:
    stamp = record.last_modified
    return "never recorded" if stamp is None else stamp.strftime("%Y-%m-%d %H:%M")


def keeper_words(ranked: Sequence[MergeRecord], keeper: MergeRecord, ids: Sequence[str], *,
                 chosen: bool) -> str:
    """Why `keeper` is kept, in words; `ranked` is the group in the rule's order, `ids` its ids."""
    def short(record: MergeRecord) -> str:
        return short_id(record.id, ids)

    best, second = ranked[0], ranked[1]
    filled = f"{keeper.filled} of {_FIELDS} fields filled"
    if chosen:
        if keeper is best:
            return f"chosen with keep= ({filled}; the rule's choice too)"
        return f"chosen with keep= ({filled}; the rule would keep {short(best)}, {best.filled} filled)"
    if best.filled > second.filled:
        rest = ", ".join(str(r.filled) for r in ranked[1:])
        return f"the most complete: {filled} (the other{'s' if len(ranked) > 2 else ''}: {rest})"
    if best.last_modified != second.last_modified:
        return (f"as complete as {short(second)} ({filled}), modified later ({_stamp(best)} vs "
                f"{_stamp(second)})")
    return f"as complete and as recently modified as {short(second)} ({filled}); the lowest id"


def conflict_text(group: MergeGroup, name: str) -> str:
    """One conflict in words: "Expires: 2027-06-18 (a1b2…, kept) vs 2028-06-18 (c3d4…): left as is, …"."""
    held = group.conflicts[name]
    by_value: dict[Any, list[str]] = {}
    for cert_id, value in held.items():
        by_value.setdefault(value, []).append(cert_id)
    keeps = group.records[0].values.get(name)
    parts = []
    for value, ids in by_value.items():
        kept = value == keeps and name not in group.resolved
        marks = [group.short(i) for i in ids] + (["kept"] if kept else [])
        parts.append(f"{value_text(name, value)} ({', '.join(marks)})")
    if name in group.resolved:
        outcome = f"resolved to {value_text(name, group.resolved[name])} (resolve=)"
    else:
        outcome = ("left as is" if keeps is not None else "left empty") + ", resolve= picks one"
    return f"{LABELS.get(name, name)}: {' vs '.join(parts)}: {outcome}"


def _fill_sources(group: MergeGroup, name: str) -> str:
    return ", ".join(group.short(r.id) for r in group.records[1:] if r.values.get(name) is not None)


def _counts(plan: MergePlan) -> str:
    groups = len(plan.groups)
    deletes = len(plan.deletes)
    fills = sum(len(g.fills) for g in plan.groups)
    conflicts = sum(len(g.conflicts) for g in plan.groups)
    return (f"{groups} group{'s' if groups != 1 else ''} of duplicates, {deletes} record"
            f"{'s' if deletes != 1 else ''} to delete, {fills} field{'s' if fills != 1 else ''} to fill, "
            f"{conflicts} conflict{'s' if conflicts != 1 else ''}")


def _heading(plan: MergePlan) -> str:
    if not plan.groups:
        return f"Merge plan: {plan.note}"
    if plan.staged is None:
        state = "Merge preview (nothing staged)"
    else:
        state = "Merge staged" if plan.staged else "Merge already staged"
    note = f" {plan.note}" if plan.note else ""
    head = f"{state}{note}: {_counts(plan)}"
    if plan.staged:
        head += f"; {plan.staged} edit{'s' if plan.staged != 1 else ''} newly staged"
    elif plan.staged == 0:
        head += "; nothing new staged"
    return head


def _skipped_words(plan: MergePlan) -> list[str]:
    return [f"{LABELS.get(name, name)} of {key[1]} was not filled: a value staged before is kept"
            for key, name in plan.skipped]


def plan_text(plan: MergePlan) -> str:
    """The plan for a terminal: a heading with the counts, then per group keep / fill / conflict / delete."""
    lines = [_heading(plan), *(f"  ({words})" for words in _skipped_words(plan))]
    for n, group in enumerate(plan.groups, start=1):
        lines.append(f"{n}. {group.person} · {group.title}")
        lines.append(f"   keep {group.short(group.keeper)}: {group.why}")
        for name, value in group.fills.items():
            if name not in group.resolved:
                lines.append(f"   fill {LABELS.get(name, name)}: {value_text(name, value)} (from "
                             f"{_fill_sources(group, name)})")
        lines += [f"   conflict {conflict_text(group, name)}" for name in group.conflicts]
        lines.append(f"   delete {', '.join(group.short(i) for i in group.others)}")
    return "\n".join(lines)


def group_html(group: MergeGroup, number: int | None = None) -> str:
    """One group for a notebook: the records side by side (the keeper first, marked; the others to delete),
    a line per field any record holds, fills in green, conflicts in yellow, resolved values in blue."""
    head = f"{number}. " if number is not None else ""
    columns = "".join(
        f"<th class='certnb-keeper'>keep {html.escape(group.short(r.id))}</th>" if i == 0
        else f"<th class='certnb-deleted'>delete {html.escape(group.short(r.id))}</th>"
        for i, r in enumerate(group.records)
    )
    body = []
    for name in WRITABLE_FIELDS:
        values = [r.values.get(name) for r in group.records]
        if all(v is None for v in values):
            continue
        cells = []
        for i, value in enumerate(values):
            css = "certnb-conflict" if name in group.conflicts else ""
            shown_value = value_html(value)
            if i == 0 and name in group.changes:
                css = "certnb-resolved" if name in group.resolved else "certnb-fill"
                was = "" if value is None else f"<span class='certnb-before'>{shown_value}</span> "
                shown_value = f"{was}→ {value_html(group.changes[name])}"
            keeper = " certnb-keeper" if i == 0 and css == "" else ""
            cells.append(f"<td class='{css}{keeper}'>{shown_value}</td>")
        body.append(f"<tr><th>{html.escape(LABELS.get(name, name))}</th>{''.join(cells)}</tr>")
    stamps = "".join(f"<td>{html.escape(_stamp(r))}</td>" for r in group.records)
    modified = html.escape(LABELS.get("lastModifiedDateTime", "Last modified"))
    body.append(f"<tr><th>{modified}</th>{stamps}</tr>")
    conflicts = "".join(f"<li>{html.escape(conflict_text(group, name))}</li>" for name in group.conflicts)
    return (f"<div class='certnb-merge-group'><h4>{head}{html.escape(group.person)} · "
            f"{html.escape(group.title)}</h4><p>Keep <b>{html.escape(group.short(group.keeper))}</b>: "
            f"{html.escape(group.why)}</p><table><tr><th>Field</th>{columns}</tr>{''.join(body)}</table>"
            + (f"<p>Conflicts (nothing guessed):</p><ul class='certnb-conflicts'>{conflicts}</ul>"
               if conflicts else "") + "</div>")


def plan_html(plan: MergePlan) -> str:
    """The plan for a notebook: the heading, then each group (`group_html`)."""
    skipped = "".join(f"<p>{html.escape(words)}</p>" for words in _skipped_words(plan))
    groups = "".join(group_html(g, n) for n, g in enumerate(plan.groups, start=1))
    return (f"{STYLE}{MERGE_STYLE}<div class='certnb-merge certnb-review'><p><b>{html.escape(_heading(plan))}"
            f"</b></p>{skipped}{groups}</div>")


def conflict_table(groups: Sequence[MergeGroup]) -> pd.DataFrame:
    """The conflicts of `groups` (`CONFLICT_COLUMNS`), one line per record holding a value."""
    lines = []
    for group in groups:
        keeps = group.records[0].values
        for name, held in group.conflicts.items():
            resolved = group.resolved.get(name)
            for cert_id, value in held.items():
                kept = name not in group.resolved and value == keeps.get(name)
                lines.append((group.person, group.title, group.keeper, name, LABELS.get(name, name), cert_id,
                              value, kept, resolved))
    return pd.DataFrame(lines, columns=list(CONFLICT_COLUMNS), dtype=object)
