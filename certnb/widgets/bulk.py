"""`BulkEditForm`: one change over every picked certification — set a field, shift dates, replace an issuer.

Choose the operation, fill its controls, Preview (how many rows change, a sample before → after), Stage.
Stage re-computes the preview from the current controls, so what is staged is what the controls say.
The logic is `certnb.widgets.bulk_change`.

    >>> bulk = BulkEditForm(df, staged, rows=lambda: picker.value)   # doctest: +SKIP
    >>> bulk.operation.value = "shift"; bulk.amount.value = 1        # doctest: +SKIP
    >>> bulk.stage_button.click()                                    # doctest: +SKIP
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets  # type: ignore[import-untyped]
import pandas as pd

from certnb.staging.edit import WRITABLE_FIELDS
from certnb.widgets.bulk_change import (
    DATE_FIELDS,
    ISSUER_FIELDS,
    UNITS,
    BulkChange,
    Preview,
    ReplaceIssuer,
    SetField,
    ShiftDates,
    parse_text,
    preview,
    stage_preview,
)
from certnb.widgets.controls import LABELS
from certnb.widgets.selection import issuers
from certnb.widgets.view import View

if TYPE_CHECKING:
    from certnb.staging import Staged

__all__ = ["OPERATIONS", "BulkEditForm"]

OPERATIONS = (("Set a field", "set"), ("Shift dates", "shift"), ("Replace an issuer spelling", "replace"))
_SAMPLE = 5


def _before_after(p: Preview) -> str:
    sample = p.sample(_SAMPLE)
    body = "".join(
        f"<tr><td>{html.escape(str(r['userPrincipalName']))}</td><td>{html.escape(str(r['displayName']))}</td>"
        f"<td style='text-decoration:line-through;background:#fde2e1'>{html.escape(str(r['before']))}</td>"
        f"<td style='background:#dcf5dc'><b>{html.escape(str(r['after']))}</b></td></tr>"
        for r in sample.to_dict("records")
    )
    return ("<table class='certnb-bulk-sample'><thead><tr><th>user</th><th>certification</th><th>before</th>"
            f"<th>after</th></tr></thead><tbody>{body}</tbody></table>")


class BulkEditForm(View):
    """A bulk change over the rows `rows()` returns (the editor passes the picker's selection).

    `.value` is the `BulkChange` the controls describe; `preview()` and `stage()` are the buttons' actions.
    """

    def __init__(self, frame: pd.DataFrame, staged: Staged, rows: Callable[[], Sequence[Any]]) -> None:
        super().__init__()
        self.frame = frame
        self.staged = staged
        self.rows = rows
        self.last_preview: Preview | None = None
        narrow = {"style": {"description_width": "110px"}}
        self.operation = widgets.ToggleButtons(options=OPERATIONS, value="set")
        self.field = widgets.Dropdown(description="Field", options=[(f"{LABELS.get(f, f)} ({f})", f)
                                                                     for f in WRITABLE_FIELDS],
                                      value="issuingAuthority", **narrow)
        self.text = widgets.Text(description="New value", placeholder="empty clears the field", **narrow)
        self.date_field = widgets.Dropdown(description="Date", options=[(LABELS[f], f) for f in DATE_FIELDS],
                                           value="endDate", **narrow)
        self.amount = widgets.IntText(description="by", value=1, **narrow)
        self.unit = widgets.Dropdown(options=UNITS, value="years", layout=widgets.Layout(width="100px"))
        self.issuer_field = widgets.Dropdown(description="In", value="issuingAuthority",
                                             options=[(LABELS[f], f) for f in ISSUER_FIELDS], **narrow)
        known = issuers(frame)
        self.old = widgets.Combobox(description="Replace", options=known, ensure_option=False, **narrow)
        self.new = widgets.Combobox(description="with", options=known, ensure_option=False, **narrow)
        self.set_box = widgets.HBox([self.field, self.text])
        self.shift_box = widgets.HBox([self.date_field, self.amount, self.unit])
        self.replace_box = widgets.HBox([self.issuer_field, self.old, self.new])
        self.preview_area = widgets.HTML()
        self.preview_button = self.button("Preview", "preview the change", self.preview, icon="eye")
        self.stage_button = self.button("Stage", "stage the change", self.stage, button_style="primary",
                                        icon="check")
        self.operation.observe(lambda _change: self.act("switch operation", self._show_operation),
                               names="value")
        self.widget = widgets.VBox([self.operation, self.set_box, self.shift_box, self.replace_box,
                                    widgets.HBox([self.preview_button, self.stage_button]),
                                    self.preview_area, self.messages])
        self._show_operation()

    @property
    def value(self) -> BulkChange:
        """The change the controls describe."""
        if self.operation.value == "shift":
            return ShiftDates(int(self.amount.value), self.unit.value, self.date_field.value)
        if self.operation.value == "replace":
            return ReplaceIssuer(self.old.value, self.new.value, self.issuer_field.value)
        return SetField(self.field.value, parse_text(self.field.value, self.text.value))

    def preview(self) -> Preview | None:
        """Show how many picked rows the change would change, and a sample before → after."""
        self.messages.value = ""
        picked = list(self.rows())
        if not picked:
            self.preview_area.value = ""
            self.say("Pick certifications first (in the list above).", "warning")
            return None
        self.preview_area.value = ""
        result = preview(self.frame, picked, self.value, self.staged)
        self.last_preview = result
        self.preview_area.value = (
            f"<p><b>{len(result)}</b> of {len(picked)} picked certification{'s' if len(picked) != 1 else ''} "
            f"would change.</p>" + (_before_after(result) if len(result) else "")
        )
        return result

    def stage(self) -> None:
        """Stage the change on the picked rows (refused as a whole if any row breaks a rule)."""
        result = self.preview()
        if result is None:
            return
        if not len(result):
            self.say("Nothing to stage: no picked certification would change.")
            return
        count = stage_preview(self.staged, result)
        self.say(f"Staged {result.change.field} on {count} certification{'s' if count != 1 else ''}.", "ok")
        self.changed()

    def _show_operation(self) -> None:
        chosen = self.operation.value
        for name, box in (("set", self.set_box), ("shift", self.shift_box), ("replace", self.replace_box)):
            box.layout.display = "" if name == chosen else "none"
        self.preview_area.value = ""
