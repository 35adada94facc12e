"""What each staged change fixes: the audit findings of its certification that the staged values clear.

The audit (certnb.frame.audit) runs once over the loaded frame; a finding is fixed when the certification,
with every edit staged on it, no longer has it. Only the rows with a finding a staged field can clear are
audited again, together with the other certifications of their holders (the duplicate rule compares a
person's certifications), so a live review stays quick however large the frame. Two rules look across the
whole tenant and are judged by what they ask for instead: a missing end date is fixed by any end date, an
issuer spelling by the tenant's preferred one (or any spelling that is no variant of another).

    >>> from certnb.frame.build import build_frame
    >>> from certnb.staging.staged import stage
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
    ...     {"id": "c1", "displayName": "AZ-104", "endDate": "2026-06-30", "certificationId": "X1"}]}])
    >>> staged = stage(df).set(0, endDate="2027-06-30")
    >>> Fixes(df, asof="2026-11-30").of(staged)
    {('u1', 'c1', 'endDate'): ('expired',)}
    >>> RULE_WORDS["expiring-30"]
    'expires within 30 days'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from certnb.frame.audit import RULES, audit, issuer_groups
from certnb.schema import FIELDS_BY_COLUMN
from certnb.staging.edit import Edit

__all__ = ["RULE_FIELDS", "RULE_WORDS", "Fixes"]

RULE_WORDS: dict[str, str] = {
    "expired": "expired",
    "expiring-30": "expires within 30 days",
    "expiring-60": "expires within 60 days",
    "expiring-90": "expires within 90 days",
    "missing-end-date": "no expiry date",
    "end-before-start": "expires before it is valid",
    "end-before-issue": "expires before it was issued",
    "start-after-issue": "valid only after it was issued",
    "duplicate": "duplicate",
    "issuer-spelling": "issuer misspelt",
    "missing-certification-id": "no certification id",
    "bad-url": "bad URL",
    "sources-disagree": "sources disagree",
    "owned-fix": "owned by another system",
}
"""How a review names each audit rule (`certnb.frame.audit.RULES`) it says a change fixes."""

RULE_FIELDS: dict[str, frozenset[str]] = {
    "expired": frozenset({"endDate"}),
    "expiring-30": frozenset({"endDate"}),
    "expiring-60": frozenset({"endDate"}),
    "expiring-90": frozenset({"endDate"}),
    "missing-end-date": frozenset({"endDate"}),
    "end-before-start": frozenset({"endDate", "startDate"}),
    "end-before-issue": frozenset({"endDate", "issuedDate"}),
    "start-after-issue": frozenset({"startDate", "issuedDate"}),
    "duplicate": frozenset({"displayName", "certificationId"}),
    "missing-certification-id": frozenset({"certificationId"}),
    "owned-fix": frozenset(),  # no Graph edit fixes it: the owning system must (certnb.frame.owner_rules)
}
"""The fields whose change can clear a rule's finding; a rule not listed is cleared by its finding's field
(issuer-spelling, bad-url, sources-disagree)."""

Key = tuple[str, str, str]
Row = tuple[str, str]


class Fixes:
    """The audit of one loaded `frame` for the day `asof`, asked which findings staged edits fix (`of`).

    `findings` is the frame's audit table if it was computed already (the picker has one): a large frame
    is then not audited twice.
    """

    def __init__(self, frame: pd.DataFrame, asof: object = None,
                 findings: pd.DataFrame | None = None) -> None:
        self.frame = frame
        self.asof = asof
        self.findings = findings if findings is not None else audit(frame, asof)
        self._by_row: dict[tuple[str, str], list[tuple[str, str, Any]]] = {}
        for rule, user_id, cert_id, field, suggested in self.findings[
                ["rule", "userId", "id", "field", "suggested"]].itertuples(index=False, name=None):
            found = (str(rule), str(field), suggested)
            self._by_row.setdefault((str(user_id), str(cert_id)), []).append(found)
        self._spellings: dict[str, dict[str, str]] = {}
        self._positions: dict[Row, int] | None = None
        self._holding: dict[str, list[int]] = {}
        self._cache: dict[tuple[Row, tuple[tuple[str, Any], ...]], dict[str, tuple[str, ...]]] = {}

    def of(self, edits: Iterable[Edit]) -> dict[Key, tuple[str, ...]]:
        """Edit key → the rules (in report order) whose finding on its certification the staged edits fix;
        an edit that fixes nothing is left out."""
        by_row: dict[tuple[str, str], dict[str, Edit]] = {}
        for edit in edits:
            if edit.row_key in self._by_row:
                by_row.setdefault(edit.row_key, {})[edit.field] = edit
        fixed: dict[Key, tuple[str, ...]] = {}
        unknown: dict[tuple[str, str], dict[str, Edit]] = {}
        for row_key, row_edits in by_row.items():
            fixable = [f for f in self._by_row[row_key] if _fields(f[0], f[1]) & row_edits.keys()]
            if not fixable:
                continue
            cached = self._cache.get(_signature(row_key, row_edits))
            if cached is None:
                unknown[row_key] = row_edits
            else:
                fixed.update({(*row_key, field): rules for field, rules in cached.items()})
        if unknown:
            for row_key, found in self._judge(unknown, by_row).items():
                self._cache[_signature(row_key, unknown[row_key])] = found
                fixed.update({(*row_key, field): rules for field, rules in found.items()})
        return fixed

    def _judge(self, rows: Mapping[Row, Mapping[str, Edit]],
               every: Mapping[Row, Mapping[str, Edit]]) -> dict[Row, dict[str, tuple[str, ...]]]:
        """Audit `rows` again with their staged values, and say which of their findings are gone."""
        after = audit(self._after(rows, every), self.asof)
        still = set(zip(after["rule"], after["userId"].astype(str), after["id"].astype(str), after["field"],
                        strict=True))
        judged: dict[Row, dict[str, tuple[str, ...]]] = {}
        for row_key, row_edits in rows.items():
            found: dict[str, list[str]] = {}
            for rule, field, suggested in self._by_row[row_key]:
                fixers = _fields(rule, field) & row_edits.keys()
                if not fixers or not self._gone(rule, field, suggested, row_key, row_edits, still):
                    continue
                for fixer in fixers:
                    found.setdefault(fixer, []).append(rule)
            judged[row_key] = {field: _in_report_order(rules) for field, rules in found.items()}
        return judged

    def _after(self, rows: Mapping[Row, Mapping[str, Edit]],
               every: Mapping[Row, Mapping[str, Edit]]) -> pd.DataFrame:
        """The rows to judge with every staged value in place, with the other certifications of their holders
        when a duplicate is judged (the rule compares a person's certifications)."""
        if self._positions is None:  # once: where each certification and each person's rows are
            self._positions, self._holding = {}, {}
            users, ids = self.frame["userId"].astype(str).tolist(), self.frame["id"].astype(str).tolist()
            for position, key in enumerate(zip(users, ids, strict=True)):
                self._positions[key] = position
                self._holding.setdefault(key[0], []).append(position)
        wanted = {self._positions[key] for key in rows if key in self._positions}
        for user_id in {key[0] for key in rows if any(f[0] == "duplicate" for f in self._by_row[key])}:
            wanted.update(self._holding.get(user_id, ()))
        subset = self.frame.iloc[sorted(wanted)]
        keys = list(zip(subset["userId"].astype(str), subset["id"].astype(str), strict=True))
        overlay: dict[str, tuple[list[int], list[Any]]] = {}
        for position, key in enumerate(keys):
            for field, edit in every.get(key, {}).items():
                positions, values = overlay.setdefault(field, ([], []))
                positions.append(position)
                values.append(FIELDS_BY_COLUMN[field].from_wire(edit.after))
        changed = {}
        for field, (positions, values) in overlay.items():
            column = subset[field]
            cells = column.astype(object).to_numpy(copy=True)
            for position, value in zip(positions, values, strict=True):
                cells[position] = value  # one by one: a list value (none today) must stay one cell
            changed[field] = pd.Series(cells, index=column.index, dtype=object).astype(column.dtype)
        return subset.assign(**changed)

    def _gone(self, rule: str, field: str, suggested: Any, row_key: tuple[str, str],
              row_edits: Mapping[str, Edit], still: set[tuple[str, str, str, str]]) -> bool:
        if rule == "missing-end-date":
            return row_edits["endDate"].after is not None
        if rule == "issuer-spelling":
            after = row_edits[field].after
            return after is None or after == suggested or self._preferred(field, after) == after
        return (rule, row_key[0], row_key[1], field) not in still

    def _preferred(self, field: str, spelling: str) -> str:
        """The tenant's preferred spelling of the group `spelling` would join (itself if none)."""
        known = self._spellings.get(field)
        if known is None:
            known = self._spellings[field] = issuer_groups(self.frame[field].dropna().tolist())
        if spelling in known:
            return known[spelling]
        return issuer_groups([*self.frame[field].dropna().tolist(), spelling]).get(spelling, spelling)


def _fields(rule: str, field: str) -> frozenset[str]:
    return RULE_FIELDS.get(rule, frozenset({field}))


def _signature(row_key: Row, edits: Mapping[str, Edit]) -> tuple[Row, tuple[tuple[str, Any], ...]]:
    return row_key, tuple(sorted((f, _hashable(e.after)) for f, e in edits.items()))


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _in_report_order(rules: Iterable[str]) -> tuple[str, ...]:
    rank = {rule: i for i, rule in enumerate(RULES)}
    return tuple(sorted(dict.fromkeys(rules), key=lambda r: rank.get(r, len(rank))))
