"""`NewCertificationForm`: add a certification to someone's profile — person, a control per writable field,
Stage; the staged creates listed below, each with a Withdraw button.

The person is picked from the frame's people (typing filters them; a UPN or object id of someone the frame
does not hold, e.g. a person without certifications, is taken as typed). Staging goes through
`Staged.add`, so the rules are the edits' own (a title is required, dates in order, a certification the
person already holds is refused) and a refusal shows next to its field; nothing is staged then.

    >>> form = NewCertificationForm(df, staged)                               # doctest: +SKIP
    >>> form.person.value = "ben@contoso.example"                             # doctest: +SKIP
    >>> form.value = {"displayName": "AZ-104", "endDate": datetime.date(2029, 11, 1)}   # doctest: +SKIP
    >>> form.stage_button.click()                                             # doctest: +SKIP
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets  # type: ignore[import-untyped]
import pandas as pd

from certnb.errors import EditsRefused
from certnb.schema import is_missing
from certnb.staging.edit import WRITABLE_FIELDS
from certnb.widgets.controls import changes, make_control, to_control
from certnb.widgets.feedback import by_field, field_error_html
from certnb.widgets.view import View

if TYPE_CHECKING:
    from certnb.staging import Staged

__all__ = ["NewCertificationForm", "people_options"]

_PERSON_ERRORS = ("userId", "userPrincipalName")


def people_options(frame: pd.DataFrame) -> list[str]:
    """The frame's people as the person box offers them: their UPNs (object ids where a UPN is missing)."""
    if frame.empty:
        return []
    upns = frame["userPrincipalName"] if "userPrincipalName" in frame else pd.Series([None] * len(frame))
    ids = frame["userId"].tolist()
    found = [str(ids[n]) if is_missing(upn) else str(upn) for n, upn in enumerate(upns.tolist())]
    return sorted(set(found), key=str.casefold)


class NewCertificationForm(View):
    """The form that stages new certifications into `staged` (see the module docstring).

    `.value` is the controls' values by field; `.person` the person box; `stage()` / `clear()` the buttons.
    """

    def __init__(self, frame: pd.DataFrame, staged: Staged) -> None:
        super().__init__()
        self.frame = frame
        self.staged = staged
        self.person = widgets.Combobox(
            description="Person", placeholder="UPN or object id", options=people_options(frame),
            ensure_option=False, style={"description_width": "140px"}, layout=widgets.Layout(width="460px"),
        )
        self.person.add_class("certnb-new-person")
        self.person_error = widgets.HTML()
        self.controls: dict[str, Any] = {field: make_control(field) for field in WRITABLE_FIELDS}
        self.errors: dict[str, Any] = {field: widgets.HTML() for field in WRITABLE_FIELDS}
        for field, control in self.controls.items():
            control.add_class(f"certnb-new-{field.replace('.', '-')}")
        self.stage_button = self.button("Stage new certification", "stage the new certification", self.stage,
                                        css="certnb-new-stage", button_style="primary", icon="plus")
        self.clear_button = self.button("Clear", "clear the form", self.clear, icon="eraser")
        self.pending = widgets.VBox()
        rows = [widgets.HBox([self.controls[f], self.errors[f]]) for f in WRITABLE_FIELDS]
        self.widget = widgets.VBox([
            widgets.HTML("<b>Add a certification</b> to someone's profile (created when you commit)"),
            widgets.HBox([self.person, self.person_error]), *rows,
            widgets.HBox([self.stage_button, self.clear_button]), self.messages, self.pending,
        ])
        self.widget.add_class("certnb-new-form")
        self.follow(staged, self._list_pending)
        self._list_pending()

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

    def stage(self) -> None:
        """Stage the new certification; refusals are shown next to their fields and nothing is staged."""
        self._clear_errors()
        fields = changes(self.value, {})
        before = len(self.staged.creates)
        try:
            self.staged.add(self.person.value, fields)
        except EditsRefused as refused:
            for field, messages in by_field(refused).items():
                target = self.person_error if field in _PERSON_ERRORS else self.errors.get(field)
                if target is not None:
                    target.value = field_error_html(messages)
            count = len(refused.problems)
            self.say(f"Nothing was staged: {count} problem{'s' if count != 1 else ''} (see the message next "
                     "to each field).", "error")
            return
        if len(self.staged.creates) == before:
            self.say("Already staged: the same new certification is waiting to be committed.")
            return
        title = fields.get("displayName") or "(untitled)"
        self.say(f"Staged a new certification: {title} for {self.person.value}. It is created when you "
                 "commit.", "ok")
        self.clear(keep_person=True)
        self.changed()

    def clear(self, keep_person: bool = False) -> None:
        """Empty the controls (and the person box, unless `keep_person`)."""
        for field, control in self.controls.items():
            control.value = to_control(field, None)
        if not keep_person:
            self.person.value = ""
        self._clear_errors()

    def withdraw(self, key: tuple[str, str]) -> None:
        """Withdraw one staged create (the list's buttons)."""
        self.staged.unstage(key)
        self.say("Withdrew the new certification.")
        self.changed()

    def _list_pending(self) -> None:
        creates = self.staged.creates
        lines = []
        for key, values in creates.items():
            row = self.staged.rows.get(key)
            who = (row.user_display_name or row.user_principal_name or key[0]) if row is not None else key[0]
            dates = " → ".join(str(values[f]) for f in ("startDate", "endDate") if values.get(f))
            text = f"<b>{html.escape(str(values.get('displayName')))}</b> for {html.escape(who)}" + (
                f" <small>({html.escape(dates)})</small>" if dates else "")
            withdraw = widgets.Button(description="Withdraw", icon="times",
                                      layout=widgets.Layout(width="110px"))
            withdraw.on_click(lambda _b, key=key: self.act("withdraw the new certification",
                                                           lambda: self.withdraw(key)))
            lines.append(widgets.HBox([widgets.HTML(text), withdraw]))
        heading = f"<b>{len(creates)} new certification{'s' if len(creates) != 1 else ''} staged</b>"
        self.pending.children = [widgets.HTML(heading), *lines] if creates else []

    def _clear_errors(self) -> None:
        self.person_error.value = ""
        for error in self.errors.values():
            error.value = ""
