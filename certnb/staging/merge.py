"""Merging duplicates, planned: per group of records of one certification of one person, which record to
keep, what to fill into it from the others, and what they disagree on. Pure; nothing is staged here
(`Staged.merge_duplicates` stages a plan: the fills as `set` on the keeper, the others as `delete`).

    >>> from certnb.frame.build import build_frame
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "kenji@contoso.example", "displayName": "Kenji",
    ...     "certifications": [
    ...         {"id": "a1b2c3", "displayName": "AZ-305", "issuingAuthority": "Microsoft",
    ...          "endDate": "2027-06-18", "lastModifiedDateTime": "2026-10-22T17:23:40Z"},
    ...         {"id": "c3d4e5", "displayName": "AZ-305", "webUrl": "https://learn.microsoft.com/x",
    ...          "endDate": "2028-06-18", "lastModifiedDateTime": "2026-06-05T18:45:02Z"}]}])
    >>> print(plan_merges(df, df))   # doctest: +NORMALIZE_WHITESPACE
    Merge preview (nothing staged) from 2 chosen records: 1 group of duplicates, 1 record to delete,
    1 field to fill, 1 conflict
    1. Kenji (kenji@contoso.example) · AZ-305
       keep a1b2…: as complete as c3d4… (3 of 13 fields filled), modified later
       (2026-10-22 17:23 vs 2026-06-05 18:45)
       fill Web URL: 'https://learn.microsoft.com/x' (from c3d4…)
       conflict Expires: 2027-06-18 (a1b2…, kept) vs 2028-06-18 (c3d4…): left as is, resolve= picks one
       delete c3d4…

`staged.merge_duplicates(df)` stages the same plan; this function is the preview.

The rule (README "### Merge duplicates" says it too):

1. Groups. Two records are the same certification of the same person when they share the title (trimmed,
   casefolded) or the certificationId: the audit's "duplicate" rule (`certnb.frame.audit.duplicate_keys`).
   Records linked through either form one group. Only the chosen records are grouped: the "duplicate"
   findings of `df.certs.audit()`, or any selection of the frame's rows (the whole frame: every group).
2. The keeper is the most complete record: the most writable fields filled (`certnb.schema.FIELDS`, those
   `writable`); on a tie the latest `lastModifiedDateTime`; then the lowest id, so the same frame always
   gives the same keeper. `keep=` chooses another (`certnb.staging.merge_choices`).
3. Fills. An empty field of the keeper is filled when every other record that has a value holds the same one.
4. Conflicts. A field where the records hold different values is reported, never guessed: the keeper's value
   is left as is (an empty one stays empty) unless `resolve=` gives the value to keep.
5. The others are deleted (with the merge: their values that the keeper lacks were filled, or reported).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from certnb.errors import EditsRefused, ValidationError
from certnb.frame.audit import duplicate_keys
from certnb.frame.names import RowNames
from certnb.schema import TEXT_DTYPE, is_missing
from certnb.staging import merge_report
from certnb.staging.edit import WRITABLE_FIELDS, RowSnapshot
from certnb.staging.merge_choices import keepers, resolutions
from certnb.staging.merge_report import short_id
from certnb.staging.refusals import Refusals
from certnb.staging.rows import FrameRows, Target

__all__ = ["MergeGroup", "MergePlan", "MergeRecord", "chosen_targets", "plan_merges", "plan_on", "short_id",
           "to_stage"]

Key = tuple[str, str]


@dataclass(frozen=True)
class MergeRecord:
    """One record of a group as loaded: its (userId, id), frame label, writable wire values, last change."""

    key: Key
    label: Any
    values: Mapping[str, Any]
    last_modified: pd.Timestamp | None

    @property
    def id(self) -> str:
        """The certification id (Graph's)."""
        return self.key[1]

    @property
    def filled(self) -> int:
        """How many writable fields hold a value: the rule's measure of completeness."""
        return sum(self.values.get(name) is not None for name in WRITABLE_FIELDS)


@dataclass(frozen=True)
class MergeGroup:
    """The records of one certification of one person, the keeper first (see the module docstring).

    `fills` {field: value} go into the keeper; `conflicts` {field: {id: value}} are the fields the records
    disagree on (every record holding a value, the keeper's first); `resolved` {field: value} are the values
    `resolve=` chose; `why` says why this keeper, in words.
    """

    person: str
    user_id: str
    title: str
    records: tuple[MergeRecord, ...]
    fills: Mapping[str, Any]
    conflicts: Mapping[str, Mapping[str, Any]]
    resolved: Mapping[str, Any]
    why: str

    @property
    def keeper(self) -> str:
        """The id of the record kept."""
        return self.records[0].id

    @property
    def others(self) -> tuple[str, ...]:
        """The ids of the records deleted."""
        return tuple(r.id for r in self.records[1:])

    @property
    def keys(self) -> tuple[Key, ...]:
        """The (userId, id) of every record, the keeper's first."""
        return tuple(r.key for r in self.records)

    @property
    def changes(self) -> dict[str, Any]:
        """What is set on the keeper: the fills, and the resolved values that differ from the keeper's."""
        loaded = self.records[0].values
        chosen = {name: value for name, value in self.resolved.items() if value != loaded.get(name)}
        return {**{k: v for k, v in self.fills.items() if k not in self.resolved}, **chosen}

    def __hash__(self) -> int:  # a group names itself in keep= and resolve= mappings: by its records
        return hash(self.keys)

    def short(self, cert_id: str) -> str:
        """`cert_id` cut to its shortest start (4 characters or more) that tells the group's records apart."""
        return short_id(cert_id, [r.id for r in self.records])


@dataclass(frozen=True)
class MergePlan:
    """The groups to merge and what was asked (`note`); `staged` is None for a preview, else the number of
    edits `Staged.merge_duplicates` newly staged (0: it was already staged). Iterate it for the groups.

    `sets` and `deletes` are what staging it means; `conflicts` the table of conflicting values.
    """

    groups: tuple[MergeGroup, ...]
    note: str = ""
    staged: int | None = None
    skipped: tuple[tuple[Key, str], ...] = field(default=())  # fills not staged: a value is staged there

    def __len__(self) -> int:
        return len(self.groups)

    def __iter__(self) -> Iterator[MergeGroup]:
        return iter(self.groups)

    def __getitem__(self, position: int) -> MergeGroup:
        return self.groups[position]

    @property
    def sets(self) -> dict[Key, dict[str, Any]]:
        """The fields set on each keeper, by (userId, id) (keepers with nothing to set left out)."""
        return {g.keys[0]: g.changes for g in self.groups if g.changes}

    @property
    def deletes(self) -> list[Key]:
        """The (userId, id) of every record deleted."""
        return [key for g in self.groups for key in g.keys[1:]]

    @property
    def conflicts(self) -> pd.DataFrame:
        """One line per conflicting value: person, title, keeper, field, label, id, value, kept, resolved."""
        return merge_report.conflict_table(self.groups)

    def staged_as(self, count: int, skipped: Sequence[tuple[Key, str]] = ()) -> MergePlan:
        """This plan, as staged: `count` edits newly staged; `skipped` fills left to a value staged before."""
        return replace(self, staged=count, skipped=tuple(skipped))

    def __repr__(self) -> str:
        return merge_report.plan_text(self)

    def _repr_html_(self) -> str:
        return merge_report.plan_html(self)


def plan_merges(frame: pd.DataFrame, chosen: Any, keep: Any = None,
                resolve: Mapping[Any, Any] | None = None) -> MergePlan:
    """The merge plan of the duplicates among `chosen` (a preview: nothing is staged).

    `chosen` is the findings of `df.certs.audit()` (their "duplicate" rows are used), a subset of the frame,
    or a selection as `Staged.set` takes (the whole frame `df`: every group). `keep` and `resolve` as in
    `certnb.staging.merge_choices`. Refused with `EditsRefused`, naming what is wrong, for rows the frame
    does not hold and for bad `keep`/`resolve` values.

    >>> from certnb.frame.build import build_frame
    >>> plan_merges(build_frame([{"id": "u1", "certifications": [{"id": "c1", "displayName": "CKA"}]}]),
    ...             [0]).note
    'the 1 chosen record has no duplicate among the chosen records: nothing to merge'
    """
    return plan_on(FrameRows(frame), chosen, keep, resolve)


def plan_on(rows: FrameRows, chosen: Any, keep: Any = None, resolve: Mapping[Any, Any] | None = None,
            snapshot: Callable[[Target], RowSnapshot] | None = None) -> MergePlan:
    """`plan_merges` over a frame already taken in (`Staged` passes its own, and `snapshot`: the loaded
    values as its journal recorded them)."""
    targets, asked = chosen_targets(rows, chosen)
    linked = _linked(rows, targets)
    take = snapshot if snapshot is not None else rows.snapshot
    refusals = Refusals(rows, {})
    modified = rows.frame.get("lastModifiedDateTime")
    groups: list[MergeGroup] = []
    for members in linked:
        records = tuple(_record(targets[i], take(targets[i]), modified) for i in members)
        names = refusals.names(targets[members[0]]) or RowNames(None, None, None, None)
        groups.append(_group(names, records))
    groups.sort(key=lambda g: (g.person.casefold(), g.title.casefold(), min(r.id for r in g.records)))
    chosen_keepers = keepers(groups, keep)
    groups = [_group(None, g.records, keep=chosen_keepers.get(i), was=g) for i, g in enumerate(groups)]
    chosen_values = resolutions(groups, resolve)
    groups = [replace(g, resolved=chosen_values.get(i, {})) for i, g in enumerate(groups)]
    return MergePlan(tuple(groups), _note(asked, len(targets), groups))


def chosen_targets(rows: FrameRows, chosen: Any) -> tuple[list[Target], str]:
    """The frame rows `chosen` names, and what it was in words; rows the frame cannot name are refused."""
    if isinstance(chosen, pd.DataFrame):
        if "rule" in chosen.columns:
            findings = chosen[chosen["rule"].astype(TEXT_DTYPE).fillna("") == "duplicate"]
            asked = f"{len(findings)} \"duplicate\" finding{'s' if len(findings) != 1 else ''}"
            chosen = findings
        else:
            asked = ""
        missing = [c for c in ("userId", "id") if c not in chosen.columns]
        if missing:
            raise TypeError(f"a table of certifications to merge needs the columns userId and id (missing: "
                            f"{', '.join(missing)}): pass audit findings, rows of the frame, or a selection")
        keys = dict.fromkeys(zip(chosen["userId"].astype(str), chosen["id"].astype(str), strict=True))
        targets = [rows.target_for_key(key, key) for key in keys]
    else:
        targets, asked = rows.select(chosen), ""
    refusals = Refusals(rows, {})
    problems = [refusals.problem(t, "id", t.label, t.problem, field_label="the certification")
                for t in targets if t.problem is not None]
    if problems:
        raise EditsRefused(problems)
    once = {t.key: t for t in reversed(targets)}  # a row named twice is one record (the first naming wins)
    return [t for t in targets if once[t.key] is t], asked


def to_stage(plan: MergePlan, staged_cells: Collection[tuple[str, str, str]], deleting: Collection[Key],
             ) -> tuple[dict[Key, dict[str, Any]], list[tuple[Key, str]]]:
    """What staging `plan` sets on each keeper, and the fills it leaves out: a fill never replaces a value
    staged before for that cell (`staged_cells`: the (userId, id, field) of staged edits); a resolved value
    does. A keeper staged for deletion (`deleting`) refuses the whole plan: all its records would go.
    """
    problems = [
        ValidationError(field="keep", label="keep", value=g.keeper, person=g.person, user_id=g.user_id,
                        certification=g.title, cert_id=g.keeper,
                        rule=f"the record to keep ({g.short(g.keeper)}) is staged for deletion: unstage its "
                             "delete, or keep= another record of the group")
        for g in plan.groups if g.keys[0] in deleting
    ]
    if problems:
        raise EditsRefused(problems)
    sets: dict[Key, dict[str, Any]] = {}
    skipped: list[tuple[Key, str]] = []
    for key, changes in plan.sets.items():
        group = next(g for g in plan.groups if g.keys[0] == key)
        for name, value in changes.items():
            if name not in group.resolved and (*key, name) in staged_cells:
                skipped.append((key, name))
            else:
                sets.setdefault(key, {})[name] = value
    return sets, skipped


def _linked(rows: FrameRows, targets: Sequence[Target]) -> list[list[int]]:
    """The groups among `targets` (positions into it, in order): records of one person linked by the same
    title or the same certificationId (`duplicate_keys`), singletons left out."""
    chosen = rows.frame.iloc[[t.position for t in targets if t.position is not None]]
    keys = duplicate_keys(chosen)
    users = [t.key[0] if t.key is not None else "" for t in targets]
    parent = list(range(len(targets)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for column in ("title", "reference"):
        first: dict[tuple[str, str], int] = {}
        for i, (user, value) in enumerate(zip(users, keys[column].tolist(), strict=True)):
            if value:
                j = first.setdefault((user, value), i)
                parent[root(i)] = root(j)
    members: dict[int, list[int]] = {}
    for i in range(len(targets)):
        members.setdefault(root(i), []).append(i)
    return [group for group in members.values() if len(group) > 1]


def _record(target: Target, snapshot: RowSnapshot, modified: pd.Series | None) -> MergeRecord:
    assert target.key is not None and target.position is not None  # chosen_targets refused the others
    stamp = None if modified is None else modified.iat[target.position]
    return MergeRecord(target.key, target.label, dict(snapshot.loaded),
                       stamp if isinstance(stamp, pd.Timestamp) and not is_missing(stamp) else None)


def _rank(record: MergeRecord) -> tuple[int, float, str]:
    """The keeper rule as a sort key: most filled, then latest modified (never modified last), lowest id."""
    modified = -float(record.last_modified.value) if record.last_modified is not None else math.inf
    return (-record.filled, modified, record.id)


def _group(names: RowNames | None, records: Sequence[MergeRecord], *, keep: str | None = None,
           was: MergeGroup | None = None) -> MergeGroup:
    ranked = sorted(records, key=_rank)
    keeper = next(r for r in ranked if r.id == keep) if keep is not None else ranked[0]
    ordered = (keeper, *(r for r in ranked if r is not keeper))
    fills: dict[str, Any] = {}
    conflicts: dict[str, dict[str, Any]] = {}
    for name in WRITABLE_FIELDS:
        held = {r.id: r.values[name] for r in ordered if r.values.get(name) is not None}
        if len(set(held.values())) > 1:
            conflicts[name] = held
        elif held and keeper.values.get(name) is None:
            fills[name] = next(iter(held.values()))
    ids = [r.id for r in ordered]
    why = merge_report.keeper_words(ranked, keeper, ids, chosen=keep is not None)
    if was is not None:
        return replace(was, records=ordered, fills=fills, conflicts=conflicts, why=why)
    assert names is not None
    title = keeper.values.get("displayName") or names.certification or f"certification {keeper.id}"
    return MergeGroup(names.person or keeper.key[0], keeper.key[0], str(title), ordered, fills, conflicts,
                      {}, why)


def _note(asked: str, count: int, groups: Sequence[MergeGroup]) -> str:
    grouped = sum(len(g.records) for g in groups)
    chosen = asked or f"{count} chosen record{'s' if count != 1 else ''}"
    if not groups:
        if asked:
            return f"{asked}: no record has a duplicate among them, nothing to merge"
        verb = "has" if count == 1 else "have"
        return (f"the {chosen} {verb} no duplicate among the chosen records: nothing to merge" if count
                else "no records were chosen: nothing to merge")
    alone = count - grouped
    verb = "has" if alone == 1 else "have"
    rest = f" ({alone} of them {verb} no duplicate among the chosen)" if alone else ""
    return f"from {chosen}{rest}"
