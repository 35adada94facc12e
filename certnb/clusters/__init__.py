"""Clustering of free-text spellings (issuers, titles) as OpenRefine does it, and beyond: keys, neighbours.

    keys.py          key collision: fingerprint, n-gram fingerprint, phonetic keys, certnb's name key
    neighbours.py    nearest neighbours within blocks (rapidfuzz, vectorised)
    clustering.py    the clusters of one column's spellings, each with its canonical spelling and why

This package knows nothing of frames or Graph: it works on spellings and their counts, so the audit
(certnb.frame) and the catalogue (certnb.catalogue) can both use it.

    >>> from certnb.clusters import find_clusters
    >>> find_clusters({"Project Management Institute": 4, "Project Managment Institute": 1})[0].spellings
    ('Project Management Institute', 'Project Managment Institute')
"""

from __future__ import annotations

from certnb.clusters.clustering import METHODS, Cluster, Member, find_clusters, is_typo, same_name, typo_limit
from certnb.clusters.keys import fingerprint, metaphone_key, name_key, ngram_fingerprint, nysiis_key

__all__ = [
    "METHODS",
    "Cluster",
    "Member",
    "find_clusters",
    "fingerprint",
    "is_typo",
    "metaphone_key",
    "name_key",
    "ngram_fingerprint",
    "nysiis_key",
    "same_name",
    "typo_limit",
]
