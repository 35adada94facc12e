"""Keys for key-collision clustering: spellings whose key is equal belong together.

The first three are OpenRefine's ("Clustering methods in-depth"): the *fingerprint* (trimmed, lower case,
accents folded, punctuation gone, the distinct words sorted), the *n-gram fingerprint* (the distinct
character n-grams of the text without spaces, sorted) and a *phonetic* key (Metaphone or NYSIIS of each
word, from `jellyfish`). The fourth, `name_key`, is certnb's: an organisation's name as a person means it,
so "Micro soft", "Microsoft Corp." and "MSFT" all read `microsoft`, and "(ISC)²" reads `isc2`.

    >>> fingerprint("  Linux Foundation, The "), ngram_fingerprint("ISACA", 2)
    ('foundation linux the', 'accaissa')
    >>> name_key("Micro soft"), name_key("(ISC)²"), name_key("Amazon AWS")
    ('microsoft', 'isc2', 'amazonwebservices')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import jellyfish

__all__ = [
    "ABBREVIATIONS",
    "CORPORATE_SUFFIXES",
    "KEYS",
    "fingerprint",
    "fold",
    "metaphone_key",
    "name_key",
    "name_words",
    "ngram_fingerprint",
    "nysiis_key",
]

_PUNCTUATION = re.compile(r"[^\w\s+]|_")
_SPACES = re.compile(r"\s+")

CORPORATE_SUFFIXES = frozenset(
    {"corporation", "corp", "inc", "incorporated", "ltd", "limited", "llc", "plc", "gmbh", "ag", "sa", "co",
     "company", "pty"}
)
"""Words that end a company's legal name and say nothing about which company it is."""

ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "msft": ("microsoft",),
    "ms": ("microsoft",),
    "aws": ("amazon", "web", "services"),
    "gcp": ("google", "cloud"),
    "intl": ("international",),
    "inst": ("institute",),
    "assoc": ("association",),
    "univ": ("university",),
}
"""Words people shorten, word → the words meant (a word is expanded only where it stands alone)."""


def fold(text: str) -> str:
    """Lower case, accents and compatibility forms folded to ASCII (ü → u, ² → 2, ß → ss).

    >>> fold("TÜV SÜD"), fold("(ISC)²"), fold("Straße")
    ('tuv sud', '(isc)2', 'strasse')
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return decomposed.encode("ascii", "ignore").decode()


def _words(text: str) -> list[str]:
    # "+" stays: CompTIA's "Security+" and "A+" are other certifications than "Security" and "A".
    return _PUNCTUATION.sub(" ", fold(text).replace("&", " and ")).split()


def fingerprint(text: str) -> str:
    """OpenRefine's fingerprint: folded, punctuation gone, the distinct words sorted.

    >>> fingerprint("Tom Cruise"), fingerprint("Cruise, Tom"), fingerprint("tom  cruise.")
    ('cruise tom', 'cruise tom', 'cruise tom')
    """
    return " ".join(sorted(set(_words(text))))


def ngram_fingerprint(text: str, n: int = 2) -> str:
    """OpenRefine's n-gram fingerprint: the distinct character `n`-grams of the folded text without
    punctuation or spaces, sorted and joined.

    >>> ngram_fingerprint("Paris"), ngram_fingerprint("PARIS")
    ('arispari', 'arispari')
    """
    squashed = "".join(_words(text))
    if len(squashed) <= n:
        return squashed
    return "".join(sorted({squashed[i : i + n] for i in range(len(squashed) - n + 1)}))


def metaphone_key(text: str) -> str:
    """The Metaphone code of each word of the fingerprint (sounds-alike: "Mikrosoft" ≈ "Microsoft").

    >>> metaphone_key("Microsoft"), metaphone_key("Mikrosoft")
    ('MKRSFT', 'MKRSFT')
    """
    return " ".join(jellyfish.metaphone(word) for word in fingerprint(text).split())


def nysiis_key(text: str) -> str:
    """The NYSIIS code of each word of the fingerprint.

    >>> nysiis_key("Cisco") == nysiis_key("Sisco")
    False
    """
    return " ".join(jellyfish.nysiis(word) for word in fingerprint(text).split())


def name_words(text: str) -> list[str]:
    """An organisation's name as words: folded, abbreviations spelled out, a leading "the", a trailing
    legal suffix and a trailing acronym in brackets of the words before it dropped, repeats removed.

    >>> name_words("The Linux Foundation"), name_words("Project Management Institute (PMI)")
    (['linux', 'foundation'], ['project', 'management', 'institute'])
    >>> name_words("Amazon AWS"), name_words("Cisco Systems, Inc.")
    (['amazon', 'web', 'services'], ['cisco', 'systems'])
    """
    bracketed = re.match(r"^(.*\S)\s*\(([^()]*)\)\s*$", text)
    if bracketed:
        before, inside = bracketed.groups()
        initials = "".join(w[0] for w in _words(before) if w not in ("of", "and", "for", "the"))
        if "".join(_words(inside)) in (initials, "".join(_words(before))):
            text = before
    words: list[str] = []
    for word in _words(text):
        expanded = ABBREVIATIONS.get(word)
        # "Amazon AWS" is Amazon Web Services, not "amazon amazon web services".
        words.extend([] if expanded is None else [p for p in expanded if p not in words])
        if expanded is None:
            words.append(word)
    if len(words) > 1 and words[0] == "the":
        words.pop(0)
    while len(words) > 1 and words[-1] in CORPORATE_SUFFIXES:
        words.pop()
    return words


def name_key(text: str) -> str:
    """`name_words` joined without spaces: a space typed in a name ("Micro soft") does not count.

    >>> name_key("Microsoft Corporation"), name_key("MSFT"), name_key(" microsoft ")
    ('microsoft', 'microsoft', 'microsoft')
    """
    return "".join(name_words(text))


KEYS: dict[str, Callable[[str], str]] = {
    "fingerprint": fingerprint,
    "ngram-fingerprint": ngram_fingerprint,
    "metaphone": metaphone_key,
    "nysiis": nysiis_key,
    "name": name_key,
}
"""Key-collision methods by name."""
