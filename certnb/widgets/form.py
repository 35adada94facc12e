"""`CertificationForm`: edit one certification — a control per writable field, loaded vs staged, Stage, Reset.

Controls follow `certnb.widgets.controls` (DatePicker for the three dates, a multi-select for audiences,
Text for strings and URLs). Next to each control the form shows the loaded value and the staged one; a
refused edit shows its rule inline next to the field, and nothing is staged (staging is all or nothing).
When the certification's staged values change elsewhere (another form, code in a cell), the form reloads.

    >>> form = CertificationForm(df, staged, label=0)                    # doctest: +SKIP
    >>> form.controls["endDate"].value = datetime.date(2027, 6, 30)      # doctest: +SKIP
    >>> form.stage_button.click()                                        # doctest: +SKIP
    >>> [(e.field, e.after) for e in staged]                             # doctest: +SKIP
    [('endDate', '2027-06-30')]
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets  # type: ignore[import-untyped]
import pandas as pd

from certnb.errors import EditsRefused
from certnb.frame.names import RowNames
from certnb.schema import LABELS, is_missing
from certnb.staging.edit import WRITABLE_FIELDS
from certnb.staging.rows import wire_column
from certnb.widgets.controls import changes, make_control, shown, to_control
from certnb.widgets.feedback import by_field, field_error_html
from certnb.widgets.view import View

if TYPE_CHECKING:
    from certnb.staging import Staged

__all__ = ["CertificationForm", "loaded_values", "staged_values"]


def loaded_values(frame: pd.DataFrame, staged: Staged, label: Any) -> dict[str, Any]:
    """The wire values of a row as loaded (the journal's record wins, as in staging)."""
    row = frame.loc[[label]]
    key = (str(row["userId"].iloc[0]), str(row["id"].iloc[0]))
    snapshot = staged.rows.get(key)
    if snapshot is not None:
        return {field: snapshot.value(field) for field in WRITABLE_FIELDS}
    return {field: wire_column(row, field)[0] for field in WRITABLE_FIELDS}


def staged_values(staged: Staged, key: tuple[str, str]) -> dict[str, Any]:
    """The staged wire values of one certification, by field."""
    return {e.field: e.after for e in staged if e.row_key == key}


class CertificationForm(View):
    """The edit form of one certification of `frame` (`label`: its row label; `load` another).

    `.value` is the controls' values by field; `stage()` / `reset()` are the buttons' actions.
    """

    def __init__(self, frame: pd.DataFrame, staged: Staged, label: Any = None) -> None:
        super().__init__()
        self.frame = frame
        self.staged = staged
        self.label: Any = None
        self.key: tuple[str, str] | None = None
        self.loaded: dict[str, Any] = {}
        self._shown_staged: dict[str, Any] = {}  # the staged values the controls were filled from
        self.header = widgets.HTML()
        self.controls: dict[str, Any] = {field: make_control(field) for field in WRITABLE_FIELDS}
        self.notes: dict[str, Any] = {field: widgets.HTML() for field in WRITABLE_FIELDS}
        self.errors: dict[str, Any] = {field: widgets.HTML() for field in WRITABLE_FIELDS}
        for field, control in self.controls.items():
            control.add_class(f"certnb-field-{field.replace('.', '-')}")
        self.stage_button = self.button("Stage", "stage the edits", self.stage, css="certnb-form-stage",
                                        button_style="primary",
                                        icon="check")
        self.reset_button = self.button("Reset", "reset the certification", self.reset, icon="undo",
                                        tooltip="Withdraw its staged edits; show it as loaded")
        self.delete_button = self.button("Delete", "stage the deletion", self.delete, icon="trash",
                                         css="certnb-form-delete", button_style="danger",
                                         tooltip="Stage its deletion (Reset withdraws it)")
        rows = [widgets.HBox([self.controls[f], self.notes[f], self.errors[f]]) for f in WRITABLE_FIELDS]
        self.widget = widgets.VBox([self.header, *rows, widgets.HBox([self.stage_button, self.reset_button,
                                                                self.delete_button]),
                                    self.messages])
        self.follow(staged, self.staged_changed)
        self.load(label)

    @property
    def value(self) -> dict[str, Any]:
        """The control values, by field (dates as `datetime.date`, audiences as a tuple of member names)."""
        return {field: control.value for field, control in self.controls.items()}

    @value.setter
    def value(self, values: Mapping[str, Any]) -> None:
        unknown = set(values) - set(self.controls)
        if unknown:
            raise KeyError(f"not writable fields: {sorted(unknown)}; fields: {', '.join(self.controls)}")
        for field, value in values.items():
            self.controls[field].value = value

    @property
    def effective(self) -> dict[str, Any]:
        """The certification's wire values as a commit would leave them: loaded, overlaid with staged."""
        if self.key is None:
            return {}
        return {**self.loaded, **staged_values(self.staged, self.key)}

    def load(self, label: Any) -> None:
        """Show the certification at row `label` (None: no certification; the controls are disabled)."""
        self.label = label
        self._clear_errors()
        self.messages.value = ""
        if label is None:
            self.key, self.loaded = None, {}
            self.header.value = "<i>Pick a certification to edit it.</i>"
            for control in self.controls.values():
                control.disabled = True
            self.stage_button.disabled = self.reset_button.disabled = self.delete_button.disabled = True
            return
        row = self.frame.loc[[label]].iloc[0]
        self.key = (str(row["userId"]), str(row["id"]))
        self.loaded = loaded_values(self.frame, self.staged, label)
        title = "(untitled)" if is_missing(row["displayName"]) else str(row["displayName"])
        who = html.escape(RowNames.of_record(row.to_dict()).person or "(nobody)")
        where = f"{LABELS['id']} {html.escape(self.key[1])}"
        deleting = self.key in self.staged.deletes
        self.header.value = f"<b>{html.escape(title)}</b> of {who} <small>({where})</small>" + (
            ' <b style="color:#cf222e">· staged for deletion (Reset withdraws it)</b>' if deleting else "")
        for control in self.controls.values():
            control.disabled = deleting
        self.stage_button.disabled = self.delete_button.disabled = deleting
        self.reset_button.disabled = False
        self._show(self.effective)

    def stage(self) -> None:
        """Stage every field whose control differs from the effective value; refusals are shown inline."""
        if self.key is None:
            self.say("Pick a certification first.", "warning")
            return
        wanted = changes(self.value, self.effective)
        self._clear_errors()
        if not wanted:
            self.say("Nothing to stage: the controls hold the staged (or loaded) values.")
            return
        try:
            self.staged.set(self.key, wanted)
        except EditsRefused as refused:
            for field, messages in by_field(refused).items():
                if field in self.errors:
                    self.errors[field].value = field_error_html(messages)
            count = len(refused.problems)
            self.say(f"Nothing was staged: {count} field{'s' if count != 1 else ''} refused (see the "
                     "message next to each).", "error")
            return
        self._notes()
        labels = ", ".join(LABELS[f] for f in wanted)
        self.say(f"Staged {len(wanted)} change{'s' if len(wanted) != 1 else ''}: {labels}.", "ok")
        self.changed()

    def reset(self) -> None:
        """Withdraw this certification's staged edits and show it as loaded."""
        if self.key is None:
            return
        withdrawn = len(staged_values(self.staged, self.key))
        if withdrawn:
            self.staged.unstage(self.key)
        self._clear_errors()
        self.load(self.label)
        plural = "s" if withdrawn != 1 else ""
        self.say(f"Withdrew {withdrawn} staged edit{plural}; showing the loaded values.")
        if withdrawn:
            self.changed()

    def delete(self) -> None:
        """Stage the deletion of this certification (its staged edits are withdrawn with it)."""
        if self.key is None:
            self.say("Pick a certification first.", "warning")
            return
        self.staged.delete(self.key)
        self.load(self.label)
        self.say("Staged its deletion: it is deleted when you commit (Reset withdraws the deletion).", "ok")
        self.changed()

    def staged_changed(self) -> None:
        """Reload if this certification's staged values changed (by another form or by code): controls
        still showing the old values would otherwise stage them back on the next Stage."""
        if self.key is None or staged_values(self.staged, self.key) == self._shown_staged:
            return
        self.load(self.label)
        self.say("Its staged values changed; showing them.")

    def _show(self, wire: Mapping[str, Any]) -> None:
        for field, control in self.controls.items():
            control.value = to_control(field, wire.get(field))
        self._shown_staged = staged_values(self.staged, self.key) if self.key is not None else {}
        self._notes()

    def _notes(self) -> None:
        staged = staged_values(self.staged, self.key) if self.key is not None else {}
        for field, note in self.notes.items():
            text = f"loaded: {html.escape(shown(field, self.loaded.get(field)))}"
            if field in staged:
                text += f" → <b>staged: {html.escape(shown(field, staged[field]))}</b>"
            note.value = f'<span class="certnb-note" style="color:#57606a">{text}</span>'

    def _clear_errors(self) -> None:
        for error in self.errors.values():
            error.value = ""
