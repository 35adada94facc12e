"""The analyst's choices in a merge: `keep=` (which record of a group to keep) and `resolve=` (which value a
conflicting field keeps), checked against the groups, every problem refused at once (`EditsRefused`).

`keep` is a mapping {group: id}, or ids (one per group they name; a lone id is one). `resolve` is a mapping
{(group, field): value}. A group is named by a `MergeGroup` of the plan or by the id of any of its records,
either Graph's id (its start is enough when no other record starts so, e.g. "06c4" or "06c4…" as the plan
shows it) or a (userId, id) pair. A field is its Graph name or its label ("Expires"); a value passes the
field's rule as an edit's does, and may be any valid value, not only one the records hold.

    >>> import certnb.staging.merge as merge
    >>> from certnb.frame.build import build_frame
    >>> df = build_frame([{"id": "u1", "certifications": [
    ...     {"id": "c1", "displayName": "CKA", "endDate": "2027-01-31"},
    ...     {"id": "c2", "displayName": "CKA", "endDate": "2028-01-31"}]}])
    >>> merge.plan_merges(df, df, keep="c2", resolve={("c1", "Expires"): "2028-01-31"}).sets
    {}
    >>> merge.plan_merges(df, df, resolve={("c1", "Expires"): "2028-01-31"}).sets
    {('u1', 'c1'): {'endDate': '2028-01-31'}}
    >>> merge.plan_merges(df, df, keep="c9")
    Traceback (most recent call last):
    ...
    certnb.errors.EditsRefused: 1 edit refused; ... keep: no group of duplicates holds a record 'c9' ...
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from certnb.errors import EditsRefused, ValidationError
from certnb.schema import LABELS
from certnb.staging.edit import WRITABLE_FIELDS, Refusal, check_value

if TYPE_CHECKING:
    from certnb.staging.merge import MergeGroup

__all__ = ["field_named", "keepers", "resolutions"]

_BY_LABEL = {LABELS.get(name, name).casefold(): name for name in WRITABLE_FIELDS}


def keepers(groups: Sequence[MergeGroup], keep: Any) -> dict[int, str]:
    """The keeper `keep` chooses for each group it names, by the group's position in `groups`."""
    if keep is None:
        return {}
    pairs: list[tuple[Any, Any]]
    if isinstance(keep, Mapping):
        pairs = list(keep.items())
    elif isinstance(keep, str) or (_is_pair(keep) and any(keep in g.keys for g in groups)):
        pairs = [(keep, keep)]  # one id, or one (userId, id) pair (else a pair is two ids)
    elif isinstance(keep, Iterable):
        pairs = [(chosen, chosen) for chosen in keep]
    else:
        raise TypeError(f"keep= takes a mapping {{group: id}} or ids of the records to keep; got "
                        f"{type(keep).__name__} {keep!r}")
    chosen: dict[int, str] = {}
    problems: list[ValidationError] = []
    for ref, wanted in pairs:
        position, rule = _group_named(groups, ref)
        if position is None:
            problems.append(_problem(None, "keep", ref, f"keep: {rule}"))
            continue
        group = groups[position]
        record, rule = _record_named(group, wanted)
        if record is None:
            problems.append(_problem(group, "keep", wanted, f"keep: {rule}"))
        elif chosen.get(position, record) != record:
            both = f"{group.short(chosen[position])} and {group.short(record)}"
            problems.append(_problem(group, "keep", wanted, f"keep names two records of this group to keep "
                                     f"({both}): keep one"))
        else:
            chosen[position] = record
    if problems:
        raise EditsRefused(problems)
    return chosen


def resolutions(groups: Sequence[MergeGroup], resolve: Mapping[Any, Any] | None) -> dict[int, dict[str, Any]]:
    """The values `resolve` chooses, as wire values by field, for each group it names (by position)."""
    if resolve is None:
        return {}
    if not isinstance(resolve, Mapping):
        raise TypeError(f"resolve= takes a mapping {{(group or id, field): value}}; got "
                        f"{type(resolve).__name__} {resolve!r}")
    chosen: dict[int, dict[str, Any]] = {}
    problems: list[ValidationError] = []
    for where, value in resolve.items():
        if not (isinstance(where, tuple) and len(where) == 2):
            problems.append(_problem(None, "resolve", where, "resolve: each key is (group or id, field), "
                                     f"e.g. ('06c41054', 'endDate'); got {where!r}"))
            continue
        ref, named = where
        position, rule = _group_named(groups, ref)
        if position is None:
            problems.append(_problem(None, "resolve", ref, f"resolve: {rule}"))
            continue
        group = groups[position]
        name = field_named(named)
        if name is None:
            fields = ", ".join(LABELS.get(n, n) for n in WRITABLE_FIELDS)
            problems.append(_problem(group, "resolve", named, f"resolve: {named!r} is not a writable field "
                                     f"(fields: {fields})"))
            continue
        label = LABELS.get(name, name)
        if name not in group.conflicts:
            problems.append(_problem(group, name, value, f"resolve: the records do not disagree on {label}, "
                                     "so there is nothing to resolve; staged.set changes it"))
            continue
        try:
            chosen.setdefault(position, {})[name] = check_value(name, value)
        except Refusal as refusal:
            problems.append(_problem(group, name, value, str(refusal)))
    if problems:
        raise EditsRefused(problems)
    return chosen


def field_named(named: Any) -> str | None:
    """The writable field `named` names, by its Graph name or its label (any case); None if none.

    >>> field_named("Expires"), field_named("endDate"), field_named("createdDateTime")
    ('endDate', 'endDate', None)
    """
    if not isinstance(named, str):
        return None
    if named in WRITABLE_FIELDS:
        return named
    return _BY_LABEL.get(named.strip().casefold())


def _group_named(groups: Sequence[MergeGroup], ref: Any) -> tuple[int | None, str]:
    """The position of the group `ref` names, or None and why none."""
    if hasattr(ref, "records") and hasattr(ref, "keys"):
        wanted = set(ref.keys)
        found = [i for i, g in enumerate(groups) if set(g.keys) == wanted]
        return (found[0], "") if found else (None, "that group is not one of this plan's")
    matches = _matches(groups, ref)
    if isinstance(matches, str):
        return None, matches
    positions = sorted({i for i, _ in matches})
    if not positions:
        return None, f"no group of duplicates holds a record {ref!r} ({_groups_words(groups)})"
    if len(positions) > 1:
        return None, (f"{ref!r} names records of {len(positions)} groups; name one by its full id or by "
                      "(userId, id)")
    return positions[0], ""


def _record_named(group: MergeGroup, wanted: Any) -> tuple[str | None, str]:
    """The id of the record of `group` that `wanted` names, or None and why none."""
    matches = _matches([group], wanted)
    if isinstance(matches, str):
        return None, matches
    ids = sorted({cert_id for _, cert_id in matches})
    if len(ids) == 1:
        return ids[0], ""
    shown = ", ".join(group.short(r.id) for r in group.records)
    if not ids:
        return None, f"{wanted!r} is not a record of this group (its records: {shown})"
    return None, f"{wanted!r} names {len(ids)} records of this group ({shown}); give more of the id"


def _matches(groups: Sequence[MergeGroup], ref: Any) -> list[tuple[int, str]] | str:
    """(group position, id) of each record `ref` names: a (userId, id) pair exactly, an id exactly, else the
    ids it starts; a text saying why when `ref` cannot name a record."""
    if _is_pair(ref):
        return [(i, r.id) for i, g in enumerate(groups) for r in g.records if r.key == tuple(ref)]
    if not isinstance(ref, str) or not ref.strip(" …"):
        return f"a record is named by its id or (userId, id); got {type(ref).__name__} {ref!r}"
    exact = [(i, r.id) for i, g in enumerate(groups) for r in g.records if r.id == ref]
    if exact:
        return exact
    start = ref.strip().rstrip("…")
    return [(i, r.id) for i, g in enumerate(groups) for r in g.records if r.id.startswith(start)]


def _is_pair(value: Any) -> bool:
    return isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value)


def _groups_words(groups: Sequence[MergeGroup]) -> str:
    if not groups:
        return "the plan has no groups"
    shown = "; ".join(f"{g.person} · {g.title}: {', '.join(g.short(r.id) for r in g.records)}"
                      for g in groups[:5])
    more = f"; and {len(groups) - 5} more" if len(groups) > 5 else ""
    return f"groups: {shown}{more}"


def _problem(group: MergeGroup | None, name: str, value: Any, rule: str) -> ValidationError:
    label = LABELS.get(name, name)
    return ValidationError(field=name, label=label, value=value, rule=rule,
                           person=None if group is None else group.person,
                           user_id=None if group is None else group.user_id,
                           certification=None if group is None else group.title,
                           cert_id=None if group is None else group.keeper)
