"""The review and the dry run as a notebook shows them: sentences, then the changes grouped by person or
field, before struck through, after in green, a cleared field in red; and the same as plain text for a
terminal.

No ids of Graph (user or certification GUIDs) and no empty columns: a column of fixes or of outcomes appears
only when some line has one.

    >>> from certnb.staging.edit import Edit
    >>> from certnb.staging.review_lines import ReviewLine
    >>> lines = [ReviewLine(Edit("u1", "c1", "endDate", "2026-06-30", None), "Bob", "bob@x", "AZ-900")]
    >>> shown = lines_html(lines)
    >>> "u1" in shown, '<td class="certnb-cleared">(cleared)</td>' in shown, "Outcome" in shown
    (False, True, False)
    >>> print(lines_text(lines))
    Bob (bob@x)
      AZ-900 · Expires: 2026-06-30 → (cleared)
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

from certnb.staging.change_words import ChangeSentence
from certnb.staging.fixes import RULE_WORDS
from certnb.staging.review_lines import Grouping, ReviewLine, group_lines

__all__ = ["STYLE", "counts_words", "lines_html", "lines_text", "review_html", "sentences_html",
           "sentences_text", "value_html"]

SHOWN = 200  # lines a notebook shows; the rest are counted

STYLE = (
    "<style>.certnb-review td,.certnb-review th{text-align:left;padding:2px 8px;vertical-align:top}"
    ".certnb-review h4{margin:8px 0 2px 0}"
    ".certnb-before{background:#fde2e1;text-decoration:line-through}"
    ".certnb-after{background:#dcf5dc;font-weight:bold}.certnb-empty{color:#888;font-style:italic}"
    ".certnb-cleared{background:#fde2e1;color:#b00020;font-weight:bold;font-style:italic}"
    ".certnb-fix{background:#ddf4ff;color:#0550ae;border-radius:8px;padding:0 6px;margin-right:4px;"
    "white-space:nowrap}.certnb-upn{color:#57606a;font-size:90%}"
    ".certnb-sentences li.certnb-clears{color:#b00020}</style>"
)
"""The review's CSS (class names the browser tests and the notebooks' sanitizer rely on)."""


def value_html(value: Any) -> str:
    """A wire value in a cell: text escaped, empty as a grey "(empty)".

    >>> value_html(None), value_html("<b>")
    ('<span class="certnb-empty">(empty)</span>', '&lt;b&gt;')
    """
    if value is None:
        return '<span class="certnb-empty">(empty)</span>'
    if isinstance(value, bool):
        return "yes" if value else "no"
    return html.escape(value if isinstance(value, str) else f"{value:g}" if isinstance(value, float)
                       else str(value))


def _person_html(line: ReviewLine) -> str:
    name = html.escape(line.name or line.upn or "(unknown person)")
    upn = f' <span class="certnb-upn">{html.escape(line.upn)}</span>' if line.name and line.upn else ""
    return name + upn


def _fixes_html(line: ReviewLine) -> str:
    return "".join(
        f'<span class="certnb-fix" title="fixes the audit finding {html.escape(rule)}">'
        f"{html.escape(RULE_WORDS.get(rule, rule))}</span>"
        for rule in line.fixes
    )


def _cells(line: ReviewLine, columns: Sequence[str]) -> str:
    tds = []
    for column in columns:
        if column == "Person":
            tds.append(f"<td>{_person_html(line)}</td>")
        elif column == "Certification":
            tds.append(f"<td>{html.escape(line.title or '(untitled)')}</td>")
        elif column == "Field":
            tds.append(f"<td>{html.escape(line.label)}</td>")
        elif column == "Before" and line.creates:
            tds.append('<td class="certnb-before"><span class="certnb-empty">(new)</span></td>')
        elif column == "Before" and line.deletes:
            tds.append(f'<td class="certnb-before">{html.escape(line.values_words)}</td>')
        elif column == "Before":
            tds.append(f'<td class="certnb-before">{value_html(line.edit.before)}</td>')
        elif column == "After" and line.creates:
            tds.append(f'<td class="certnb-after">{html.escape(line.values_words)}</td>')
        elif column == "After":
            cleared = "(deleted)" if line.deletes else "(cleared)"
            tds.append(f'<td class="certnb-cleared">{cleared}</td>' if line.cleared
                       else f'<td class="certnb-after">{value_html(line.edit.after)}</td>')
        elif column == "Fixes":
            tds.append(f"<td>{_fixes_html(line)}</td>")
        elif column == "Why":
            tds.append(f'<td class="certnb-why">{html.escape(line.why)}</td>')
        elif column == "Outcome":
            tds.append(f"<td>{html.escape((line.outcome or '').replace('_', ' '))}</td>")
    return f"<tr>{''.join(tds)}</tr>"


def _columns(lines: Sequence[ReviewLine], grouped: Grouping | None) -> list[str]:
    columns = [c for c in ("Person", "Certification", "Field") if
               not (grouped == "person" and c == "Person") and not (grouped == "field" and c == "Field")]
    columns += ["Before", "After"]
    if any(line.fixes for line in lines):
        columns.append("Fixes")
    if any(line.why for line in lines):
        columns.append("Why")
    if any(line.outcome for line in lines):
        columns.append("Outcome")
    return columns


def _table(lines: Sequence[ReviewLine], columns: Sequence[str]) -> str:
    heads = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(_cells(line, columns) for line in lines)
    return f'<table class="certnb-review-table"><thead><tr>{heads}</tr></thead><tbody>{body}</tbody></table>'


def lines_html(lines: Iterable[ReviewLine], by: Grouping | None = None, *, shown: int = SHOWN) -> str:
    """The changes as tables: one table (`by=None`), or one under each person's or field's heading."""
    every = list(lines)
    kept = every[:shown]
    more = (f'<p class="certnb-more">… and {len(every) - shown} more changes (see .table)</p>'
            if len(every) > shown else "")
    if by is None:
        return f"{_table(kept, _columns(every, None))}{more}"
    columns = _columns(every, by)
    parts = []
    for heading, members in group_lines(kept, by):
        count = len(members)
        parts.append(f'<h4 class="certnb-review-group">{html.escape(heading)} '
                     f'<small>({count} change{"s" if count != 1 else ""})</small></h4>'
                     f"{_table(members, columns)}")
    return "".join(parts) + more


def lines_text(lines: Iterable[ReviewLine], by: Grouping = "person", *, shown: int = SHOWN) -> str:
    """The changes as plain text, grouped (for a terminal)."""
    every = list(lines)
    out = []
    for heading, members in group_lines(every[:shown], by):
        out.append(heading)
        for line in members:
            what = line.label if by == "person" else line.person
            fixes = f" (fixes: {line.fix_words})" if line.fixes else ""
            outcome = f" [{line.outcome.replace('_', ' ')}]" if line.outcome else ""
            why = f" {line.why}" if line.why else ""
            out.append(f"  {line.title or '(untitled)'} · {what}: {line.change}{fixes}{why}{outcome}")
    if len(every) > shown:
        out.append(f"… and {len(every) - shown} more changes")
    return "\n".join(out)


def sentences_html(sentences: Iterable[ChangeSentence]) -> str:
    """The sentences as a list; a sentence that clears a field is red (a loss, not an addition)."""
    clears = ' class="certnb-clears"'
    items = "".join(f"<li{clears if s.cleared else ''}>{html.escape(s.text)}</li>" for s in sentences)
    return f'<ul class="certnb-sentences">{items}</ul>' if items else ""


def sentences_text(sentences: Iterable[ChangeSentence]) -> str:
    """The sentences, one a line."""
    return "\n".join(f"- {s.text}" for s in sentences)


def counts_words(edits: int, certifications: int, people: int) -> str:
    """"5 staged edits on 4 certifications of 3 people".

    >>> counts_words(1, 1, 1)
    '1 staged edit on 1 certification of 1 person'
    """
    return (f"{edits} staged edit{'s' if edits != 1 else ''} on {certifications} "
            f"certification{'s' if certifications != 1 else ''} of {people} "
            f"{'person' if people == 1 else 'people'}")


def review_html(lines: Sequence[ReviewLine], sentences: Iterable[ChangeSentence], by: Grouping | None,
                *, counts: tuple[int, int, int] | None = None, css: str = "certnb-review") -> str:
    """The whole review: the counts (edits, certifications, people; default those of `lines`), how many
    fix audit findings, the sentences, then the changes (grouped `by` person or field, or one table)."""
    if counts is None:
        counts = (len(lines), len({ln.edit.row_key for ln in lines}), len({ln.edit.user_id for ln in lines}))
    first, rest = counts_words(*counts).split(" ", 1)
    header = f"<p><b>{first}</b> {html.escape(rest)}</p>"
    fixing = sum(1 for line in lines if line.fixes)
    if fixing:
        header += f"<p class='certnb-fixing'>{fixing} of them fix audit findings.</p>"
    body = lines_html(lines, by) if lines else ""
    return f"{STYLE}<div class='{css}'>{header}{sentences_html(sentences)}{body}</div>"
