"""Nearest-neighbour search among spellings, with blocking so the cost stays near-linear.

Comparing every spelling with every other is quadratic: 10,000 spellings are 50 million pairs. Like
OpenRefine's nearest-neighbour methods we compare only within *blocks*, here the spellings sharing their
first two characters, and those sharing their last two (a typo rarely hits both ends of a name). Each
block is one vectorised `rapidfuzz.process.cdist` call with a `score_cutoff`, on both cores.

    >>> close_pairs(["microsoft", "microsfot", "isaca", "isc2"])
    [(0, 1, 1)]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

__all__ = ["BLOCK_CHARS", "close_pairs", "similar_pairs"]

BLOCK_CHARS = 2
"""How many characters at the start (and, separately, at the end) two spellings share to be compared."""


def _blocks(texts: Sequence[str]) -> list[list[int]]:
    by_start: dict[str, list[int]] = defaultdict(list)
    by_end: dict[str, list[int]] = defaultdict(list)
    for i, text in enumerate(texts):
        if text:
            by_start[text[:BLOCK_CHARS]].append(i)
            by_end[text[-BLOCK_CHARS:]].append(i)
    return [block for blocks in (by_start, by_end) for block in blocks.values() if len(block) > 1]


def close_pairs(texts: Sequence[str], most: int = 1) -> list[tuple[int, int, int]]:
    """Pairs `(i, j, edits)` (i < j) of `texts` at most `most` edits apart (optimal string alignment: a
    swap of two neighbouring letters is one edit), found within blocks; sorted."""
    found: set[tuple[int, int, int]] = set()
    for block in _blocks(texts):
        chosen = [texts[i] for i in block]
        distances = process.cdist(chosen, chosen, scorer=OSA.distance, score_cutoff=most, dtype=np.uint8,
                                  workers=-1)
        rows, cols = np.nonzero(np.triu(distances <= most, k=1))
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            a, b = block[r], block[c]
            found.add((min(a, b), max(a, b), int(distances[r, c])))
    return sorted(found)


def similar_pairs(texts: Sequence[str], cutoff: float = 90.0) -> list[tuple[int, int, float]]:
    """Pairs `(i, j, score)` (i < j) whose token-sort ratio (rapidfuzz, 0–100) is at least `cutoff`.

    >>> similar_pairs(["amazon services web", "amazon service web", "hanks tom"])
    [(0, 1, 97.3)]
    """
    found: dict[tuple[int, int], float] = {}
    for block in _blocks(texts):
        chosen = [texts[i] for i in block]
        scores = process.cdist(chosen, chosen, scorer=fuzz.token_sort_ratio, score_cutoff=cutoff,
                               workers=-1)
        rows, cols = np.nonzero(np.triu(scores >= cutoff, k=1))
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            a, b = sorted((block[r], block[c]))
            found[(a, b)] = round(float(scores[r, c]), 1)
    return sorted((a, b, s) for (a, b), s in found.items())
