"""The grid's columns: what an analyst reads, by label, and which cells take which editor (from the schema).

A column is shown under its schema label (`certnb.schema.LABELS`); only the schema's writable fields get an
editor: dates a date picker, audiences a multi-choice, the issuers a text box with the tenant's spellings as
suggestions, the rest a text box. GUIDs (person id, Graph's certification id) are hidden until "Show ids".

    >>> [c.field for c in COLUMNS if c.editor == "date"]
    ['issuedDate', 'startDate', 'endDate']
    >>> column("endDate").label, column("userId").hidden
    ('Expires', True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from certnb.audience import Audience
from certnb.schema import FIELDS_BY_COLUMN, LABELS

__all__ = ["AUDIENCES", "COLUMNS", "DATA_FIELDS", "EDITABLE", "GridColumn", "column", "column_specs"]

Editor = Literal["date", "audiences", "issuer", "text", ""]

AUDIENCES: tuple[str, ...] = tuple(
    m.name for m in Audience if m.name is not None and m is not Audience.unknownFutureValue
)
"""The audience members an analyst may pick (Graph's declaration order, without the sentinel)."""


@dataclass(frozen=True)
class GridColumn:
    """One grid column: the frame column it shows, its label, its editor ("" = read-only), hidden or not."""

    field: str
    label: str
    editor: Editor = ""
    hidden: bool = False
    width: int = 0  # px; 0 lets the grid size it


def _writable(field: str, editor: Editor, width: int = 0) -> GridColumn:
    spec = FIELDS_BY_COLUMN[field]
    assert spec.writable, field  # only writable fields are ever editable
    return GridColumn(field, spec.label, editor, width=width)


COLUMNS: tuple[GridColumn, ...] = (
    GridColumn("userDisplayName", "Person", width=160),  # shows the name over the sign-in name
    _writable("displayName", "text", 120),
    _writable("issuingAuthority", "issuer", 100),
    _writable("certificationId", "text", 96),
    _writable("issuedDate", "date", 110),
    _writable("startDate", "date", 110),
    _writable("endDate", "date", 110),
    _writable("allowedAudiences", "audiences", 100),
    GridColumn("findings", "Findings", width=140),
    GridColumn("userId", LABELS["userId"], hidden=True),
    GridColumn("id", LABELS["id"], hidden=True),
    GridColumn("staged", "Staged", width=130),
)
"""The grid's columns, in order (the person's sign-in name rides along with the name). The person stays at
the left edge and what is staged at the right (new, deleted, Restore, ×) however far the grid scrolls."""

EDITABLE: tuple[str, ...] = tuple(c.field for c in COLUMNS if c.editor)
"""The fields a cell edit may change."""

DATA_FIELDS: tuple[str, ...] = (
    "userDisplayName", "userPrincipalName", "displayName", "issuingAuthority", "certificationId",
    "issuedDate", "startDate", "endDate", "allowedAudiences", "userId", "id",
)
"""The frame columns a window carries (as text), besides findings and staged state."""

_BY_FIELD = {c.field: c for c in COLUMNS}


def column(field: str) -> GridColumn:
    """The grid column showing `field` (KeyError if the grid does not show it)."""
    return _BY_FIELD[field]


def column_specs() -> list[dict[str, object]]:
    """The columns as the browser side reads them (one dict each).

    >>> column_specs()[6]
    {'field': 'endDate', 'label': 'Expires', 'editor': 'date', 'hidden': False, 'width': 110}
    """
    return [{"field": c.field, "label": c.label, "editor": c.editor, "hidden": c.hidden, "width": c.width}
            for c in COLUMNS]
