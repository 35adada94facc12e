"""The frame check: staging takes a certification frame only as `load` (or `build_frame`) made it.

A staged edit's `before` is read from the frame, and the commit compares it with what Graph holds: a date
column made time-zone aware shifts those dates, one turned into text is parsed back by guesswork, and either
gives false conflicts at commit. So the typed columns must have the dtypes `certnb.schema` gives them (its
field table is the one source), and every row label must name one row (a label held twice would stage the
same value on rows the user did not mean).

    >>> from certnb.frame.build import build_frame
    >>> df = build_frame([{"id": "u1", "certifications": [{"id": "c1", "endDate": "2026-12-31"}]}])
    >>> check_frame(df)
    >>> df["endDate"] = df["endDate"].dt.strftime("%d/%m/%Y")
    >>> check_frame(df)
    Traceback (most recent call last):
    ...
    certnb.errors.FrameRefused: the frame's typed columns are not as certnb.load made them, ...
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from certnb.errors import FrameRefused
from certnb.schema import FIELDS_BY_COLUMN, WRITABLE_COLUMNS

__all__ = ["REQUIRED_COLUMNS", "FrameRefused", "check_frame", "repeated_labels"]

REQUIRED_COLUMNS: tuple[str, ...] = ("userId", "id", *WRITABLE_COLUMNS)
"""The columns staging reads: each row's key and every writable field."""

_SHOWN = 5  # repeated labels named in the message


def check_frame(frame: object) -> None:
    """Raise `FrameRefused` unless `frame` is a certification frame as `load` made it (module docstring)."""
    if not isinstance(frame, pd.DataFrame):
        raise FrameRefused(
            f"staging needs a certification frame (certnb.load / certnb.frame.build_frame); got "
            f"{type(frame).__name__}"
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        in_index = [c for c in missing if c in frame.index.names]
        hint = f"; {', '.join(in_index)} went into the index: df.reset_index() brings them back"
        raise FrameRefused(
            "staging needs a certification frame (certnb.load / certnb.frame.build_frame); missing columns: "
            + ", ".join(missing) + (hint if in_index else "")
        )
    _check_dtypes(frame)
    _check_index(frame.index)


def _check_dtypes(frame: pd.DataFrame) -> None:
    # Compared by name, as the schema writes them: "string" is the same dtype whatever its storage.
    wrong = [
        (column, FIELDS_BY_COLUMN[column].dtype, str(found))
        for column, found in frame.dtypes.items()
        if column in FIELDS_BY_COLUMN and str(found) != FIELDS_BY_COLUMN[column].dtype
    ]
    if not wrong:
        return
    lines = [
        f"  column {column!r} ({FIELDS_BY_COLUMN[column].kind}): expected dtype {expected}, found {found}; "
        f"convert it back with {_convert_back(column, expected, found)}"
        for column, expected, found in wrong
    ]
    raise FrameRefused(
        "the frame's typed columns are not as certnb.load made them, so the loaded (before) values of edits "
        "would be wrong and the commit would report false conflicts:\n" + "\n".join(lines) + "\n"
        "Stage the frame as load returned it: load it again, or convert the columns back as shown; format "
        "values for display on a copy (shown = df.copy())."
    )


def _convert_back(column: str, expected: str, found: str) -> str:
    cell = f"df[{column!r}]"
    if expected.startswith("datetime64") and found.startswith("datetime64"):
        if "," in found and "," not in expected:  # made time-zone aware: drop the zone, keep the wall time
            return f"{cell} = {cell}.dt.tz_localize(None).astype({expected!r})"
        if "," in expected and "," not in found:  # the zone dropped: load's times are UTC
            return f"{cell} = {cell}.dt.tz_localize('UTC').astype({expected!r})"
    elif expected.startswith("datetime64"):  # text, most likely: only the user knows the format it was given
        return f"{cell} = pd.to_datetime({cell}, format='<the format you wrote>').astype({expected!r})"
    return f"{cell} = {cell}.astype({expected!r})"


def _check_index(index: pd.Index) -> None:
    if not index.is_unique:
        raise FrameRefused(
            f"the frame's index holds {repeated_labels(index)}, so a row label could name several "
            "certifications. Give each row its own label (df = df.reset_index(drop=True)), or load the "
            "certifications afresh."
        )


def repeated_labels(index: pd.Index) -> str:
    """How many labels of a non-unique index repeat, and the first few.

    >>> repeated_labels(pd.Index([0, 1, 0, 1, 2]))
    '2 labels more than once (0, 1)'
    """
    repeated: list[Any] = index[index.duplicated()].unique().tolist()
    shown = ", ".join(map(repr, repeated[:_SHOWN])) + (", …" if len(repeated) > _SHOWN else "")
    return f"{len(repeated)} label{'s' if len(repeated) != 1 else ''} more than once ({shown})"
