"""`$filter` compiled into a predicate on JSON dicts (contract §1).

`$filter` supports `eq ne lt le gt ge` between a scalar property and a literal, joined by `and`/`or`, with
parentheses [contract §1: undocumented which operators Graph supports]. Literals follow OData: `'O''Brien'`,
`2025-01-31` (Edm.Date, unquoted), `2025-01-31T10:00:00Z`, `42`, `true`, `null`. String comparison is ordinal.

    >>> keep = parse_filter("endDate lt 2026-01-01 or endDate eq null", {"endDate": "date"})
    >>> keep({"endDate": "2025-06-30"}), keep({"endDate": None}), keep({"endDate": "2026-06-30"})
    (True, True, False)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from certnb.emulator.errors import GraphError, bad_query
from certnb.emulator.ordering import COMPARABLE, instant
from certnb.emulator.resource import normalise_audiences, parse_date

Predicate = Callable[[Mapping[str, Any]], bool]

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
        if wire_type not in COMPARABLE:
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
            moment = instant(text)
            if moment is None:
                raise self.fail(f"'{text}' is not a DateTimeOffset")
            return moment
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
            return instant(value) or _UNSET
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
