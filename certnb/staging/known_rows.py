"""The rows a `Staged` can stage edits on: the frame's rows, and the certifications its journal recorded.

A journal reopened without a frame still names its rows by (userId, id) pair; with a frame, the journal's
record of the load wins over the frame's values (see `certnb.staging.staged`).

    >>> from certnb.frame.build import build_frame
    >>> known = KnownRows(FrameRows(build_frame([{"id": "u1", "certifications": [{"id": "c1"}]}])), {})
    >>> [t.key for t in known.select(0)]
    [('u1', 'c1')]
    >>> KnownRows(None, {}).select(0)[0].problem[:30]
    'no frame to pick rows from (st'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from certnb.schema import FIELDS_BY_COLUMN
from certnb.staging.edit import WRITABLE_FIELDS, RowSnapshot
from certnb.staging.rows import FrameRows, Row, Target, is_key

__all__ = ["KnownRows"]


class KnownRows:
    """The frame's rows (`frame_rows`, None without a frame) and the journal's (`rows`, by (userId, id);
    the very dict `Staged` keeps, so rows it journals are known here at once)."""

    def __init__(self, frame_rows: FrameRows | None, rows: dict[tuple[str, str], RowSnapshot]) -> None:
        self.frame_rows = frame_rows
        self.rows = rows

    def select(self, selection: Any) -> list[Target]:
        """The rows a selection names (each with its problem, if it cannot be edited)."""
        if self.frame_rows is None:
            # Without a frame only (userId, id) pairs name rows: those the journal knows.
            if is_key(selection):
                return [self.target_for_key(selection, selection)]
            if isinstance(selection, list) and selection and all(is_key(s) for s in selection):
                return [self.target_for_key(s, s) for s in selection]
            return [Target(selection, None, problem="no frame to pick rows from (staging was opened without "
                           "one); name rows by (userId, id) or pass the frame to Staged.open")]
        return [
            Target(t.label, t.key) if t.position is None and t.key in self.rows else t
            for t in self.frame_rows.select(selection)
        ]

    def target_for_key(self, key: tuple[str, str], label: Any) -> Target:
        """The row holding certification `key` (in the frame, else in the journal), or one with a problem."""
        if self.frame_rows is not None:
            target = self.frame_rows.target_for_key(key, label)
            if target.position is not None:
                return target
        if key in self.rows:
            return Target(label, key)
        return Target(label, None, problem=f"no certification {key[1]!r} of user {key[0]!r} in the frame")

    def snapshots(
        self, changes: Mapping[tuple[str, str, str], tuple[Target, Any, Any]]
    ) -> dict[tuple[str, str], RowSnapshot]:
        """The loaded values of each changed row, in the order the rows first appear in `changes`."""
        firsts: dict[tuple[str, str], Target] = {}
        for (user_id, cert_id, _), (target, _, _) in changes.items():
            if (user_id, cert_id) not in firsts:
                firsts[user_id, cert_id] = target
        unknown = [t for key, t in firsts.items() if key not in self.rows]
        if unknown and self.frame_rows is None:
            raise ValueError(f"row {unknown[0].label!r} is unknown")
        # The journal's record of the load wins (see the module docstring); new rows come from the frame.
        found = iter(self.frame_rows.snapshots(unknown) if self.frame_rows is not None and unknown else [])
        return {key: self.rows[key] if key in self.rows else next(found) for key in firsts}

    def snapshot(self, target: Target) -> RowSnapshot:
        """The loaded values of one row: the journal's record, else the frame's."""
        known = self.rows.get(target.key) if target.key is not None else None
        if known is not None:
            return known  # the journal's record of the load wins (see the module docstring)
        if self.frame_rows is None:
            raise ValueError(f"row {target.label!r} is unknown")
        return self.frame_rows.snapshot(target)

    def row(self, target: Target) -> Row:
        """The row as loaded, for `Staged.apply` functions (from the journal's record without a frame)."""
        if target.position is not None and self.frame_rows is not None:
            return self.frame_rows.row(target)
        snapshot = self.snapshot(target)
        values = {name: FIELDS_BY_COLUMN[name].from_wire(snapshot.value(name)) for name in WRITABLE_FIELDS}
        values.update(
            userId=snapshot.user_id, id=snapshot.cert_id, userPrincipalName=snapshot.user_principal_name
        )
        return Row(target.label, tuple(values), values.__getitem__)
