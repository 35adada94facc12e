"""Staging: validated edits on a certification frame, durable in a journal until they are committed.

    edit.py            Edit, RowSnapshot, the staging rules (check_value(s), check_date_order), EditsRefused
    proposals.py       set / apply / from_changes arguments → (row, field, raw, checked) proposals
    staged.py          Staged and stage(): one journaled transaction a call; unstage, diff
    refusals.py        the row rules (date order, one value per cell, before from another load) and the
                       refusals naming person, certification and field label (names: certnb.frame.names)
    rows.py            the frame side: which rows a selection names, their loaded values in wire form
    known_rows.py      the rows a Staged knows: the frame's, and those its journal recorded
    frame_check.py     the frame as load made it (the schema's dtypes, one row per label), or FrameRefused
    journal.py         the SQLite journal: staged edits, tombstones, the loaded values, and the commit's
                       outcome rows (stored for certnb.commit, which alone knows what they mean)
    journal_facts.py   what a journal holds (JournalSummary) and whom it belongs to (JournalOwner)
    journal_file.py    what a journal path holds, opening it, the refusals (not a journal, damaged, locked)
    journal_export.py  the journal as plain records, JSON lines or CSV
    lease.py           the commit lease: one committer per journal at a time, taken over from a dead holder
    transaction.py     the journal's writes, many rows per statement
    diff.py            the before/after table and its notebook display
    review_lines.py    the review's lines: person, title, field label, before → after, fixes, outcome; groups
    review_html.py     the review and the dry run as a notebook and a terminal show them
    change_words.py    staged changes as sentences ("7 certifications of 6 people: Expires extended by …")
    fixes.py           which audit findings each staged change fixes (certnb.frame.audit, run once)
    merge.py           merging duplicates, planned: groups, the keeper rule, fills, conflicts (MergePlan)
    merge_choices.py   the analyst's keep= and resolve=, checked against the groups
    merge_report.py    a merge plan as text, as HTML (the records side by side) and its conflicts table
    ownership.py       edits of values another system owns: refused, staged with a warning, or routed
    source_fixes.py    the fixes to make in the owning system instead (`staged.source_fixes()`), exported

>>> import certnb.staging
>>> certnb.staging.stage(None)
<Staged: 0 edits on 0 certifications of 0 users; journal :memory:>
"""

from __future__ import annotations

from certnb.errors import EditsRefused
from certnb.staging.diff import Diff
from certnb.staging.edit import Edit, RowSnapshot
from certnb.staging.journal import Journal
from certnb.staging.ownership import OwnedValueWarning
from certnb.staging.rows import Row
from certnb.staging.staged import Staged, stage

__all__ = [
    "Diff",
    "Edit",
    "EditsRefused",
    "Journal",
    "OwnedValueWarning",
    "Row",
    "RowSnapshot",
    "Staged",
    "stage",
]
