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
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import OSA

from certnb.catalogue import Catalogue, Certification, title_key
from certnb.clusters import name_key, same_name
from certnb.frame.distinct import per_distinct
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


def _distinct(column: pd.Series) -> list[str]:
    values = column.dropna().astype(str)
    return [v for v in values.unique().tolist() if v.strip()]


def _issuer_of(spelling: str, catalogue: Catalogue, variants: Mapping[str, tuple[str, str]]) -> str | None:
    """The catalogue issuer a spelling names: directly, or through its cluster's canonical spelling."""
    found = catalogue.issuer(spelling)
    if found is None and spelling in variants:
        found = catalogue.issuer(variants[spelling][0])
    return None if found is None else found.name


Named = dict[str, tuple[dict[str, str], pd.Series]]
"""Per issuer column: each distinct spelling → the catalogue issuer it names ("" if none), and that name
per row."""


def named_issuers(
    frame: pd.DataFrame, catalogue: Catalogue, variants: Mapping[str, Mapping[str, tuple[str, str]]]
) -> Named:
    """The catalogue issuer each issuer cell names, resolved once per distinct spelling (see `Named`)."""
    named: Named = {}
    for field in ISSUER_FIELDS:
        column = frame[field].astype("string")
        names = {s: _issuer_of(s, catalogue, variants[field]) or "" for s in _distinct(column)}
        named[field] = (names, column.astype(object).map(names).astype(object).fillna(""))
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


def _unknown_issuer(frame: pd.DataFrame, catalogue: Catalogue, named: Named) -> Iterable[pd.DataFrame]:
    for field in ISSUER_FIELDS:
        column = frame[field].astype("string")
        strangers = [s for s, name in named[field][0].items() if not name]
        unknown = _typo_issuers(strangers, catalogue)
        if not unknown:
            continue
        plain = column.astype(object)
        detail = {
            s: f"{s!r} is not in the catalogue of issuers"
            + (f"; it looks like a typo of {near!r}" if near else "")
            for s, near in unknown.items()
        }
        fix = {
            s: f"use {near!r}"
            if near
            else "check the name with the certificate; if it is right, add the "
            "issuer to your catalogue (certnb.catalogue.load_catalogue(issuers=...))"
            for s, near in unknown.items()
        }
        yield findings_table(
            frame,
            plain.isin(list(unknown)),
            "unknown-issuer",
            CATALOGUE_RULES["unknown-issuer"],
            field,
            plain.map(detail),
            plain.map(fix),
            plain.map(unknown),
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


def _titles(frame: pd.DataFrame, catalogue: Catalogue) -> dict[str, tuple[Certification, str]]:
    found = {}
    for title in _distinct(frame["displayName"]):
        cert, how = certification_of(title, catalogue)
        if cert is not None:
            found[title] = (cert, how)
    return found


def _title_rules(
    frame: pd.DataFrame, titles: Mapping[str, tuple[Certification, str]], named: Named
) -> Iterable[pd.DataFrame]:
    plain = frame["displayName"].astype(object)
    renamed = {t: c for t, (c, how) in titles.items() if how in ("alias", "typo")}
    if renamed:
        yield findings_table(
            frame,
            plain.isin(list(renamed)),
            "title-catalogue",
            CATALOGUE_RULES["title-catalogue"],
            "displayName",
            plain.map(
                {
                    t: f"{t!r} is {'another name' if titles[t][1] == 'alias' else 'a misspelling'} of the "
                    f"catalogue's {c.title!r}"
                    for t, c in renamed.items()
                }
            ),
            plain.map({t: f"use {c.title!r}" for t, c in renamed.items()}),
            plain.map({t: c.title for t, c in renamed.items()}),
        )
    codes = {t: c for t, (c, how) in titles.items() if how == "exam code"}
    if codes:
        # Only where the row's issuer awards that exam: "200-301" alone could be anything; with Cisco, CCNA.
        keys = pd.DataFrame(
            {"t": plain.fillna(""), "a": named["issuingAuthority"][1], "c": named["issuingCompany"][1]}
        )
        rows = []
        for title, authority, company in keys[keys["t"].isin(list(codes))].drop_duplicates().itertuples(
            index=False
        ):
            cert = codes[title]
            if {authority, company} & set(cert.issuers):
                rows.append(
                    (
                        title,
                        authority,
                        company,
                        f"{title!r} is the exam code of {cert.title!r}, not a title",
                        f"use {cert.title!r}",
                        cert.title,
                    )
                )
        if rows:
            found = _lookup(keys, rows, ["detail", "fix", "suggested"])
            yield findings_table(
                frame,
                found["suggested"].notna(),
                "exam-code-title",
                CATALOGUE_RULES["exam-code-title"],
                "displayName",
                found["detail"],
                found["fix"],
                found["suggested"],
            )
    # The issuing authority of a known certification, when it names another catalogue issuer.
    authority = frame["issuingAuthority"].astype("string")
    names = named["issuingAuthority"][0]
    keys = pd.DataFrame({"t": plain.fillna(""), "a": authority.fillna("").astype(object)})
    known = keys[keys["t"].isin(list(titles)) & (keys["a"] != "")]
    wrong = []
    for title, spelled in known.drop_duplicates().itertuples(index=False):
        cert = titles[title][0]
        issuer = names.get(spelled, "")
        if issuer and issuer not in cert.issuers:
            wrong.append(
                (
                    title,
                    spelled,
                    f"{title!r} is awarded by {', '.join(cert.issuers)}, not {spelled!r}",
                    f"use {cert.issuers[0]!r}",
                    cert.issuers[0],
                )
            )
    if wrong:
        found = _lookup(keys, wrong, ["detail", "fix", "suggested"])
        yield findings_table(
            frame,
            found["suggested"].notna(),
            "title-catalogue",
            CATALOGUE_RULES["title-catalogue"],
            "issuingAuthority",
            found["detail"],
            found["fix"],
            found["suggested"],
        )


def _lookup(keys: pd.DataFrame, rows: list[tuple[Any, ...]], names: list[str]) -> pd.DataFrame:
    """`keys` (one row per frame row) joined with `rows` (key columns, then `names`), aligned with `keys`."""
    table = pd.DataFrame(rows, columns=[*keys.columns, *names])
    joined = keys.merge(table, how="left", on=list(keys.columns))  # a left merge keeps the left order
    joined.index = keys.index
    return joined[names].astype(object).where(joined[names].notna(), None)


_HOST = re.compile(r"https?://(?:www\.)?([^/:?#\s]+)", re.IGNORECASE)


def _hosts(frame: pd.DataFrame) -> pd.Series:
    """Each row's webUrl host, lower case, without "www." ("" when it is no absolute http(s) URL)."""
    # Each distinct link once: several times quicker than .str.extract on a "string" column.
    return pd.Series(per_distinct(frame["webUrl"], _host, missing=""), index=frame.index, dtype=object)


def _host(url: Any) -> str:
    found = _HOST.match(url) if isinstance(url, str) else None
    return found.group(1).lower() if found else ""


def _url_host(frame: pd.DataFrame, catalogue: Catalogue, named: Named) -> Iterable[pd.DataFrame]:
    platforms = catalogue.platform_domains()
    keys = pd.DataFrame(
        {"h": _hosts(frame), "a": named["issuingAuthority"][1], "c": named["issuingCompany"][1]}
    )
    wrong = []
    for host, authority, company in keys[keys["h"] != ""].drop_duplicates().itertuples(index=False):
        names = [authority, company]  # hosts of rows without an absolute http(s) URL: the bad-url rule
        known = [
            i for i in (catalogue.issuer(n) for n in dict.fromkeys(n for n in names if n)) if i is not None
        ]
        domains = tuple(d for issuer in known for d in issuer.domains)
        if domains and not any(host == d or host.endswith("." + d) for d in (*domains, *platforms)):
            who = " and ".join(i.name for i in known)
            wrong.append(
                (
                    host,
                    authority,
                    company,
                    f"{host} is none of {who}'s sites ({', '.join(domains)}) nor a credential platform's",
                )
            )
    if wrong:
        found = _lookup(keys, wrong, ["detail"])
        yield findings_table(
            frame,
            found["detail"].notna(),
            "url-host",
            CATALOGUE_RULES["url-host"],
            "webUrl",
            found["detail"],
            "check the link on the certificate: use the issuer's verification page or the badge's address",
        )


def _unusual_validity(
    frame: pd.DataFrame, catalogue: Catalogue, titles: Mapping[str, tuple[Certification, str]]
) -> Iterable[pd.DataFrame]:
    months = (
        frame["displayName"]
        .astype(object)
        .map({t: c.validity_months for t, (c, _) in titles.items() if c.validity_months})
    )
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
        expected.astype(object).where(chosen, None),
    )


def catalogue_findings(
    frame: pd.DataFrame,
    catalogue: Catalogue,
    variants: Mapping[str, Mapping[str, tuple[str, str]]] | None = None,
) -> Iterable[pd.DataFrame]:
    """Every rule of this module over `frame`, as findings tables (see `certnb.frame.findings`);
    `variants` are the issuer columns' spellings (`certnb.frame.spelling.spellings`) if known already."""
    if variants is None:
        variants = {field: spellings(frame[field].astype("string"), catalogue) for field in ISSUER_FIELDS}
    named = named_issuers(frame, catalogue, variants)
    titles = _titles(frame, catalogue)
    yield from _unknown_issuer(frame, catalogue, named)
    yield from _title_rules(frame, titles, named)
    yield from _url_host(frame, catalogue, named)
    yield from _unusual_validity(frame, catalogue, titles)
