"""`BulkEditForm`: one change over every picked certification — set or clear a field, shift dates, replace an
issuer spelling.

Choose the operation, fill its controls, Preview (how many rows change, a sample before → after), Stage.
Stage re-computes the preview from the current controls, so what is staged is what the controls say.
Clearing is its own operation: its preview is red and Clear… asks "Clear Expires on 7 certifications?"
before it stages anything; Set with an empty value is refused. The value control follows the field (a date
picker for dates …), and the preview is dropped when the picked rows or the staged edits change, so no
count shown here is stale. The logic is `certnb.widgets.bulk_change`.

    >>> bulk = BulkEditForm(df, staged, rows=lambda: picker.value)   # doctest: +SKIP
    >>> bulk.operation.value = "shift"; bulk.amount.value = 1        # doctest: +SKIP
    >>> bulk.reason.value = "CHG-1042: renewals confirmed"          # doctest: +SKIP
    >>> bulk.stage_button.click()                                    # doctest: +SKIP
    >>> bulk.operation.value = "clear"; bulk.clear_field.value = "endDate"          # doctest: +SKIP
    >>> bulk.stage_button.click(); bulk.confirm_button.click()                      # doctest: +SKIP
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets  # type: ignore[import-untyped]
import pandas as pd

from certnb.staging.edit import WRITABLE_FIELDS
from certnb.widgets.bulk_change import (
    CLEARABLE_FIELDS,
    DATE_FIELDS,
    ISSUER_FIELDS,
    UNITS,
    BulkChange,
    ClearField,
    Preview,
    ReplaceIssuer,
    SetField,
    ShiftDates,
    parse_text,
    preview,
    stage_preview,
)
from certnb.widgets.controls import LABELS, from_control, make_control, shown
from certnb.widgets.selection import issuers
from certnb.widgets.view import View

if TYPE_CHECKING:
    from certnb.staging import Staged

__all__ = ["OPERATIONS", "BulkEditForm"]

OPERATIONS = (("Set a field", "set"), ("Clear field", "clear"), ("Shift dates", "shift"),
              ("Replace an issuer spelling", "replace"))
_SAMPLE = 5
_RED = "#cf222e"
_NARROW = {"style": {"description_width": "110px"}}


def _plural(count: int, noun: str = "certification") -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def _before_after(p: Preview) -> str:
    clearing = isinstance(p.change, ClearField)
    after_style = f"color:{_RED};background:#fde2e1" if clearing else "background:#dcf5dc"
    body = "".join(
        f"<tr><td>{html.escape(str(r['userPrincipalName']))}</td><td>{html.escape(str(r['displayName']))}</td>"
        f"<td style='text-decoration:line-through;background:#fde2e1'>"
        f"{html.escape(shown(r['field'], r['before']))}</td>"
        f"<td style='{after_style}'><b>{html.escape(shown(r['field'], r['after']))}</b></td></tr>"
        for r in p.sample(_SAMPLE).to_dict("records")
    )
    css = "certnb-bulk-sample certnb-bulk-clear" if clearing else "certnb-bulk-sample"
    return (f"<table class='{css}'><thead><tr><th>user</th><th>certification</th><th>before</th>"
            f"<th>after</th></tr></thead><tbody>{body}</tbody></table>")


def _headline(p: Preview, picked: int) -> str:
    counts = f"<b>{len(p)}</b> of {_plural(picked, 'picked certification')}"
    if isinstance(p.change, ClearField):
        label = html.escape(LABELS.get(p.change.field, p.change.field))
        return (f"<p class='certnb-bulk-clear' style='color:{_RED}'>{counts} would have <b>{label}</b> "
                "cleared (emptied).</p>")
    return f"<p>{counts} would change.</p>"


def _value_control(field: str) -> Any:
    """A fresh, empty control of `field`'s kind (`controls.make_control`), labelled for the bulk form."""
    control = make_control(field)
    control.description = "New value"
    control.style.description_width = "110px"
    control.layout.width = "420px"
    control.add_class("certnb-bulk-value")
    return control


def _typed(field: str, value: Any) -> Any:
    """A value control's value → the value to set: typed text is read as `parse_text` reads it."""
    return parse_text(field, value) if isinstance(value, str) else from_control(field, value)


class BulkEditForm(View):
    """A bulk change over the rows `rows()` returns (the editor passes the picker's selection).

    `.value` is the `BulkChange` the controls describe; `preview()`, `stage()`, `confirm()` and `cancel()`
    are the buttons' actions; `rows_changed()` tells the form the picked rows changed. It follows `staged`.
    """

    def __init__(self, frame: pd.DataFrame, staged: Staged, rows: Callable[[], Sequence[Any]]) -> None:
        super().__init__()
        self.frame = frame
        self.staged = staged
        self.rows = rows
        self.last_preview: Preview | None = None
        self._pending: Preview | None = None  # the clearing Confirm will stage
        self.operation = widgets.ToggleButtons(options=OPERATIONS, value="set",
                                               style={"button_width": "auto"})
        self.operation.add_class("certnb-bulk-operation")
        self._build_change_controls(frame)
        self.preview_area = widgets.HTML()
        self.preview_area.add_class("certnb-bulk-preview")
        self.preview_button = self.button("Preview", "preview the change", self.preview, icon="eye",
                                          css="certnb-bulk-preview-button")
        self.stage_button = self.button("Stage", "stage the change", self.stage, button_style="primary",
                                        icon="check", css="certnb-bulk-stage")
        self.reason = widgets.Text(description="Reason", placeholder="why: a ticket number, who confirmed it",
                                   layout=widgets.Layout(width="420px"), **_NARROW)
        self.reason.add_class("certnb-bulk-reason")  # journaled with each edit Stage makes
        self.question = widgets.HTML()
        self.confirm_button = self.button("Clear", "clear the field", self.confirm, css="certnb-bulk-confirm",
                                          button_style="danger", icon="eraser",
                                          layout=widgets.Layout(width="auto"))
        self.cancel_button = self.button("Cancel", "cancel", self.cancel, css="certnb-bulk-cancel")
        self.confirmation = widgets.HBox([self.question, self.confirm_button, self.cancel_button],
                                         layout=widgets.Layout(display="none"))
        self.operation.observe(lambda _change: self.act("switch operation", self._show_operation),
                               names="value")
        self.field.observe(lambda _change: self.act("switch field", self._show_field), names="value")
        self.clear_field.observe(lambda _change: self.act("switch field", self._drop_preview), names="value")
        self.widget = widgets.VBox([self.operation, self.set_box, self.clear_box, self.shift_box,
                                    self.replace_box, self.reason,
                                    widgets.HBox([self.preview_button, self.stage_button]),
                                    self.confirmation, self.preview_area, self.messages])
        self.follow(staged, lambda: self._outdated("The staged edits changed"))
        self._show_operation()

    def _build_change_controls(self, frame: pd.DataFrame) -> None:
        self.field = widgets.Dropdown(description="Field", options=[(f"{LABELS.get(f, f)} ({f})", f)
                                                                     for f in WRITABLE_FIELDS],
                                      value="issuingAuthority", **_NARROW)
        self.new_value = _value_control(self.field.value)
        self.clear_field = widgets.Dropdown(description="Clear", options=[(f"{LABELS.get(f, f)} ({f})", f)
                                                                           for f in CLEARABLE_FIELDS],
                                            value="endDate", **_NARROW)
        self.clear_field.add_class("certnb-bulk-clear-field")
        self.date_field = widgets.Dropdown(description="Date", options=[(LABELS[f], f) for f in DATE_FIELDS],
                                           value="endDate", **_NARROW)
        self.amount = widgets.IntText(description="by", value=1, **_NARROW)
        self.unit = widgets.Dropdown(options=UNITS, value="years", layout=widgets.Layout(width="100px"))
        self.issuer_field = widgets.Dropdown(description="In", value="issuingAuthority",
                                             options=[(LABELS[f], f) for f in ISSUER_FIELDS], **_NARROW)
        known = issuers(frame)
        self.old = widgets.Combobox(description="Replace", options=known, ensure_option=False, **_NARROW)
        self.new = widgets.Combobox(description="with", options=known, ensure_option=False, **_NARROW)
        self.set_box = widgets.HBox([self.field, self.new_value])
        self.clear_box = widgets.HBox([self.clear_field])
        self.shift_box = widgets.HBox([self.date_field, self.amount, self.unit])
        self.replace_box = widgets.HBox([self.issuer_field, self.old, self.new])

    @property
    def value(self) -> BulkChange:
        """The change the controls describe."""
        if self.operation.value == "shift":
            return ShiftDates(int(self.amount.value), self.unit.value, self.date_field.value)
        if self.operation.value == "replace":
            return ReplaceIssuer(self.old.value, self.new.value, self.issuer_field.value)
        if self.operation.value == "clear":
            return ClearField(self.clear_field.value)
        return SetField(self.field.value, _typed(self.field.value, self.new_value.value))

    # -- actions -------------------------------------------------------------------------------------------
    def preview(self) -> Preview | None:
        """Show how many picked rows the change would change, and a sample before → after."""
        self._drop_preview()
        picked = list(self.rows())
        if not picked:
            self.say("Pick certifications first (in the list above).", "warning")
            return None
        result = preview(self.frame, picked, self.value, self.staged)
        self.last_preview = result
        sample = _before_after(result) if len(result) else ""
        self.preview_area.value = _headline(result, len(picked)) + sample
        return result

    def stage(self) -> None:
        """Stage the change on the picked rows (refused as a whole if any row breaks a rule); a clearing
        is only asked about here, and staged by `confirm`."""
        result = self.preview()
        if result is None:
            return
        if not len(result):
            self.say("Nothing to stage: no picked certification would change.")
        elif isinstance(result.change, ClearField):
            self._ask(result)
        else:
            self._stage(result)

    def confirm(self) -> None:
        """Stage the clearing Clear… asked about, if the picked rows and the controls still give it."""
        pending, self._pending = self._pending, None
        self.confirmation.layout.display = "none"
        if pending is None:
            self.say("Nothing is waiting for confirmation: press Clear… first.", "warning")
            return
        result = self.preview()
        if result is None:
            return
        if result.change != pending.change or not result.table.equals(pending.table):
            self._ask(result)  # never stage a count the question did not show
            self.say("The rows to clear changed since the question: check the new count.", "warning")
            return
        self._stage(result)

    def cancel(self) -> None:
        """Drop the pending clearing; nothing is staged."""
        self._drop_preview()
        self.say("Cancelled; nothing was cleared.")

    def rows_changed(self) -> None:
        """The picked rows changed: drop the preview, the pending clearing and the notes on the old rows."""
        self._outdated("The picked certifications changed")

    # -- drawing -------------------------------------------------------------------------------------------
    def _stage(self, result: Preview) -> None:
        count = stage_preview(self.staged, result, reason=self.reason.value or None)
        if isinstance(result.change, ClearField):
            label = LABELS.get(result.change.field, result.change.field)
            self.say(f"Staged clearing {label} ({result.change.field}) on {_plural(count)}.", "ok")
        else:
            label = LABELS.get(result.change.field, result.change.field)
            self.say(f"Staged {label} on {_plural(count)}.", "ok")
        self.changed()

    def _ask(self, result: Preview) -> None:
        label = html.escape(LABELS.get(result.change.field, result.change.field))
        self._pending = result
        self.question.value = f"<b style='color:{_RED}'>Clear {label} on {_plural(len(result))}?</b>"
        self.confirm_button.description = f"Clear {_plural(len(result))}"
        self.confirmation.layout.display = ""

    def _drop_preview(self) -> None:
        self.last_preview = self._pending = None
        self.preview_area.value = ""
        self.confirmation.layout.display = "none"
        self.messages.value = ""

    def _outdated(self, why: str) -> None:
        """Drop what was shown for the old rows or staged edits, saying so if a preview or question was up."""
        asked, previewed = self._pending is not None, self.last_preview is not None
        self._drop_preview()
        if asked:
            self.say(f"{why}: nothing was cleared; press Clear… again to see the new count.", "warning")
        elif previewed:
            self.say(f"{why}: press Preview again.")

    def _show_operation(self) -> None:
        chosen = self.operation.value
        for name, box in (("set", self.set_box), ("clear", self.clear_box), ("shift", self.shift_box),
                          ("replace", self.replace_box)):
            box.layout.display = "" if name == chosen else "none"
        clearing = chosen == "clear"
        self.stage_button.description = "Clear…" if clearing else "Stage"
        self.stage_button.button_style = "danger" if clearing else "primary"
        self.stage_button.icon = "eraser" if clearing else "check"
        self._drop_preview()

    def _show_field(self) -> None:
        """A fresh value control of the new field's kind: nothing typed for the old field carries over."""
        old, self.new_value = self.new_value, _value_control(self.field.value)
        self.set_box.children = (self.field, self.new_value)
        old.close()
        self._drop_preview()
