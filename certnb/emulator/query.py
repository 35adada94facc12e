"""OData query options: `$top`, `$skip`, `$select`, `$filter`, `$orderby`, `$count` (contract §1, §6).

Pure: parsing gives a `QueryOptions`, `QueryOptions.apply` pages a list of JSON dicts. Anything unsupported or
unparsable is a GraphError 400 `invalidRequest`, never a 500. On beta the `$` prefix is optional (Graph's
docs), and option names are matched case-insensitively; other (custom) parameters are ignored as OData says.

`$filter` supports `eq ne lt le gt ge` between a scalar property and a literal, joined by `and`/`or`, with
parentheses [contract §1: undocumented which operators Graph supports]. Literals follow OData: `'O''Brien'`,
`2025-01-31` (Edm.Date, unquoted), `2025-01-31T10:00:00Z`, `42`, `true`, `null`. String comparison is ordinal.

>>> types = {"id": "string", "displayName": "string", "endDate": "date"}
>>> options = parse_query("$filter=endDate lt 2026-01-01&$orderby=displayName desc&$top=1", types)
>>> [c["id"] for c in options.apply([{"id": "a", "displayName": "A", "endDate": "2025-05-01"},
...                                  {"id": "b", "displayName": "B", "endDate": "2025-06-01"}])[0]]
['b']
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from certnb.emulator.errors import GraphError
from certnb.emulator.resource import normalise_audiences, parse_date

Predicate = Callable[[Mapping[str, Any]], bool]

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
_COMPARABLE = frozenset({"string", "flags", "date", "datetimeoffset", "bool", "number"})


def bad_query(message: str) -> GraphError:
    """The 400 for a query option (contract §3: `invalidRequest`)."""
    return GraphError(400, "invalidRequest", message)


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
        if _known(words[0], types) not in _COMPARABLE:
            raise bad_query(f"The property '{words[0]}' cannot be used in $orderby.")
        keys.append((words[0], len(words) == 2 and words[1].lower() == "desc"))
    return tuple(keys)


def _sort_key(value: Any, wire_type: str) -> tuple[int, Any]:
    """Nulls first (OData), then values; a value of the wrong type sorts with the nulls rather than crash."""
    if value is None:
        return (0, "")
    if wire_type == "datetimeoffset":
        instant = _instant(value)
        return (1, instant) if instant is not None else (0, "")
    if wire_type in ("bool", "number"):
        return (1, value) if isinstance(value, int | float) else (0, "")
    return (1, value) if isinstance(value, str) else (0, "")


def order(
    rows: list[Mapping[str, Any]], keys: Sequence[tuple[str, bool]], types: Mapping[str, str]
) -> list[Mapping[str, Any]]:
    """Rows sorted by several keys, each ascending or descending; stable, so ties keep insertion order."""
    for name, descending in reversed(keys):
        wire_type = types.get(name, "string")
        rows = sorted(rows, key=lambda row: _sort_key(row.get(name), wire_type), reverse=descending)
    return rows


# ---------------------------------------------------------------------------------------------- $filter
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^']|'')*')
      | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))
      | (?P<date>\d{4}-\d{2}-\d{2})
      | (?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
      | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<paren>[()])
    )""",
    re.VERBOSE,
)
_OPERATORS = frozenset({"eq", "ne", "lt", "le", "gt", "ge"})
_UNSET = object()


def _instant(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.lastgroup is None:
            raise bad_query(f"Invalid $filter '{text}': syntax error at position {position}.")
        tokens.append((match.lastgroup, match.group(match.lastgroup)))
        position = match.end()
    return tokens


class _FilterParser:
    """Recursive descent: expr := and_expr ('or' and_expr)*; and_expr := primary ('and' primary)*."""

    def __init__(self, text: str, types: Mapping[str, str]) -> None:
        self.text = text
        self.types = types
        self.tokens = _tokens(text)
        self.position = 0

    def fail(self, why: str) -> GraphError:
        return bad_query(f"Invalid $filter '{self.text}': {why}.")

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise self.fail("unexpected end of expression")
        self.position += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token[0] == "word" and token[1].lower() == word:
            self.position += 1
            return True
        return False

    def parse(self) -> Predicate:
        predicate = self.expression()
        if self.peek() is not None:
            raise self.fail(f"unexpected '{self.peek()[1]}'")  # type: ignore[index]
        return predicate

    def expression(self) -> Predicate:
        terms = [self.conjunction()]
        while self.keyword("or"):
            terms.append(self.conjunction())
        if len(terms) == 1:
            return terms[0]
        return lambda item: any(term(item) for term in terms)

    def conjunction(self) -> Predicate:
        terms = [self.primary()]
        while self.keyword("and"):
            terms.append(self.primary())
        if len(terms) == 1:
            return terms[0]
        return lambda item: all(term(item) for term in terms)

    def primary(self) -> Predicate:
        kind, text = self.take()
        if kind == "paren" and text == "(":
            inner = self.expression()
            if self.take() != ("paren", ")"):
                raise self.fail("missing ')'")
            return inner
        if kind != "word" or text.lower() in ("and", "or", "not"):
            raise self.fail(f"expected a property name, got '{text}'")
        wire_type = self.types.get(text)
        if wire_type is None:
            raise self.fail(f"could not find a property named '{text}'")
        if wire_type not in _COMPARABLE:
            raise self.fail(f"the property '{text}' cannot be compared")
        operator = self.take()
        if operator[0] != "word" or operator[1].lower() not in _OPERATORS:
            raise self.fail(f"expected one of {', '.join(sorted(_OPERATORS))} after '{text}'")
        literal = self.literal(text, wire_type)
        return _comparison(text, wire_type, operator[1].lower(), literal)

    def literal(self, name: str, wire_type: str) -> Any:
        kind, text = self.take()
        if kind == "word" and text.lower() == "null":
            return None
        expected = {
            "string": "string",
            "flags": "string",
            "date": "date",
            "datetimeoffset": "datetime",
            "bool": "word",
            "number": "number",
        }[wire_type]
        if kind != expected:
            raise self.fail(f"a binary operator with incompatible types: '{name}' ({wire_type}) and {text}")
        if kind == "string":
            value = text[1:-1].replace("''", "'")
            if wire_type == "flags":
                normal = normalise_audiences(value)
                if normal is None:
                    raise self.fail(f"'{value}' is not a member of {name}")
                return normal
            return value
        if kind == "date":
            if parse_date(text) is None:
                raise self.fail(f"'{text}' is not a date")
            return text  # ISO dates compare correctly as strings
        if kind == "datetime":
            instant = _instant(text)
            if instant is None:
                raise self.fail(f"'{text}' is not a DateTimeOffset")
            return instant
        if kind == "word":
            if text.lower() not in ("true", "false"):
                raise self.fail(f"'{text}' is not a boolean")
            return text.lower() == "true"
        return float(text)


def _comparison(name: str, wire_type: str, operator: str, literal: Any) -> Predicate:
    test: Callable[[Any, Any], bool] = {
        "eq": lambda a, b: a == b,
        "ne": lambda a, b: a != b,
        "lt": lambda a, b: a < b,
        "le": lambda a, b: a <= b,
        "gt": lambda a, b: a > b,
        "ge": lambda a, b: a >= b,
    }[operator]

    def value_of(item: Mapping[str, Any]) -> Any:
        value = item.get(name)
        if wire_type == "datetimeoffset" and value is not None:
            return _instant(value) or _UNSET
        if wire_type in ("string", "flags", "date") and value is not None and not isinstance(value, str):
            return _UNSET
        return value

    def predicate(item: Mapping[str, Any]) -> bool:
        value = value_of(item)
        if value is _UNSET:
            return operator == "ne"
        if value is None or literal is None:
            # OData: null equals only null; an ordering comparison with null is false
            if operator in ("eq", "ne"):
                return (value is literal) == (operator == "eq")
            return False
        return test(value, literal)

    return predicate


def parse_filter(text: str, types: Mapping[str, str]) -> Predicate:
    """Compile `$filter` into a predicate on JSON dicts.

    >>> keep = parse_filter("displayName eq 'O''Brien' and endDate eq null", {"displayName": "string",
    ...                                                                      "endDate": "date"})
    >>> keep({"displayName": "O'Brien", "endDate": None})
    True
    >>> keep({"displayName": "O'Brien", "endDate": "2025-01-01"})
    False
    """
    if not text.strip():
        raise bad_query("Invalid $filter: the expression is empty.")
    return _FilterParser(text, types).parse()
