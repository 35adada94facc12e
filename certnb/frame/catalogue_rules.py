"""Audit rules from the reference catalogue (`certnb.catalogue`): what the tenant says against what the
issuers publish.

- `unknown-issuer`: an issuer neither in the catalogue nor a spelling of one of its issuers; suggests the
  catalogue's issuer when the spelling is a typo of it ("Microsfot" → "Microsoft").
- `title-catalogue`: a title that is an alias or a typo of a catalogue title (suggests the title), or a
  catalogue title whose issuing authority is another catalogue issuer (suggests the issuer).
- `exam-code-title`: an exam code typed as the title, where the row's issuer awards that exam (AZ-104 with
  Microsoft → its certification's title).
- `url-host`: a `webUrl` on none of the issuer's web domains nor a credential platform's (Credly, …).
- `unusual-validity`: an end date more than `VALIDITY_SLACK_DAYS` off the issue date plus the
  certification's usual validity (suggests that date).

Each rule looks at each distinct value once (titles, issuers, hosts), then makes its findings column-wise.

    >>> from certnb.catalogue import default_catalogue
    >>> from certnb.frame.build import build_frame
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
    ...     {"id": "c1", "displayName": "AZ-104", "issuingAuthority": "Microsoft"}]}])
    >>> [t[["rule", "suggested"]].values.tolist() for t in catalogue_findings(df, default_catalogue())]
    [[['exam-code-title', 'Microsoft Certified: Azure Administrator Associate']]]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import OSA

from certnb.catalogue import Catalogue, Certification, title_key
from certnb.clusters import name_key, same_name
from certnb.frame.distinct import DistinctColumns
from certnb.frame.findings import findings_table
from certnb.frame.spelling import ISSUER_FIELDS, spellings

__all__ = ["CATALOGUE_RULES", "VALIDITY_SLACK_DAYS", "catalogue_findings", "certification_of"]

CATALOGUE_RULES: dict[str, str] = {
    "unknown-issuer": "info",
    "title-catalogue": "warning",
    "exam-code-title": "warning",
    "url-host": "warning",
    "unusual-validity": "info",
}
"""The rules of this module → severity."""

VALIDITY_SLACK_DAYS = 62
"""How far an end date may be from issue + usual validity before it is a finding (renewal windows, CPE
cycles that end with a month, a grace period)."""


def _spelled(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _issuer_of(spelling: str, catalogue: Catalogue, variants: Mapping[str, tuple[str, str]]) -> str | None:
    """The catalogue issuer a spelling names: directly, or through its cluster's canonical spelling."""
    found = catalogue.issuer(spelling)
    if found is None and spelling in variants:
        found = catalogue.issuer(variants[spelling][0])
    return None if found is None else found.name


@dataclass(frozen=True)
class NamedColumn:
    """An issuer column's cells resolved to catalogue issuers, once per distinct spelling: `names` (each
    spelling → the issuer it names, "" if none), `labels` (the issuers named, "" first) and `codes` (each
    row's issuer as an index into `labels`; "" where the cell names none or is missing)."""

    names: dict[str, str]
    labels: list[str]
    codes: np.ndarray


Named = dict[str, NamedColumn]
"""Per issuer column: its `NamedColumn`."""


def named_issuers(
    frame: pd.DataFrame, catalogue: Catalogue, variants: Mapping[str, Mapping[str, tuple[str, str]]],
    cells: DistinctColumns | None = None,
) -> Named:
    """The catalogue issuer each issuer cell names, resolved once per distinct spelling (see `Named`)."""
    columns = DistinctColumns(frame) if cells is None else cells
    named: Named = {}
    for field in ISSUER_FIELDS:
        column = columns[field]
        each = [(_issuer_of(u, catalogue, variants[field]) or "") if _spelled(u) else ""
                for u in column.uniques]
        labels = ["", *dict.fromkeys(n for n in each if n)]
        index = {name: i for i, name in enumerate(labels)}
        codes = np.zeros(len(each) + 1, dtype=np.int64)  # the last: a missing cell, names none
        codes[:-1] = [index[n] for n in each]
        names = {u: n for u, n in zip(column.uniques, each, strict=True) if _spelled(u)}
        named[field] = NamedColumn(names, labels, codes[column.codes])
    return named


def _typo_issuers(spellings_: list[str], catalogue: Catalogue) -> dict[str, str | None]:
    """Each spelling → the catalogue issuer it is a typo of (None if none): candidates a few edits apart by
    name key (one vectorised rapidfuzz call), then the default method's own test (`same_name`)."""
    names = [(name, issuer.name) for issuer in catalogue.issuers for name in (issuer.name, *issuer.aliases)]
    if not spellings_ or not names:
        return dict.fromkeys(spellings_)
    keys = [name_key(s) for s in spellings_]
    distances = process.cdist(keys, [name_key(n) for n, _ in names], scorer=OSA.distance, score_cutoff=3,
                              dtype=np.uint8, workers=-1)
    found: dict[str, str | None] = {}
    for row, spelling in enumerate(spellings_):
        near = np.flatnonzero(distances[row] <= 3)
        found[spelling] = next((names[c][1] for c in near.tolist() if same_name(spelling, names[c][0])), None)
    return found


def _unknown_issuer(frame: pd.DataFrame, catalogue: Catalogue, named: Named, cells: DistinctColumns
                    ) -> Iterable[pd.DataFrame]:
    for field in ISSUER_FIELDS:
        column = cells[field]
        strangers = [s for s, name in named[field].names.items() if not name]
        unknown = _typo_issuers(strangers, catalogue)
        if not unknown:
            continue
        each = [(u in unknown, unknown.get(u)) for u in column.uniques]
        yield findings_table(
            frame,
            column.where(hit for hit, _ in each),
            "unknown-issuer",
            CATALOGUE_RULES["unknown-issuer"],
            field,
            column.take([f"{u!r} is not in the catalogue of issuers"
                         + (f"; it looks like a typo of {near!r}" if near else "") if hit else None
                         for u, (hit, near) in zip(column.uniques, each, strict=True)]),
            column.take([(f"use {near!r}" if near else "check the name with the certificate; if it is right, "
                          "add the issuer to your catalogue (certnb.catalogue.load_catalogue(issuers=...))")
                         if hit else None for hit, near in each]),
            column.take([near for _, near in each]),
        )


def certification_of(title: str, catalogue: Catalogue) -> tuple[Certification | None, str]:
    """The catalogue certification a title names, and how: "title", "alias", "typo", "exam code" or ""."""
    found = catalogue.certification(title)
    if found is not None:
        return found, "title" if title_key(found.title) == title_key(title) else "alias"
    found = catalogue.exam(title)
    if found is not None:
        return found, "exam code"
    for key, cert in catalogue.titles().items():
        if abs(len(key) - len(title_key(title))) <= 3 and same_name(title, cert.title):
            return cert, "typo"
    return None, ""


def _titles(frame: pd.DataFrame, catalogue: Catalogue, cells: DistinctColumns
            ) -> dict[str, tuple[Certification, str]]:
    found = {}
    for title in cells["displayName"].uniques:
        if _spelled(title):
            cert, how = certification_of(title, catalogue)
            if cert is not None:
                found[title] = (cert, how)
    return found


def _judged(
    size: int, rows: np.ndarray, parts: Sequence[tuple[np.ndarray, int]],
    judge: Callable[[tuple[int, ...]], tuple[Any, ...] | None], width: int,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Judge each distinct combination of codes among `rows` once. `parts`: per key, each row's code and
    how many codes there are; `judge(codes)` → `width` answers, or None for no finding. → per row of the
    frame (`size` rows): whether it is a finding, and each answer (an object array, None elsewhere)."""
    key = np.zeros(len(rows), dtype=np.int64)
    for codes, count in parts:
        key = key * count + codes[rows]
    combinations, inverse = np.unique(key, return_inverse=True)
    inverse = inverse.reshape(-1)
    verdicts = []
    for combined in combinations.tolist():
        digits = []
        for _, count in reversed(parts):
            combined, digit = divmod(combined, count)
            digits.append(digit)
        verdicts.append(judge(tuple(reversed(digits))))
    hit = np.array([v is not None for v in verdicts], dtype=bool)
    mask = np.zeros(size, dtype=bool)
    mask[rows[hit[inverse]]] = True
    answers = []
    for j in range(width):
        each = np.empty(len(verdicts), dtype=object)
        each[:] = [None if v is None else v[j] for v in verdicts]
        column = np.full(size, None, dtype=object)
        column[rows] = each[inverse]
        answers.append(column)
    return mask, answers


def _title_rules(
    frame: pd.DataFrame, titles: Mapping[str, tuple[Certification, str]], named: Named,
    cells: DistinctColumns,
) -> Iterable[pd.DataFrame]:
    title = cells["displayName"]
    each = [titles.get(u) if _spelled(u) else None for u in title.uniques]
    renamed = [e if e is not None and e[1] in ("alias", "typo") else None for e in each]
    if any(r is not None for r in renamed):
        yield findings_table(
            frame,
            title.where(r is not None for r in renamed),
            "title-catalogue",
            CATALOGUE_RULES["title-catalogue"],
            "displayName",
            title.take([None if r is None else
                        f"{u!r} is {'another name' if r[1] == 'alias' else 'a misspelling'} of the "
                        f"catalogue's {r[0].title!r}" for u, r in zip(title.uniques, renamed, strict=True)]),
            title.take([None if r is None else f"use {r[0].title!r}" for r in renamed]),
            title.take([None if r is None else r[0].title for r in renamed]),
        )
    exams = np.flatnonzero(title.where(e is not None and e[1] == "exam code" for e in each))
    authority, company = named["issuingAuthority"], named["issuingCompany"]
    if len(exams):
        # Only where the row's issuer awards that exam: "200-301" alone could be anything; with Cisco, CCNA.
        def exam(codes: tuple[int, ...]) -> tuple[str, str, str] | None:
            t, a, c = codes
            spelled, cert = title.uniques[t], each[t][0]  # type: ignore[index]
            if {authority.labels[a], company.labels[c]} & set(cert.issuers):
                return (f"{spelled!r} is the exam code of {cert.title!r}, not a title", f"use {cert.title!r}",
                        cert.title)
            return None

        mask, (detail, fix, suggested) = _judged(
            len(frame), exams, [(title.codes, len(title.uniques)), (authority.codes, len(authority.labels)),
                                (company.codes, len(company.labels))], exam, 3)
        if mask.any():
            yield findings_table(frame, mask, "exam-code-title", CATALOGUE_RULES["exam-code-title"],
                                 "displayName", detail, fix, suggested)
    # The issuing authority of a known certification, when it names another catalogue issuer.
    spelled_by = cells["issuingAuthority"]
    given = np.array([u != "" for u in spelled_by.uniques] + [False], dtype=bool)[spelled_by.codes]
    known = np.flatnonzero(title.where(e is not None for e in each) & given)
    names = authority.names
    if len(known):
        def awarded(codes: tuple[int, ...]) -> tuple[str, str, str] | None:
            t, a = codes
            cert, spelled = each[t][0], spelled_by.uniques[a]  # type: ignore[index]
            issuer = names.get(spelled, "")
            if issuer and issuer not in cert.issuers:
                return (f"{title.uniques[t]!r} is awarded by {', '.join(cert.issuers)}, not {spelled!r}",
                        f"use {cert.issuers[0]!r}", cert.issuers[0])
            return None

        mask, (detail, fix, suggested) = _judged(
            len(frame), known,
            [(title.codes, len(title.uniques)), (spelled_by.codes, len(spelled_by.uniques))], awarded, 3)
        if mask.any():
            yield findings_table(frame, mask, "title-catalogue", CATALOGUE_RULES["title-catalogue"],
                                 "issuingAuthority", detail, fix, suggested)


_HOST = re.compile(r"https?://(?:www\.)?([^/:?#\s]+)", re.IGNORECASE)


def _host(url: Any) -> str:
    found = _HOST.match(url) if isinstance(url, str) else None
    return found.group(1).lower() if found else ""


def _url_host(frame: pd.DataFrame, catalogue: Catalogue, named: Named, cells: DistinctColumns
              ) -> Iterable[pd.DataFrame]:
    platforms = catalogue.platform_domains()
    links = cells["webUrl"]
    hosts = ["", *dict.fromkeys(h for h in map(_host, links.uniques) if h)]  # "" first: no http(s) URL
    index = {h: i for i, h in enumerate(hosts)}
    per_link = np.zeros(len(links.uniques) + 1, dtype=np.int64)
    per_link[:-1] = [index[_host(u)] for u in links.uniques]
    host = per_link[links.codes]
    authority, company = named["issuingAuthority"], named["issuingCompany"]

    def judge(codes: tuple[int, ...]) -> tuple[str] | None:
        h, a, c = codes
        names = [authority.labels[a], company.labels[c]]  # hosts of rows without an http(s) URL: bad-url's
        issuers = (catalogue.issuer(n) for n in dict.fromkeys(n for n in names if n))
        known = [i for i in issuers if i is not None]
        domains = tuple(d for issuer in known for d in issuer.domains)
        if domains and not any(hosts[h] == d or hosts[h].endswith("." + d) for d in (*domains, *platforms)):
            who = " and ".join(i.name for i in known)
            sites = ", ".join(domains)
            return (f"{hosts[h]} is none of {who}'s sites ({sites}) nor a credential platform's",)
        return None

    rows = np.flatnonzero(host > 0)
    if not len(rows):
        return
    mask, (detail,) = _judged(len(frame), rows, [(host, len(hosts)), (authority.codes, len(authority.labels)),
                                                 (company.codes, len(company.labels))], judge, 1)
    if mask.any():
        yield findings_table(
            frame,
            mask,
            "url-host",
            CATALOGUE_RULES["url-host"],
            "webUrl",
            detail,
            "check the link on the certificate: use the issuer's verification page or the badge's address",
        )


def _unusual_validity(
    frame: pd.DataFrame, catalogue: Catalogue, titles: Mapping[str, tuple[Certification, str]],
    cells: DistinctColumns,
) -> Iterable[pd.DataFrame]:
    title = cells["displayName"]
    validity = [found[0].validity_months if (found := titles.get(u)) is not None else None
                for u in title.uniques]
    months = pd.Series(title.take([m or None for m in validity]), index=frame.index, dtype=object)
    since = frame["issuedDate"].fillna(frame["startDate"])
    end = frame["endDate"]
    expected = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[s]")
    for count in sorted(set(months.dropna().astype(int).tolist())):
        chosen = months == count
        expected[chosen] = (since[chosen] + pd.DateOffset(months=count)).astype("datetime64[s]")
    off = (end - expected).abs()
    mask = (off > pd.Timedelta(days=VALIDITY_SLACK_DAYS)) & (end >= since)
    if not mask.fillna(False).any():
        return
    chosen = mask.fillna(False)
    rows = frame.index[chosen.to_numpy(dtype=bool)]
    span = ((end[rows] - since[rows]).dt.days / 30.44).round().astype(int)
    detail = pd.Series(
        [
            f"valid {n} months ({a.date()} → {e.date()}); {t!r} is usually valid {int(m)} months"
            for n, a, e, t, m in zip(
                span, since[rows], end[rows], frame["displayName"][rows], months[rows], strict=True
            )
        ],
        index=rows,
        dtype=object,
    )
    fix = pd.Series(
        [f"check the end date on the certificate; usually {x.date()}" for x in expected[rows]],
        index=rows,
        dtype=object,
    )
    yield findings_table(
        frame,
        chosen,
        "unusual-validity",
        CATALOGUE_RULES["unusual-validity"],
        "endDate",
        detail.reindex(frame.index),
        fix.reindex(frame.index),
        _chosen_dates(expected, chosen),
    )


def _chosen_dates(dates: pd.Series, chosen: pd.Series) -> np.ndarray:
    """The chosen rows' dates as Timestamps, None elsewhere: a Timestamp per chosen row, not per row."""
    cells = np.full(len(dates), None, dtype=object)
    picked = chosen.to_numpy(dtype=bool)
    cells[picked] = dates[picked].astype(object).to_numpy()
    return cells


def catalogue_findings(
    frame: pd.DataFrame,
    catalogue: Catalogue,
    variants: Mapping[str, Mapping[str, tuple[str, str]]] | None = None,
    cells: DistinctColumns | None = None,
) -> Iterable[pd.DataFrame]:
    """Every rule of this module over `frame`, as findings tables (see `certnb.frame.findings`);
    `variants` are the issuer columns' spellings (`certnb.frame.spelling.spellings`) and `cells` the frame's
    columns factorised (`certnb.frame.distinct.DistinctColumns`), if made already."""
    columns = DistinctColumns(frame) if cells is None else cells
    if variants is None:
        variants = {field: spellings(columns[field], catalogue) for field in ISSUER_FIELDS}
    named = named_issuers(frame, catalogue, variants, columns)
    titles = _titles(frame, catalogue, columns)
    yield from _unknown_issuer(frame, catalogue, named, columns)
    yield from _title_rules(frame, titles, named, columns)
    yield from _url_host(frame, catalogue, named, columns)
    yield from _unusual_validity(frame, catalogue, titles, columns)
