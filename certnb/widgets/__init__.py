"""Notebook forms over the staging and commit objects: thin ipywidgets views, logic in plain functions.

    selection.py    which certifications the picker shows (criteria, pages, staged marks)   — pure
    controls.py     the control of each writable field and its value ↔ Graph wire form     — pure
    bulk_change.py  bulk changes (set, clear, shift dates, replace issuer) and their preview — pure
    feedback.py     errors and refused edits as HTML, by field
    view.py         `View`: what the forms share (owns widgets, shows errors instead of losing them)
    datagrid/       `grid(df, staged)`: the editable grid (an anywidget over Tabulator), the editor's top
    picker.py · form.py · new_form.py · bulk.py · merge.py · clusters.py · review.py · editor.py   the forms,
    and the call
    joining them (the review's words, lines and fixes, and the merge plan, are pure functions in
    certnb.staging; the dry run's and the results' in certnb.commit.plan_report and result_report)

>>> import certnb.widgets
>>> certnb.widgets.TAB_TITLES
('Edit one', 'Bulk edit', 'New certification', 'Duplicates', 'Review & commit')
"""

from __future__ import annotations

from certnb.widgets.bulk import BulkEditForm
from certnb.widgets.bulk_change import (
    ClearField,
    Preview,
    ReplaceIssuer,
    SetField,
    ShiftDates,
    preview,
    stage_preview,
)
from certnb.widgets.clusters import ClusterForm
from certnb.widgets.datagrid import Grid, grid
from certnb.widgets.editor import TAB_TITLES, Editor, editor
from certnb.widgets.form import CertificationForm
from certnb.widgets.merge import MergeDuplicates
from certnb.widgets.new_form import NewCertificationForm
from certnb.widgets.picker import Picker
from certnb.widgets.review import ReviewPanel
from certnb.widgets.selection import Criteria, pick

__all__ = [
    "TAB_TITLES",
    "BulkEditForm",
    "CertificationForm",
    "ClearField",
    "ClusterForm",
    "Criteria",
    "Editor",
    "Grid",
    "MergeDuplicates",
    "NewCertificationForm",
    "Picker",
    "Preview",
    "ReplaceIssuer",
    "ReviewPanel",
    "SetField",
    "ShiftDates",
    "editor",
    "grid",
    "pick",
    "preview",
    "stage_preview",
]
