"""What each clustering method joins, what it says about why, and what it refuses to join."""

from __future__ import annotations

import pytest

from certnb.catalogue import default_catalogue
from certnb.clusters import METHODS, find_clusters, fingerprint, metaphone_key, name_key, ngram_fingerprint


def test_keys_fold_case_accents_punctuation_and_order() -> None:
    assert fingerprint("Cruise, Tom") == fingerprint("tom cruise") == "cruise tom"
    assert ngram_fingerprint("Paris") == ngram_fingerprint("PARIS")
    assert metaphone_key("Mikrosoft") == metaphone_key("Microsoft")
    assert name_key("TÜV SÜD") == name_key("TUV SUD") == "tuvsud"
    assert name_key("(ISC)²") == name_key("ISC 2") == name_key("isc2")
    assert name_key("Amazon AWS") == name_key("Amazon Web Services")
    assert (
        name_key("I.S.A.C.A.") == "isaca"
    )  # repeated letters are kept; only expanded words are not repeated


def test_a_cluster_lists_members_with_counts_canonical_and_why() -> None:
    [cluster] = find_clusters(
        {"Microsoft": 40, "Microsoft Corporation": 3, "Microsfot": 1, "MSFT": 2},
        known=default_catalogue().issuer_names(),
    )
    assert cluster.canonical == "Microsoft" and cluster.rows == 46
    why = {m.spelling: (m.count, m.why) for m in cluster.members}
    assert why["Microsoft"] == (40, "the catalogue's name")
    assert why["Microsfot"] == (1, "1 edit from name key 'microsoft' (a typo)")
    assert why["MSFT"][1].startswith("same name as 'Microsoft'")
    assert cluster.method == "name key + typo"


def test_the_catalogue_name_is_canonical_only_when_someone_spelled_it() -> None:
    known = default_catalogue().issuer_names()
    [spelled] = find_clusters({"PMI": 9, "Project Management Institute": 2}, known=known)
    assert spelled.canonical == "Project Management Institute"
    assert "an alias of 'Project Management Institute' in the catalogue" in spelled.members[1].why
    [unspelled] = find_clusters(
        {"AWS Training and Certification": 9, "AWS Training & Certification": 1}, known=known
    )
    assert unspelled.canonical == "AWS Training and Certification"  # the tenant's own, not a rename to AWS


def test_a_typo_joins_a_centre_never_a_chain() -> None:
    # b is one edit from a, c one from b but two from a: c must not ride in on b.
    clusters = find_clusters({"Keystone": 10, "Keystome": 2, "Keyshome": 1})
    assert [c.spellings for c in clusters] == [("Keystone", "Keystome")]


def test_numbers_roman_numerals_and_plus_signs_must_agree() -> None:
    assert (
        find_clusters({"AZ-104": 3, "AZ-204": 3, "PSM I": 2, "PSM II": 2, "Network+": 1, "Network": 1}) == []
    )


@pytest.mark.parametrize("method", METHODS)
def test_every_method_takes_counts_or_values_and_ignores_blanks(method: str) -> None:
    by_values = find_clusters(["Cisco", "cisco", "cisco", "", "  "], method=method)
    assert [c.spellings for c in by_values] == [("cisco", "Cisco")]
    assert by_values[0].members[0].count == 2


def test_an_unknown_method_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(ValueError, match="method must be one of default, fingerprint"):
        find_clusters(["a"], method="soundex")


def test_blocking_still_finds_typos_among_thousands() -> None:
    names = {f"Vendor{i:05d} Academy": 5 for i in range(3000)}
    names["Vendor01234 Acadmey"] = 1  # far from most, one block away from its own
    clusters = find_clusters(names)
    assert [c.spellings for c in clusters if "Vendor01234 Acadmey" in c.spellings] == [
        ("Vendor01234 Academy", "Vendor01234 Acadmey")
    ]
