"""`View`: what every certnb form shares — it owns its widgets, displays as them, and runs actions guarded.

A form is a plain object holding ipywidgets, not a widget subclass: `.widget` is its root box, and showing
the form in a notebook shows that box. Actions are ordinary methods (`form.stage()`); buttons call them
through `act`, which shows any error in the form's message area, because ipywidgets would only log it.

    >>> class Hello(View):
    ...     def __init__(self) -> None:
    ...         super().__init__()
    ...         self.widget = self.messages
    ...     def fail(self) -> None:
    ...         raise ValueError("no such day")
    >>> form = Hello()
    >>> form.act("stage the edit", form.fail)
    False
    >>> "Could not stage the edit: ValueError: no such day" in form.messages.value
    True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets  # type: ignore[import-untyped]

from certnb.widgets.feedback import error_html, note_html

if TYPE_CHECKING:
    from certnb.staging import Staged

__all__ = ["View"]


class View:
    """Base of the forms: `.widget` (the root box), `.messages` (an HTML area), `act`, `button`, listeners."""

    widget: Any

    def __init__(self) -> None:
        self.messages = widgets.HTML(value="")
        self._listeners: list[Callable[[], None]] = []

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def act(self, doing: str, action: Callable[[], Any]) -> bool:
        """Run `action`; on error show it in `.messages` (what was being done and why) and return False."""
        try:
            action()
        except Exception as error:  # shown in the form: ipywidgets would swallow it (module docstring)
            self.messages.value = error_html(error, doing)
            return False
        return True

    def button(self, description: str, doing: str, action: Callable[[], Any], *, css: str = "",
               **options: Any) -> Any:
        """A Button whose click runs `action` through `act`; `css` is a class to find it by in a page."""
        button = widgets.Button(description=description, **options)
        button.on_click(lambda _button: self.act(doing, action))
        if css:
            button.add_class(css)
        return button

    def say(self, text: str, kind: str = "info") -> None:
        """Show a one-line note in `.messages` (replacing what was there)."""
        self.messages.value = note_html(text, kind)

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call `listener()` after this form changes what is staged or picked (the editor wires forms so)."""
        self._listeners.append(listener)

    def changed(self) -> None:
        """Tell the listeners; an error in one is shown here and does not stop the others."""
        for listener in list(self._listeners):
            self.act("update the other forms", listener)

    def follow(self, staged: Staged, redraw: Callable[[], None]) -> None:
        """Run `redraw` whenever `staged` changes — by this form, another, or code in a cell — so counts
        shown here never lag the journal. Errors are shown here: staging itself has already succeeded."""
        def guarded() -> None:
            self.act("redraw after the staged edits changed", redraw)

        staged.on_change(guarded)
