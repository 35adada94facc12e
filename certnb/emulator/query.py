"""OData query options: `$top`, `$skip`, `$select`, `$filter`, `$orderby`, `$count` (contract §1, §6).

Pure: parsing gives a `QueryOptions`, `QueryOptions.apply` pages a list of JSON dicts. Anything unsupported or
unparsable is a GraphError 400 `invalidRequest`, never a 500. On beta the `$` prefix is optional (Graph's
docs), and option names are matched case-insensitively; other (custom) parameters are ignored as OData says.

`$filter` is compiled by filters.py, `$orderby` ordered by ordering.py.

>>> types = {"id": "string", "displayName": "string", "endDate": "date"}
>>> options = parse_query("$filter=endDate lt 2026-01-01&$orderby=displayName desc&$top=1", types)
>>> [c["id"] for c in options.apply([{"id": "a", "displayName": "A", "endDate": "2025-05-01"},
...                                  {"id": "b", "displayName": "B", "endDate": "2025-06-01"}])[0]]
['b']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from certnb.emulator.errors import bad_query
from certnb.emulator.filters import Predicate, parse_filter
from certnb.emulator.ordering import COMPARABLE, order

__all__ = [  # the options; $filter (filters.py), ordering (ordering.py) and bad_query (errors.py) moved
    "ENTITY_OPTIONS", "LIST_OPTIONS", "Predicate", "QueryOptions", "bad_query", "next_query", "order",
    "parse_filter", "parse_orderby", "parse_query", "parse_select",
]

LIST_OPTIONS = frozenset({"top", "skip", "select", "filter", "orderby", "count"})
ENTITY_OPTIONS = frozenset({"select"})
# OData system options Graph knows but this emulator does not support: 400 rather than silently ignored.
_KNOWN_UNSUPPORTED = frozenset(
    {
        "expand",
        "search",
        "format",
        "skiptoken",
        "deltatoken",
        "apply",
        "compute",
        "levels",
        "index",
        "schemaversion",
    }
)


@dataclass(frozen=True)
class QueryOptions:
    """Parsed query options; `top` None means "the server's page size"."""

    top: int | None = None
    skip: int = 0
    select: tuple[str, ...] | None = None
    where: Predicate | None = None
    orderby: tuple[tuple[str, bool], ...] = ()  # (property, descending)
    count: bool = False
    types: Mapping[str, str] = field(default_factory=dict)  # wire type of each property, for ordering

    def apply(
        self, items: Sequence[Mapping[str, Any]], *, page_size: int = 10, max_top: int = 999
    ) -> tuple[list[Mapping[str, Any]], int, bool]:
        """Filter, order and page `items`: (the page, the count after filtering, whether more follow)."""
        rows: Sequence[Mapping[str, Any]] = items
        if self.where is not None:
            rows = [item for item in items if self.where(item)]
        if self.orderby:
            rows = order(list(rows), self.orderby, self.types)
        size = page_size if self.top is None else self.top
        size = max(0, min(size, max_top))
        page = list(rows[self.skip : self.skip + size])  # `items` may make its rows as they are sliced
        more = size > 0 and self.skip + size < len(rows)
        return page, len(rows), more


def parse_query(
    query: str,
    types: Mapping[str, str],
    *,
    allowed: frozenset[str] = LIST_OPTIONS,
    default_orderby: tuple[tuple[str, bool], ...] = (),
) -> QueryOptions:
    """Parse a raw (percent-encoded) query string against the properties `types` (JSON name → wire type).

    >>> parse_query("$select=displayName&top=5", {"id": "string", "displayName": "string"}).select
    ('id', 'displayName')
    """
    seen: dict[str, str] = {}
    for raw_name, value in parse_qsl(query, keep_blank_values=True):
        name = raw_name.strip().lower()
        dollar = name.startswith("$")
        name = name.removeprefix("$")
        if name not in LIST_OPTIONS and name not in _KNOWN_UNSUPPORTED:
            if dollar:
                raise bad_query(f"The query parameter '{raw_name}' is not supported.")
            continue  # a custom query option: OData says ignore it
        if name not in allowed:
            raise bad_query(f"The query option '${name}' is not supported on this resource.")
        if name in seen:
            raise bad_query(f"The query option '${name}' was specified more than once; it must appear once.")
        seen[name] = value
    orderby = default_orderby
    if "orderby" in seen:
        orderby = parse_orderby(seen["orderby"], types)
    return QueryOptions(
        top=_non_negative(seen, "top"),
        skip=_non_negative(seen, "skip") or 0,
        select=parse_select(seen["select"], types) if "select" in seen else None,
        where=parse_filter(seen["filter"], types) if "filter" in seen else None,
        orderby=orderby,
        count=_boolean(seen, "count"),
        types=types,
    )


def next_query(query: str, skip: int) -> str:
    """The query string of the next page: the same options with `$skip` set to `skip` (contract §6).

    >>> next_query("$top=5&$skip=5&$select=id", 10)
    '$top=5&$select=id&$skip=10'
    """
    kept = [
        part
        for part in query.split("&")
        if part and unquote_plus(part.split("=", 1)[0]).strip().lower().removeprefix("$") != "skip"
    ]
    return "&".join([*kept, f"$skip={skip}"])


def _non_negative(seen: Mapping[str, str], name: str) -> int | None:
    if name not in seen:
        return None
    text = seen[name].strip()
    if not text.isdigit():
        raise bad_query(
            f"Invalid value '{seen[name]}' for query option '${name}': expected a whole number ≥ 0."
        )
    return int(text)


def _boolean(seen: Mapping[str, str], name: str) -> bool:
    text = seen.get(name, "false").strip().lower()
    if text not in ("true", "false"):
        raise bad_query(f"Invalid value '{seen[name]}' for query option '${name}': expected true or false.")
    return text == "true"


def _known(name: str, types: Mapping[str, str]) -> str:
    if name not in types:
        raise bad_query(f"Could not find a property named '{name}' on this resource.")
    return types[name]


def parse_select(text: str, types: Mapping[str, str]) -> tuple[str, ...]:
    """`$select`: known property names, `id` always first (Graph always returns the key)."""
    names = [part.strip() for part in text.split(",")]
    if not all(names):
        raise bad_query(f"Invalid $select '{text}': empty property name.")
    selected = ["id"]
    for name in names:
        if name == "*":
            return tuple(types)
        _known(name, types)
        if name not in selected:
            selected.append(name)
    return tuple(selected)


def parse_orderby(text: str, types: Mapping[str, str]) -> tuple[tuple[str, bool], ...]:
    """`$orderby`: `prop [asc|desc]`, comma-separated, on comparable properties."""
    keys: list[tuple[str, bool]] = []
    for part in text.split(","):
        words = part.split()
        if not 1 <= len(words) <= 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise bad_query(f"Invalid $orderby '{text}': expected 'property [asc|desc]', comma-separated.")
        if _known(words[0], types) not in COMPARABLE:
            raise bad_query(f"The property '{words[0]}' cannot be used in $orderby.")
        keys.append((words[0], len(words) == 2 and words[1].lower() == "desc"))
    return tuple(keys)
