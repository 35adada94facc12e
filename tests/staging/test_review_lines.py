"""The review's lines and their display: person, title, field label, before → after, fixes; grouped by person
or by field; no Graph ids and no empty columns in what the analyst sees."""

from __future__ import annotations

import pytest

from certnb.staging.edit import Edit, RowSnapshot
from certnb.staging.review_html import lines_html, lines_text
from certnb.staging.review_lines import group_lines, review_lines

U1, U2 = "5966eb44-e0c6-4744-9511-3dc30e9a8df5", "0b7d3c1e-2f4a-4b5c-8d9e-0f1a2b3c4d5e"
ROWS = {
    (U1, "c-aaaa-1111"): RowSnapshot(U1, "c-aaaa-1111", "zoe@x", "Zoë Angström", "AZ-104"),
    (U1, "c-bbbb-2222"): RowSnapshot(U1, "c-bbbb-2222", "zoe@x", "Zoë Angström", "CISSP"),
    (U2, "c-cccc-3333"): RowSnapshot(U2, "c-cccc-3333", "adele@x", "Adele Vance", "AZ-900"),
}
EDITS = [
    Edit(U1, "c-aaaa-1111", "endDate", "2026-01-31", "2027-01-31", 1),
    Edit(U1, "c-bbbb-2222", "webUrl", "https://isc2.example/b", None, 2),
    Edit(U2, "c-cccc-3333", "issuingCompany", "MSFT", "Microsoft", 3),
    Edit(U2, "c-cccc-3333", "endDate", "2026-01-31", "2027-01-31", 4),
]


def test_lines_name_the_person_title_and_label_and_carry_fixes_and_outcomes() -> None:
    lines = review_lines(EDITS, ROWS, fixes={EDITS[0].key: ("expired",)}, outcomes={3: "conflict"})
    assert [(ln.person, ln.title, ln.label, ln.change) for ln in lines] == [
        ("Zoë Angström (zoe@x)", "AZ-104", "Expires", "2026-01-31 → 2027-01-31"),
        ("Zoë Angström (zoe@x)", "CISSP", "Web URL", "'https://isc2.example/b' → (cleared)"),
        ("Adele Vance (adele@x)", "AZ-900", "Issuing company", "'MSFT' → 'Microsoft'"),
        ("Adele Vance (adele@x)", "AZ-900", "Expires", "2026-01-31 → 2027-01-31"),
    ]
    assert [ln.fixes for ln in lines] == [("expired",), (), (), ()]
    assert [ln.outcome for ln in lines] == [None, None, "conflict", None]
    assert lines[0].fix_words == "expired" and lines[1].cleared


def test_grouping_by_person_or_by_field() -> None:
    lines = review_lines(EDITS, ROWS)
    by_person = group_lines(lines, "person")
    assert [(h, [(ln.title, ln.label) for ln in g]) for h, g in by_person] == [
        ("Adele Vance (adele@x)", [("AZ-900", "Issuing company"), ("AZ-900", "Expires")]),
        ("Zoë Angström (zoe@x)", [("AZ-104", "Expires"), ("CISSP", "Web URL")]),
    ]
    by_field = group_lines(lines, "field")
    assert [(h, [ln.person for ln in g]) for h, g in by_field] == [
        ("Issuing company", ["Adele Vance (adele@x)"]),
        ("Expires", ["Adele Vance (adele@x)", "Zoë Angström (zoe@x)"]),
        ("Web URL", ["Zoë Angström (zoe@x)"]),
    ]
    with pytest.raises(ValueError, match="group the review by one of person, field; got 'user'"):
        group_lines(lines, "user")  # type: ignore[arg-type]


def test_the_display_shows_no_ids_and_no_empty_columns() -> None:
    plain = lines_html(review_lines(EDITS, ROWS), "person")
    assert all(text not in plain for text in (U1, U2, "c-aaaa-1111", "None", "Fixes", "Outcome"))
    assert plain.count('class="certnb-review-group"') == 2 and "<th>Person</th>" not in plain
    assert '<td class="certnb-cleared">(cleared)</td>' in plain  # a loss is marked, not shown as green
    assert 'class="certnb-before">https://isc2.example/b<' in plain
    with_fixes = lines_html(review_lines(EDITS, ROWS, fixes={EDITS[0].key: ("expired",)}), "field")
    assert "<th>Fixes</th>" in with_fixes and "<th>Person</th>" in with_fixes
    assert "<th>Field</th>" not in with_fixes
    assert 'title="fixes the audit finding expired">expired</span>' in with_fixes


def test_a_terminal_gets_the_same_review_as_text() -> None:
    text = lines_text(review_lines(EDITS, ROWS, fixes={EDITS[0].key: ("expired",)}), "person")
    assert text.splitlines() == [
        "Adele Vance (adele@x)",
        "  AZ-900 · Issuing company: 'MSFT' → 'Microsoft'",
        "  AZ-900 · Expires: 2026-01-31 → 2027-01-31",
        "Zoë Angström (zoe@x)",
        "  AZ-104 · Expires: 2026-01-31 → 2027-01-31 (fixes: expired)",
        "  CISSP · Web URL: 'https://isc2.example/b' → (cleared)",
    ]


def test_the_display_is_bounded() -> None:
    many = [Edit(U1, "c-aaaa-1111", "description", None, f"text {n}", n) for n in range(250)]
    shown = lines_html(review_lines(many, ROWS))
    assert shown.count("<tr>") == 201 and "… and 50 more changes" in shown
