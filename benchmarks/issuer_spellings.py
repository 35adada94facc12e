"""Synthetic issuer spellings for the audit benchmarks: real issuers and invented ones, each typed many ways.

`spellings(n)` gives `n` distinct spellings with a weight each (how common it is): the catalogue's 50
issuers and invented training companies ("Northwind Cloud Academy") up to one issuer per eight spellings;
every issuer appears as its name and as variants people type: case, a legal suffix, a space lost or added,
and one or two typos (a letter dropped, doubled, swapped or replaced). As in a real tenant the big vendors
hold most certifications: a catalogue issuer's spellings weigh `MAJOR_WEIGHT` times more, so about two
rows in three name one. Seeded: the same `n` gives the same list.

    $ .venv/bin/python -c "from issuer_spellings import spellings; print(spellings(5))"
"""

from __future__ import annotations

from random import Random

_FIRST = (
    "North",
    "Blue",
    "Iron",
    "Silver",
    "Cedar",
    "Summit",
    "Harbor",
    "Pine",
    "Maple",
    "Falcon",
    "Granite",
    "Aurora",
    "Beacon",
    "Crimson",
    "Delta",
    "Ember",
    "Frontier",
    "Golden",
    "Horizon",
    "Juniper",
    "Keystone",
    "Lakeside",
    "Meridian",
    "Nimbus",
    "Orchid",
    "Pioneer",
    "Quarry",
    "Redwood",
    "Sterling",
    "Tidal",
)
_SECOND = (
    "wind",
    "stone",
    "field",
    "bridge",
    "gate",
    "crest",
    "brook",
    "vale",
    "point",
    "haven",
    "mark",
    "light",
    "wood",
    "path",
)  # no two a typo apart (not "bridge" and "ridge")
_KIND = (
    "Academy",
    "Training",
    "Institute",
    "Learning",
    "Certification Board",
    "Skills",
    "University",
    "Cloud Academy",
    "Security Institute",
    "Data School",
    "Technical College",
    "Professional Association",
)
_SUFFIX = ("Inc.", "Ltd", "LLC", "GmbH", "Corporation", "Corp.")


def _typo(rng: Random, text: str) -> str:
    i = rng.randrange(1, max(2, len(text) - 1))
    kind = rng.randrange(4)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i] + text[i:]
    if kind == 2 and i + 1 < len(text):
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice("aeiounrst") + text[i + 1 :]


def _variant(rng: Random, name: str) -> str:
    way = rng.randrange(6)
    if way == 0:
        return name.lower() if rng.random() < 0.5 else name.upper()
    if way == 1:
        return f"{name}{rng.choice([' ', ', '])}{rng.choice(_SUFFIX)}"
    if way == 2 and " " in name:
        return name.replace(" ", "", 1)
    if way == 3:
        return _typo(rng, _typo(rng, name)) if len(name) > 15 else _typo(rng, name)
    if way == 4:
        return name + " "
    return _typo(rng, name)


def issuers(count: int, seed: int = 18) -> list[str]:
    """`count` issuer names: the catalogue's issuers first, then invented ones."""
    from certnb.catalogue import default_catalogue

    rng = Random(seed)
    names = [i.name for i in default_catalogue().issuers]
    seen = set(names)
    while len(names) < count:
        name = f"{rng.choice(_FIRST)}{rng.choice(_SECOND)} {rng.choice(_KIND)}"
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names[:count]


MAJOR_WEIGHT = 50


def spellings(n: int, per_issuer: int = 8, seed: int = 18) -> list[tuple[str, str, int]]:
    """`n` distinct (spelling, the issuer meant, weight) triples; the issuer's own name weighs most."""
    from certnb.catalogue import default_catalogue

    major = {i.name for i in default_catalogue().issuers}
    rng = Random(seed)
    names = issuers(max(1, n // per_issuer), seed)
    found: dict[str, tuple[str, int]] = {name: (name, 50 + rng.randrange(200)) for name in names}
    while len(found) < n:
        name = rng.choice(names)
        variant = _variant(rng, name)
        if variant.strip() and variant not in found:
            found[variant] = (name, 1 + rng.randrange(10))
    return [
        (s, meant, weight * (MAJOR_WEIGHT if meant in major else 1)) for s, (meant, weight) in found.items()
    ]
