"""Issuer names compared: a name reduced for comparison (`issuer_key`) and each spelling's preferred
spelling (`issuer_groups`), for the rules and the reconciliation that match issuers.

    >>> issuer_key("Microsoft Corporation") == issuer_key("MSFT")
    True
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import pandas as pd

from certnb.catalogue import Catalogue, default_catalogue
from certnb.frame.spelling import spellings
from certnb.schema import TEXT_DTYPE

__all__ = ["CORPORATE_SUFFIXES", "ISSUER_ABBREVIATIONS", "issuer_groups", "issuer_key"]

ISSUER_ABBREVIATIONS: dict[str, str] = {
    "msft": "microsoft",
    "ms": "microsoft",
    "aws": "amazon web services",
    "gcp": "google cloud",
    "ibm corp": "ibm",
}
"""Known abbreviations of issuer names, normalised form → normalised full name."""


CORPORATE_SUFFIXES = frozenset(
    {
        "corporation",
        "corp",
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "co",
        "company",
    }
)


def issuer_key(name: str) -> str:
    """An issuer name reduced for comparison: casefolded, accents, punctuation and corporate suffixes gone.

    >>> issuer_key("Microsoft Corporation"), issuer_key("MSFT"), issuer_key(" microsoft ")
    ('microsoft', 'microsoft', 'microsoft')
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    words = re.sub(r"[^\w\s]", " ", text).split()
    while len(words) > 1 and words[-1] in CORPORATE_SUFFIXES:
        words.pop()
    joined = " ".join(words)
    return ISSUER_ABBREVIATIONS.get(joined, joined)


def issuer_groups(names: Iterable[str], catalogue: Catalogue | None = None) -> dict[str, str]:
    """Spelling → the preferred spelling of its cluster (`certnb.frame.spelling`: the catalogue's name when
    it is one of them, else the most common; a spelling in no cluster maps to itself).

    >>> issuer_groups(["Microsoft", "Microsoft", "MSFT", "Microsfot", "ISACA"])["Microsfot"]
    'Microsoft'
    """
    column = pd.Series([n for n in names if isinstance(n, str) and n.strip()], dtype=TEXT_DTYPE)
    preferred = {str(s): str(s) for s in column.unique()}
    variants = spellings(column, catalogue or default_catalogue())
    preferred.update((s, best) for s, (best, _) in variants.items())
    return preferred
