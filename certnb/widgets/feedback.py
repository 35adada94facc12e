"""What a form says back: notes, errors and refused edits as HTML, grouped by field for inline display.

ipywidgets swallows exceptions raised in callbacks (they reach a log, not the notebook), so every form
action catches what it raises and shows it with these functions instead (STYLE §10).

    >>> from certnb.errors import EditsRefused
    >>> from certnb.frame.names import RowNames, refusal
    >>> adele = RowNames.of("u1", "adele@contoso.example", "Adele Vance", "c1", "AZ-104")
    >>> refused = EditsRefused([refusal(adele, "endDate", "2024-01-01", "Expires 2024-01-01 is before Valid "
    ...                                 "from 2025-01-01 (Expires must not be before Valid from)")])
    >>> by_field(refused)["endDate"][0].startswith("Expires 2024-01-01 is before Valid from 2025-01-01")
    True
    >>> "Adele Vance (adele@contoso.example) · AZ-104" in problems_html(refused.problems, "Refused")
    True
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from certnb.errors import EditsRefused, ValidationError

__all__ = ["by_field", "error_html", "field_error_html", "note_html", "problems_html"]

_SHOWN = 20  # problems listed in a form; the rest are counted


def by_field(error: EditsRefused) -> dict[str, list[str]]:
    """The rules an `EditsRefused` names, grouped by field (one message per problem, in order): each says
    the field by its label, shown next to that field's control."""
    found: dict[str, list[str]] = {}
    for problem in error.problems:
        found.setdefault(str(problem.field), []).append(str(problem.rule))
    return found


def note_html(text: str, kind: str = "info") -> str:
    """A one-line note: kind is `info`, `ok`, `warning` or `error` (sets the colour)."""
    colour = {"ok": "#1a7f37", "warning": "#9a6700", "error": "#cf222e"}.get(kind, "#57606a")
    return f'<div class="certnb-note certnb-{kind}" style="color:{colour}">{html.escape(text)}</div>'


def field_error_html(messages: Iterable[str]) -> str:
    """The inline message shown next to one control ("" when there is none)."""
    lines = [html.escape(m) for m in messages]
    if not lines:
        return ""
    return f'<span class="certnb-field-error" style="color:#cf222e">⚠ {"<br>".join(lines)}</span>'


def problems_html(problems: Iterable[ValidationError], heading: str) -> str:
    """A list of refused edits under a heading: whose certification (person · title), then the field by its
    label, the value and the rule (`ValidationError.statement`)."""
    items = list(problems)
    rows = "".join(
        f"<li>{_subject(p)}{html.escape(p.statement)}</li>"
        for p in items[:_SHOWN]
    )
    more = f"<li>… and {len(items) - _SHOWN} more</li>" if len(items) > _SHOWN else ""
    return (f'<div class="certnb-problems" style="color:#cf222e"><b>{html.escape(heading)}</b>'
            f"<ul>{rows}{more}</ul></div>")


def _subject(problem: ValidationError) -> str:
    subject = problem.subject
    return f"<b>{html.escape(subject)}</b>: " if subject else ""


def error_html(error: BaseException, doing: str) -> str:
    """Any error raised by an action, as the form shows it: what was being done and what went wrong."""
    if isinstance(error, EditsRefused):
        return problems_html(error.problems, f"Nothing was staged: {len(error.problems)} edit(s) refused.")
    return note_html(f"Could not {doing}: {type(error).__name__}: {error}", "error")
