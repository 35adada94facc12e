"""Staging: validated edits on a certification frame, durable in a journal until they are committed.

    edit.py     Edit, RowSnapshot, the staging rules (check_value, check_date_order), EditsRefused
    staged.py   Staged and stage(): set / apply / from_changes / unstage / clear, diff, plan
    rows.py     the frame side: which rows a selection names, their loaded values in wire form
    journal.py  the SQLite journal: staged edits, tombstones, the frame's loaded values, commit outcomes
    diff.py     the before/after table and its notebook display

>>> import certnb.staging
>>> certnb.staging.stage(None)
<Staged: 0 edits on 0 certifications of 0 users; journal :memory:>
"""

from __future__ import annotations

from certnb.staging.diff import Diff
from certnb.staging.edit import Edit, EditsRefused, RowSnapshot
from certnb.staging.journal import DONE_OUTCOMES, OUTCOMES, Journal, OutcomeRecord
from certnb.staging.rows import Row
from certnb.staging.staged import Staged, stage

__all__ = [
    "DONE_OUTCOMES",
    "OUTCOMES",
    "Diff",
    "Edit",
    "EditsRefused",
    "Journal",
    "OutcomeRecord",
    "Row",
    "RowSnapshot",
    "Staged",
    "stage",
]
