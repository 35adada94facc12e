"""A commit's results in the analyst's words: coloured counts per outcome, then the edits needing attention
(conflict, missing, rejected, failed) first, each with what to do next, then the ones done; Graph's status,
codes and request ids behind a disclosure. Pure text and HTML; result.py holds the records.

    >>> from certnb.commit.record import OutcomeRecord
    >>> from certnb.staging.edit import RowSnapshot
    >>> rows = {("u1", "c1"): RowSnapshot("u1", "c1", "bob@x", "Bob", "AZ-900")}
    >>> records = [OutcomeRecord("u1", "c1", "endDate", "2027-06-30", "2028-06-30", "conflict", 200)]
    >>> summary, line = result_text("1 conflict", records, rows).splitlines()
    >>> what, advice = line.split(": ", 1)
    >>> what
    '  conflict · Bob (bob@x) · AZ-900 · Expires → 2028-06-30'
    >>> advice.split(";")[0]
    'someone changed it in Graph since you loaded'
    >>> NEXT_STEPS["missing"]
    'the certification (or its person) is gone from Graph; unstage the edit, or add the certification again'
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from certnb.commit.outcome import OUTCOMES, Outcome
from certnb.commit.permission import ADVICE
from certnb.commit.record import OutcomeRecord
from certnb.staging.change_words import label, value_words
from certnb.staging.edit import RowSnapshot
from certnb.staging.operations import CREATE, DELETE, loaded_values
from certnb.staging.review_html import STYLE, value_html

__all__ = ["ATTENTION", "COLOURS", "NEXT_STEPS", "counts_html", "next_step", "result_html", "result_text"]

NEXT_STEPS: dict[Outcome, str] = {
    Outcome.APPLIED: "nothing: Graph holds the new value (Undo reverts it)",
    Outcome.ALREADY_APPLIED: "nothing: Graph already held this value, so nothing was sent",
    Outcome.CONFLICT: "someone changed it in Graph since you loaded; reload and re-stage if yours should win",
    Outcome.MISSING: "the certification (or its person) is gone from Graph; unstage the edit, or add the "
                     "certification again",
    Outcome.REJECTED: "Graph refused the value; correct it and stage it again (Graph's message says why)",
    Outcome.NOT_PERMITTED: ADVICE,
    Outcome.FAILED: "Graph did not take it in time (throttled or unavailable); commit again later: only what "
                    "is not applied yet is sent",
}
"""What to do next after each outcome (the results show it on each row needing attention)."""

OPERATION_STEPS: dict[tuple[str, Outcome], str] = {
    (CREATE, Outcome.APPLIED): "nothing: Graph created it (Undo deletes it)",
    (CREATE, Outcome.ALREADY_APPLIED): "nothing: it was created by an earlier commit whose answer was "
                                       "lost, so it was not sent again",
    (CREATE, Outcome.MISSING): "the person is gone from Graph; unstage the new certification",
    (CREATE, Outcome.REJECTED): "Graph refused the new certification; correct its values and stage it again "
                                "(Graph's message says why)",
    (DELETE, Outcome.APPLIED): "nothing: Graph deleted it (Undo creates it again with the same values)",
    (DELETE, Outcome.ALREADY_APPLIED): "nothing: it was already gone from Graph",
    (DELETE, Outcome.CONFLICT): "someone changed it in Graph since you loaded, so it was not deleted; reload "
                                "and stage the delete again if it should still go",
    (DELETE, Outcome.REJECTED): "Graph refused to delete it (Graph's message says why)",
}
"""What to do next after a create's or a delete's outcome, where it differs from an edit's."""

COLOURS: dict[Outcome, str] = {
    Outcome.APPLIED: "#1a7f37", Outcome.ALREADY_APPLIED: "#57606a", Outcome.CONFLICT: "#bc4c00",
    Outcome.MISSING: "#8250df", Outcome.REJECTED: "#cf222e", Outcome.NOT_PERMITTED: "#6639ba",
    Outcome.FAILED: "#a40e26",
}
"""The colour of each outcome's count (green done, grey nothing to do, orange, purple and reds to act on)."""

ATTENTION: tuple[Outcome, ...] = tuple(o for o in OUTCOMES if not o.done)
"""The outcomes that need the analyst, in the order the results list them."""

SHOWN = 50  # rows of each section a notebook shows
_TEXT_SHOWN = 20


def next_step(record: OutcomeRecord) -> str:
    """What to do next about one edit: its outcome's advice, and Graph's message when Graph refused it or
    gave up (the message is the reason; codes and request ids stay behind the disclosure).

    >>> next_step(OutcomeRecord("u1", "c1", "endDate", None, "2027-06-30", "rejected", 400, "invalidRequest",
    ...                         "endDate is invalid")).split(". ")[-1]
    'Graph said: endDate is invalid'
    >>> next_step(OutcomeRecord("u1", "c1", "endDate", None, "2027-06-30", "not_permitted", 403,
    ...                         "ErrorAccessDeniedForRole", request_id="81ff")).split(". ")[-1]
    'Quote request id 81ff (403 ErrorAccessDeniedForRole) to an admin.'
    """
    advice = OPERATION_STEPS.get((record.field, record.outcome), NEXT_STEPS[record.outcome])
    if record.outcome is Outcome.NOT_PERMITTED:
        parts = [f"{advice}."]
        if record.message:
            parts.append(f"Graph said: {record.message.rstrip('.')}.")
        if record.request_id:
            answer = f" ({record.status} {record.code})" if record.code else ""
            parts.append(f"Quote request id {record.request_id}{answer} to an admin.")
        return " ".join(parts)
    if record.outcome in (Outcome.REJECTED, Outcome.FAILED) and record.message:
        return f"{advice}. Graph said: {record.message}"
    return advice


def _who(record: OutcomeRecord, rows: Mapping[tuple[str, str], RowSnapshot]) -> tuple[str, str | None, str]:
    """(display name or UPN, UPN shown beside a name, title) of a record's certification."""
    row = rows.get((record.user_id, record.cert_id))
    if row is None:
        title = loaded_values(record.before).get("displayName") if record.field == DELETE else None
        return record.user_id, None, title or record.cert_id
    name = row.user_display_name or row.user_principal_name or record.user_id
    upn = row.user_principal_name if row.user_display_name else None
    return name, upn, row.display_name or "(untitled)"


def _ordered(records: Iterable[OutcomeRecord]) -> tuple[list[OutcomeRecord], list[OutcomeRecord]]:
    rank = {o: i for i, o in enumerate(ATTENTION)}
    every = list(records)
    attention = sorted((r for r in every if not r.done), key=lambda r: rank[r.outcome])
    return attention, [r for r in every if r.done]


def counts_html(counts: Mapping[str, int]) -> str:
    """The counts as coloured badges ("12 applied", "1 conflict").

    >>> "#bc4c00" in counts_html({"conflict": 1})
    True
    """
    badges = "".join(
        f"<span class='certnb-count certnb-outcome-{html.escape(name)}' style='background:"
        f"{COLOURS[Outcome.named(name)]};color:white;border-radius:10px;padding:1px 10px;margin-right:6px;"
        f"font-weight:bold'>{n} {html.escape(Outcome.named(name).label)}</span>"
        for name, n in counts.items()
    )
    return f"<p class='certnb-counts'>{badges}</p>" if badges else ""


def _section(records: Sequence[OutcomeRecord], rows: Mapping[tuple[str, str], RowSnapshot], *,
             advise: bool, css: str, heading: str) -> str:
    if not records:
        return ""
    heads = ["Outcome", "Person", "Certification", "Field", "Before", "After"]
    heads += ["What to do next"] if advise else []
    body = []
    for record in records[:SHOWN]:
        name, upn, title = _who(record, rows)
        person = html.escape(name) + (f' <span class="certnb-upn">{html.escape(upn)}</span>' if upn else "")
        colour = COLOURS[record.outcome]
        earlier = " <small>(earlier)</small>" if record.earlier else ""
        before, after = _before_after_html(record)
        outcome = html.escape(record.outcome.label)
        cells = [f"<td style='color:{colour};font-weight:bold'>{outcome}{earlier}</td>",
                 f"<td>{person}</td>", f"<td>{html.escape(title)}</td>",
                 f"<td>{html.escape(label(record.field))}</td>", before, after]
        if advise:
            cells.append(f"<td>{html.escape(next_step(record))}</td>")
        body.append(f"<tr class='certnb-row-{record.outcome.value}'>{''.join(cells)}</tr>")
    more = f"<p>… and {len(records) - SHOWN} more (see .table)</p>" if len(records) > SHOWN else ""
    head = "".join(f"<th>{h}</th>" for h in heads)
    return (f"<h4 class='{css}'>{html.escape(heading)}</h4><table class='{css}'><thead><tr>{head}</tr>"
            f"</thead><tbody>{''.join(body)}</tbody></table>{more}")


def _before_after_html(record: OutcomeRecord) -> tuple[str, str]:
    """The Before and After cells: a value each, or for a create "(new)" and the id Graph gave it, for a
    delete the certification's dates and "(deleted)"."""
    if record.field == CREATE:
        made = f"created, id {record.new_id}" if record.new_id else "(not created)" if not record.done else \
            "created"
        return ('<td class="certnb-before"><span class="certnb-empty">(new)</span></td>',
                f'<td class="certnb-after">{html.escape(made)}</td>')
    if record.field == DELETE:
        gone = "(deleted)" if record.done else "(kept)"
        return (f'<td class="certnb-before">{html.escape(_deleted_words(record))}</td>',
                f'<td class="certnb-cleared">{gone}</td>')
    cleared = record.after is None and record.before is not None
    return (f'<td class="certnb-before">{value_html(record.before)}</td>',
            '<td class="certnb-cleared">(cleared)</td>' if cleared
            else f'<td class="certnb-after">{value_html(record.after)}</td>')


def _deleted_words(record: OutcomeRecord) -> str:
    """Which certification a delete removed, in words: "Valid from 2023-12-12, Expires 2026-12-12"."""
    values = loaded_values(record.before)
    shown = ("certificationId", "startDate", "endDate")
    return ", ".join(f"{label(f)} {value_words(values[f])}" for f in shown if values.get(f) is not None)


def _change_words(record: OutcomeRecord) -> str:
    """A record's change for a terminal line: "Expires → 2028-06-30", "Web URL cleared", "new (id …)",
    "deleted"."""
    if record.field == CREATE:
        return f"New certification (id {record.new_id})" if record.new_id else "New certification"
    if record.field == DELETE:
        return "Delete"
    cleared = record.after is None and record.before is not None
    return f"{label(record.field)} {'cleared' if cleared else f'→ {value_words(record.after)}'}"


_GRAPH_COLUMNS = (("status", "HTTP status"), ("code", "Graph code"), ("message", "Graph message"),
                  ("request_id", "Request id"), ("time", "Time"))


def _graph_answers(records: Sequence[OutcomeRecord], rows: Mapping[tuple[str, str], RowSnapshot]) -> str:
    """Graph's status, code, message and request id of each edit, in a closed disclosure; columns that are
    empty on every row are left out."""
    shown = records[:SHOWN]
    columns = [(attr, head) for attr, head in _GRAPH_COLUMNS if any(getattr(r, attr) for r in shown)]
    if not shown or not columns:
        return ""
    body = []
    for record in shown:
        name, _, title = _who(record, rows)
        values: list[Any] = [getattr(record, attr) for attr, _ in columns]
        cells = "".join(f"<td>{'' if v is None else html.escape(str(v))}</td>" for v in values)
        body.append(f"<tr><td>{html.escape(name)}</td><td>{html.escape(title)}</td>"
                    f"<td>{html.escape(label(record.field))}</td>"
                    f"<td>{html.escape(record.outcome.label)}</td>{cells}</tr>")
    heads = "".join(f"<th>{h}</th>" for h in ["Person", "Certification", "Field", "Outcome",
                                               *(head for _, head in columns)])
    return (f"<details class='certnb-graph-answers'><summary>Graph's answers (status, codes, request ids)"
            f"</summary><table><thead><tr>{heads}</tr></thead><tbody>{''.join(body)}</tbody></table></details>")


def result_html(summary: str, counts: Mapping[str, int], records: Iterable[OutcomeRecord],
                rows: Mapping[tuple[str, str], RowSnapshot]) -> str:
    """The results for a notebook (see the module docstring)."""
    attention, done = _ordered(records)
    return (
        f"{STYLE}<div class='certnb-commit certnb-review'><p><b>{html.escape(summary)}</b></p>"
        f"{counts_html(counts)}"
        + _section(attention, rows, advise=True, css="certnb-attention",
                   heading=f"Needs your attention ({len(attention)})")
        + _section(done, rows, advise=False, css="certnb-done", heading=f"Done ({len(done)})")
        + _graph_answers([*attention, *done], rows)
        + "</div>"
    )


def result_text(summary: str, records: Iterable[OutcomeRecord],
                rows: Mapping[tuple[str, str], RowSnapshot]) -> str:
    """The results for a terminal: the summary, then each edit needing attention with what to do next."""
    attention, _ = _ordered(records)
    lines = [summary]
    for record in attention[:_TEXT_SHOWN]:
        name, upn, title = _who(record, rows)
        person = f"{name} ({upn})" if upn else name
        lines.append(f"  {record.outcome.label} · {person} · {title} · {_change_words(record)}: "
                     f"{next_step(record)}")
    if len(attention) > _TEXT_SHOWN:
        lines.append(f"  … and {len(attention) - _TEXT_SHOWN} more needing attention (see .table)")
    return "\n".join(lines)
