"""Creates and deletes in the analyst's words, from staging to results: one line per create or delete (not
one per field), "new" and "deleted" sentences, a DELETE shown without a body, the results counting what was
created and deleted, naming the id Graph gave and saying what to do about a delete that was not done."""

from __future__ import annotations

from commit_tenant import committed, key, remote_patch, staged_on

from certnb.commit.plan import plan
from certnb.emulator.server import Emulator
from certnb.graph.client import Graph

CKA = {"displayName": "CKA", "issuingAuthority": "CNCF", "startDate": "2026-11-01", "endDate": "2029-11-01"}


def test_the_review_shows_a_create_and_a_delete_as_one_line_each(graph: Graph) -> None:
    staged = staged_on(graph)
    staged.add("user1@contoso.example", **CKA)
    staged.delete(key(2, "cert-2-1"))
    lines = [str(line) for line in staged.diff().lines()]
    assert len(lines) == 2, lines  # not one line per field of the create
    [new] = [line for line in lines if "New certification" in line]
    assert ("· CKA · New certification: Issuing authority 'CNCF', Valid from 2026-11-01, Expires 2029-11-01"
            in new)
    [gone] = [line for line in lines if "Delete" in line]
    assert "Delete: the whole certification (" in gone and "{" not in gone  # the values, not their JSON
    html = staged.diff()._repr_html_()
    assert "(new)" in html and "(deleted)" in html


def test_the_dry_run_says_new_and_deleted_and_shows_a_delete_without_a_body(graph: Graph) -> None:
    staged = staged_on(graph)
    staged.add("user1@contoso.example", **CKA)
    staged.delete([key(2, "cert-2-0"), key(2, "cert-2-1")])
    staged.set(key(1, "cert-1-0"), description="kept")
    planned = plan(staged, base_url=graph.base_url)
    text = repr(planned)
    sentences = [line for line in text.splitlines() if line.startswith("- ")]
    assert sentences[0] == "- 1 certification of 1 person: new, 'CKA'"
    assert sentences[-1].startswith("- 2 certifications of 1 person: deleted, ")
    assert "- 1 certification of 1 person: Description set to 'kept'" in sentences
    delete = f"DELETE {graph.base_url}/users/"
    after_delete = text[text.index(delete):].split("\n", 2)
    assert not after_delete[1].startswith("Content-Type"), after_delete[:2]
    html = planned._repr_html_()
    assert "The exact requests (4 requests)" in html and "(deleted)" in html


def test_the_results_count_creates_and_deletes_and_say_what_to_do_next(emu: Emulator, graph: Graph) -> None:
    staged = staged_on(graph)
    staged.add("user1@contoso.example", **CKA)
    staged.delete([key(2, "cert-2-0"), key(2, "cert-2-1")])
    remote_patch(emu, 2, "cert-2-0", {"endDate": "2030-01-31"})
    result = committed(graph, staged)
    assert result.summary() == "2 applied, 1 conflict (1 created, 1 deleted)"
    text = repr(result)
    [conflict] = [line for line in text.splitlines() if line.lstrip().startswith("conflict")]
    assert "· Delete: someone changed it in Graph since you loaded, so it was not deleted" in conflict
    [create] = [r for r in result if r.field == "@create"]
    assert create.new_id and result.table.loc[result.table["field"] == "@create", "newId"].tolist() == [
        create.new_id]
    html = result._repr_html_()
    assert f"created, id {create.new_id}" in html and "(kept)" in html
    assert html.count("<tr class='certnb-row-") == 3  # one row per create and delete, not per field
