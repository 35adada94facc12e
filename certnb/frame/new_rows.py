"""The rows of an edited spreadsheet without an id: new certifications for their people (issue 16).

    >>> new = NewRows(date_format=None, sep=None, problems=[])
    >>> row = {"userPrincipalName": "megan.bowen@contoso.example", "displayName": "CISSP"}
    >>> new.add(2, row, ["displayName"])
    >>> new.creates
    [{'row': 2, 'userId': None, 'userPrincipalName': 'megan.bowen@contoso.example', 'displayName': 'CISSP'}]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from certnb.errors import Unreadable
from certnb.frame.cells import cell_text, plain, read_cell
from certnb.frame.names import label
from certnb.frame.sheet_edits import PROBLEM_COLUMNS
from certnb.schema import FIELDS_BY_COLUMN


@dataclass
class NewRows:
    """The new certifications a sheet holds so far, and the problems of the rows that could not be taken."""

    date_format: str | None
    sep: str | None
    problems: list[dict[str, Any]]  # the caller's list, so that problems keep the file's order
    creates: list[dict[str, Any]] = field(default_factory=list)
    seen: dict[tuple[Any, ...], int] = field(default_factory=dict)

    def add(self, row: int, record: dict[str, Any], columns: list[str]) -> None:
        """A row without an id: a new certification for its person, or a problem if it names nobody."""
        person = (cell_text(record.get("userId")), cell_text(record.get("userPrincipalName")))
        title = cell_text(record.get("displayName"))
        if person == (None, None):
            self.problem(row, person, title, "id", None,
                         "no certification id and no person: a new row needs its person's "
                         "userPrincipalName (or userId)")
            return
        values: dict[str, Any] = {}
        readable = True
        for column in columns:
            f = FIELDS_BY_COLUMN[column]
            if not f.writable:
                continue  # createdDateTime and the like, copied with a row: Graph sets them
            try:
                values[column] = plain(read_cell(f, record.get(column), date_format=self.date_format,
                                                 sep=self.sep))
            except Unreadable as refused:
                self.problem(row, person, title, column, record.get(column), str(refused))
                readable = False
        if not readable:
            return
        same = ((person[0] or "").casefold(), (person[1] or "").casefold(),
                *sorted((c, repr(v)) for c, v in values.items() if v is not None))
        if same in self.seen:
            self.problem(row, person, title, "id", None, "the same new certification appears again "
                         f"(first at row {self.seen[same]}); keep one")
            return
        self.seen[same] = row
        self.creates.append({"row": row, "userId": person[0], "userPrincipalName": person[1], **values})

    def problem(self, row: int, person: tuple[str | None, str | None], title: str | None,
                column: str, value: Any, why: str) -> None:
        said = (person[1] or person[0], title, label(column))
        self.problems.append(dict(zip(PROBLEM_COLUMNS, (row, person[0], None, column, value, why, *said),
                                      strict=True)))

