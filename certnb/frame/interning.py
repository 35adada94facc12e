"""Interning: the texts a whole-tenant load repeats from record to record, held once.

A parsed certification is about 5.7 KB of Python objects, and most of it is text every record repeats: the
property names each `sources` annotation lists, source ids and types, audiences, dates, issuers, titles and
the people in `createdBy`/`lastModifiedBy`. JSON parsing makes a new string for each occurrence, so a load of
300,000 certifications held 1.8 GB before its frame was built. `Interner.records` makes equal texts one
object as each page of answers comes in (strings only, never shared lists or dicts, so no cell of the frame
aliases another); values that are unique by nature (ids, links, timestamps) are left alone, so the memo
holds only what repeats.

    >>> interner = Interner()
    >>> one, two = [{"id": "c1", "endDate": "2027-01-31"}], [{"id": "c2", "endDate": "2027-01-31"}]
    >>> interner.records(one); interner.records(two)
    >>> one[0]["endDate"] is two[0]["endDate"], one[0] == {"id": "c1", "endDate": "2027-01-31"}
    (True, True)
"""

from __future__ import annotations

from typing import Any

__all__ = ["Interner"]

UNIQUE_KEYS = frozenset({"id", "webUrl", "thumbnailUrl", "createdDateTime", "lastModifiedDateTime"})
"""Top-level properties whose values are one per certification: interning them would only grow the memo."""


class Interner:
    """One memo of texts for a load; `records(items)` interns the texts of parsed certifications in place.

    >>> interner = Interner()
    >>> items = [{"sources": [{"sourceId": "s1", "properties": ["endDate"]}]} for _ in range(2)]
    >>> interner.records(items)
    >>> items[0]["sources"][0]["properties"][0] is items[1]["sources"][0]["properties"][0]
    True
    >>> items[0]["sources"] is items[1]["sources"]        # containers stay each record's own
    False
    """

    def __init__(self) -> None:
        self._memo: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._memo)

    def records(self, items: list[Any]) -> None:
        """Intern the texts of each certification in `items` (anything that is not a dict is left)."""
        for item in items:
            if isinstance(item, dict):
                for key, value in item.items():
                    if key not in UNIQUE_KEYS and isinstance(value, str | list | dict):
                        item[key] = self._value(value)

    def _value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self._memo.setdefault(value, value)
        if isinstance(value, list):
            for i, element in enumerate(value):
                value[i] = self._value(element)
        elif isinstance(value, dict):
            for key, element in value.items():
                value[key] = self._value(element)
        return value
