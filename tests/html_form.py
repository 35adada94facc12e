"""Read an HTML sign-in page the way a browser would submit it: the first form's action and input values."""

from __future__ import annotations

from html.parser import HTMLParser


class FormReader(HTMLParser):
    """The first `<form>` of a page: its action and its named inputs' values."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form" and self.action is None:
            self.action = values.get("action", "")
        elif tag == "input" and "name" in values:
            self.fields.setdefault(values["name"], values.get("value", ""))
