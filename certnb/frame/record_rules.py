"""The audit's record rules: the same certification twice for one person, a missing certificationId, and
links that are not absolute http(s) URLs; with the keys that make two records the same certification.

Each rule works each distinct cell once (`certnb.frame.distinct`), then makes its findings column-wise.

    >>> two = pd.DataFrame({"userId": ["u1", "u1"], "displayName": ["PMP", "pmp "],
    ...                     "certificationId": [None, "X"]})
    >>> shared_certifications(two, duplicate_keys(two)).tolist()
    [True, True]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from certnb.frame.distinct import Distinct, DistinctColumns
from certnb.frame.findings import rule_table
from certnb.schema import FIELDS_BY_COLUMN, TEXT_DTYPE

__all__ = ["RECORD_RULES", "certification_id_findings", "duplicate_findings", "duplicate_keys", "key_codes",
           "shared_certifications", "url_findings"]

RECORD_RULES: dict[str, str] = {
    "duplicate": "warning",
    "missing-certification-id": "warning",
    "bad-url": "error",
}
"""The rules of this module → severity."""


def _title(title: str) -> str:
    return title.strip().casefold()


def _title_key(frame: pd.DataFrame, cells: DistinctColumns) -> pd.Series:
    keys = cells["displayName"].each(_title, missing="")
    return pd.Series(pd.array(keys, dtype=TEXT_DTYPE), index=frame.index)


def _key_codes(column: Distinct, key: Callable[[str], str]) -> np.ndarray:
    # The keys of the column's distinct cells, factorised with "" first: a row's code is its key's, 0 the
    # empty key (a missing cell's too).
    codes = pd.factorize(np.asarray(["", *(key(u) for u in column.uniques)], dtype=object))[0]
    per_cell = np.append(codes[1:], 0).astype(np.int64)  # code -1, a missing cell, takes the last: ""
    found: np.ndarray = per_cell[column.codes]
    return found


def key_codes(cells: DistinctColumns) -> dict[str, np.ndarray]:
    """Per row, an integer for each of its `duplicate_keys` (`title`, `reference`): equal keys, equal
    integers, 0 for the empty key; worked from the distinct cells, so a million rows' keys are not hashed.

    >>> cells = DistinctColumns(pd.DataFrame({"displayName": ["PMP", " pmp", None], "certificationId": "X"}))
    >>> {kind: codes.tolist() for kind, codes in key_codes(cells).items()}
    {'title': [1, 1, 0], 'reference': [1, 1, 1]}
    """
    return {"title": _key_codes(cells["displayName"], _title),
            "reference": _key_codes(cells["certificationId"], str.strip)}


def duplicate_keys(frame: pd.DataFrame, cells: DistinctColumns | None = None) -> pd.DataFrame:
    """What makes two certifications of one person the same one (the "duplicate" rule): the same `title`
    (trimmed, casefolded) or the same `reference` (the certificationId, trimmed); "" where there is none.

    >>> two = pd.DataFrame({"displayName": [" AZ-104", None], "certificationId": ["X1 ", None]})
    >>> duplicate_keys(two).values.tolist()
    [['az-104', 'X1'], ['', '']]
    """
    cells = DistinctColumns(frame) if cells is None else cells
    references = pd.Series(pd.array(cells["certificationId"].each(str.strip, missing=""), dtype=TEXT_DTYPE),
                           index=frame.index)
    return pd.DataFrame({"title": _title_key(frame, cells), "reference": references}, index=frame.index)


def shared_certifications(frame: pd.DataFrame, keys: pd.DataFrame, codes: dict[str, np.ndarray] | None = None
                          ) -> Any:
    """Per row: does another row of the same person have the same title or reference (`duplicate_keys`)?
    `codes`: the keys' `key_codes`, if known.

    Compared as integer codes (person × key), one hash pass each, not as pairs of strings.

    >>> two = pd.DataFrame({"userId": ["u1", "u1", "u2"], "displayName": ["PMP", "pmp ", "PMP"],
    ...                     "certificationId": [None, None, None]})
    >>> shared_certifications(two, duplicate_keys(two)).tolist()
    [True, True, False]
    """
    people = pd.factorize(frame["userId"], use_na_sentinel=False)[0].astype(np.int64)
    shared = np.zeros(len(frame), dtype=bool)
    for kind in ("title", "reference"):
        if codes is None:
            key = keys[kind]
            kinds, uniques = pd.factorize(key, use_na_sentinel=False)
            count, given = len(uniques), (key != "").to_numpy(dtype=bool)
        else:
            kinds = codes[kind]
            count, given = int(kinds.max(initial=0)) + 1, kinds != 0
        pair = pd.Series(people * max(count, 1) + kinds.astype(np.int64))
        shared |= pair.duplicated(keep=False).to_numpy() & given
    return shared


def duplicate_findings(frame: pd.DataFrame, shared: Any) -> Iterable[pd.DataFrame]:
    chosen = np.asarray(shared, dtype=bool)
    names = frame["displayName"][chosen].astype(object).tolist()
    people = frame["userPrincipalName"][chosen].astype(object).tolist()
    yield rule_table(RECORD_RULES, frame, chosen, "duplicate", "id",
                 [f"{n!r} appears more than once for {p}" for n, p in zip(names, people, strict=True)],
                 "keep one entry and delete the others")


def certification_id_findings(frame: pd.DataFrame, cells: DistinctColumns) -> Iterable[pd.DataFrame]:
    references = cells["certificationId"]
    blank = references.where(r.strip() == "" for r in references.uniques) | (references.codes < 0)
    yield rule_table(RECORD_RULES, frame, blank, "missing-certification-id", "certificationId",
                 "no certificationId (the issuer's reference), so the credential cannot be verified",
                 "copy the credential id from the issuer's certificate or badge")


# Plainly valid URLs (printable ASCII, http(s), a host name) pass without a call per row; only the others
# are checked one by one with the field's own validator, which words the finding.
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?(?:[/?#][!-~]*)?")


def url_findings(frame: pd.DataFrame, cells: DistinctColumns) -> Iterable[pd.DataFrame]:
    for field in ("webUrl", "thumbnailUrl"):
        check = FIELDS_BY_COLUMN[field]
        limit = check.max_length or 2048

        def judged(url: Any, check: Any = check, limit: int = limit) -> tuple[str, str, str | None] | None:
            # Plainly valid links pass at once; the others are judged by the field's own validator.
            if not isinstance(url, str) or (len(url) <= limit and _PLAIN_URL.fullmatch(url) is not None):
                return None
            try:
                check.validate(url)
            except ValueError as refusal:
                suggested = f"https://{url}" if re.match(r"^[\w-]+(\.[\w-]+)+/", url) else None
                fix = "use the full https:// address from the issuer's site" if suggested is None else (
                    f"use {suggested!r}")
                return str(refusal), fix, suggested
            return None

        # Each distinct link once: several times quicker than .str.fullmatch on a "string" column.
        links = cells[field]
        verdicts = [judged(u) for u in links.uniques]
        chosen = links.where(v is not None for v in verdicts)
        detail, fix, suggested = ([None if v is None else v[j] for v in verdicts] for j in range(3))
        yield rule_table(RECORD_RULES, frame, chosen, "bad-url", field, links.take(detail), links.take(fix),
                     links.take(suggested))
