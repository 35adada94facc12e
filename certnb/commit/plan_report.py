"""The dry run in the analyst's words: what a commit would change, as sentences and a table of changes, with
the exact HTTP requests (method, URL, body) behind a disclosure. Pure text and HTML; plan.py plans.

    >>> from certnb.staging.edit import Edit, RowSnapshot
    >>> edits = [Edit("u1", "c1", "endDate", "2026-12-31", "2027-12-31", 1)]
    >>> rows = {("u1", "c1"): RowSnapshot("u1", "c1", "bob@x", "Bob", "AZ-900")}
    >>> requests = [("PATCH", "https://graph.microsoft.com/beta/users/u1/profile/certifications/c1",
    ...              '{"endDate":"2027-12-31"}')]
    >>> summary = "Commit plan (dry run, nothing sent): 1 PATCH request carrying 1 edit"
    >>> print(plan_text(summary, edits, requests))
    Commit plan (dry run, nothing sent): 1 PATCH request carrying 1 edit
    - 1 certification of 1 person: Expires extended by one year
    <BLANKLINE>
    PATCH https://graph.microsoft.com/beta/users/u1/profile/certifications/c1
    Content-Type: application/json
    <BLANKLINE>
    {"endDate":"2027-12-31"}
    >>> shown = plan_html("…", edits, rows, requests)
    >>> "<details" in shown and "Expires extended by one year" in shown and "Bob" in shown
    True
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence

from certnb.staging.change_words import describe_changes
from certnb.staging.edit import Edit, RowSnapshot
from certnb.staging.review_html import STYLE, lines_html, sentences_html, sentences_text
from certnb.staging.review_lines import review_lines

__all__ = ["plan_html", "plan_text", "request_text"]

Request = tuple[str, str, str]  # method, URL, body exactly as sent


def request_text(method: str, url: str, body: str) -> str:
    """One request as sent: method and URL, then (when it has a body) the Content-Type header, a blank line
    and the body. A DELETE has none."""
    if not body:
        return f"{method} {url}"
    return f"{method} {url}\nContent-Type: application/json\n\n{body}"


def plan_text(summary: str, edits: Iterable[Edit], requests: Sequence[Request],
              total: int | None = None) -> str:
    """The dry run for a terminal: the summary, the sentences, then the requests (`total` of them in all)."""
    sentences = sentences_text(describe_changes(edits))
    shown = "\n\n".join(request_text(*r) for r in requests)
    left = (total if total is not None else len(requests)) - len(requests)
    more = f"\n\n… and {left} more (print(plan) shows every request)" if left > 0 else ""
    head = f"{summary}\n{sentences}" if sentences else summary
    return f"{head}\n\n{shown}{more}" if requests else head


def plan_html(summary: str, edits: Iterable[Edit], rows: Mapping[tuple[str, str], RowSnapshot],
              requests: Sequence[Request], total: int | None = None) -> str:
    """The dry run for a notebook: summary, sentences, the changes (person, title, field, before → after),
    and the exact requests in a `<details>` disclosure."""
    carried = list(edits)
    blocks = "".join(
        f"<pre style='margin:4px 0'><b>{html.escape(method)}</b> {html.escape(url)}"
        + (f"\nContent-Type: application/json\n\n{html.escape(body)}" if body else "") + "</pre>"
        for method, url, body in requests
    )
    count = total if total is not None else len(requests)
    left = count - len(requests)
    more = f"<p>… and {left} more (print(plan) shows every request)</p>" if left > 0 else ""
    methods = {method for method, _, _ in requests}
    kind = "PATCH" if methods <= {"PATCH"} else "request"
    plural = ("es" if kind == "PATCH" else "s") if count != 1 else ""
    details = (
        f"<details class='certnb-requests'><summary>The exact requests ({count} {kind}{plural})</summary>"
        f"{blocks}{more}</details>" if count else ""
    )
    table = lines_html(review_lines(carried, rows)) if carried else ""
    return (f"{STYLE}<div class='certnb-plan certnb-review'><p>{html.escape(summary)}</p>"
            f"{sentences_html(describe_changes(carried))}{table}{details}</div>")
