"""The certification audit: rules over a certification frame, giving one findings table.

Every rule is a pure function of the frame and `asof` (the day the audit is for), so the same frame and the
same `asof` always give the same findings, sorted the same way.

    >>> import json
    >>> from certnb.frame.build import build_frame
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
    ...     {"id": "c1", "displayName": "AZ-104", "endDate": "2026-06-30", "certificationId": "X1"}]}])
    >>> audit(df, asof="2026-11-30")[["rule", "severity", "id"]].values.tolist()
    [['expired', 'error', 'c1']]

Rules (`RULES`): expired; expiring within 30, 60 or 90 days; a missing end date where most other holders
of the same certification have one; end before start or issue date; start after issue date; the same
certification twice for one user; an issuer spelled several ways (clustered: certnb.frame.spelling); from
the reference catalogue (certnb.frame.catalogue_rules): an unknown issuer, a title that is another name of a
catalogue title or awarded by another issuer, an exam code as the title, a `webUrl` on none of the issuer's
sites, an end date unusual for the certification's validity; a missing certificationId; URLs that are not
absolute http(s) URLs; and, where items carry `sources`, the same certification from two sources with
different values, and a suggested or staged fix of a value another system owns (`certnb.frame.owner_rules`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd
from pandas._libs import lib

from certnb.catalogue import Catalogue, default_catalogue
from certnb.frame.catalogue_rules import CATALOGUE_RULES, catalogue_findings
from certnb.frame.distinct import per_distinct
from certnb.frame.findings import COLUMNS as FINDING_TABLE_COLUMNS
from certnb.frame.findings import findings_table
from certnb.frame.owner_rules import OWNER_RULES, disagreeing_sources, owned_suggestions, staged_owned_fixes
from certnb.frame.owners import Ownership
from certnb.frame.spelling import ISSUER_FIELDS, issuer_spelling, spellings
from certnb.schema import FIELDS_BY_COLUMN

FINDING_COLUMNS: tuple[str, ...] = FINDING_TABLE_COLUMNS
"""Columns of the findings table: `field`/`value` name the cell at fault, `suggested` a value to stage."""

RULES: dict[str, str] = {
    "expired": "error",
    "expiring-30": "warning",
    "expiring-60": "warning",
    "expiring-90": "info",
    "missing-end-date": "warning",
    "end-before-start": "error",
    "end-before-issue": "error",
    "start-after-issue": "error",
    "duplicate": "warning",
    "issuer-spelling": "info",
    **CATALOGUE_RULES,
    "missing-certification-id": "warning",
    "bad-url": "error",
    **OWNER_RULES,
}
"""Rule name → severity (`error`, `warning`, `info`), in report order."""

SEVERITY_ORDER = ("error", "warning", "info")

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

REQUIRED_COLUMNS: tuple[str, ...] = (
    "userId",
    "userPrincipalName",
    "id",
    "displayName",
    "issuingCompany",
    "issuingAuthority",
    "certificationId",
    "issuedDate",
    "startDate",
    "endDate",
    "webUrl",
    "thumbnailUrl",
)
"""The columns the audit reads; `certnb.frame.accessor` checks for them."""


def as_day(asof: object = None) -> pd.Timestamp:
    """The audit day as a midnight Timestamp: `asof` (a date, Timestamp or 'YYYY-MM-DD'), default today.

    >>> as_day("2026-11-30")
    Timestamp('2026-11-30 00:00:00')
    """
    if asof is None:
        return pd.Timestamp(dt.date.today())
    try:
        day = pd.Timestamp(asof)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"asof must be a date such as '2026-11-30'; got {asof!r}") from None
    if day.tz is not None:
        day = day.tz_localize(None)
    return day.normalize().as_unit("s")


DATE_COLUMNS = ("issuedDate", "startDate", "endDate")


def with_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its date columns as datetimes (a frame built by hand may hold text or objects).

    >>> with_dates(pd.DataFrame({"endDate": ["2026-06-30"]}))["endDate"].dtype
    dtype('<M8[s]')
    """
    untyped = [c for c in DATE_COLUMNS if c in frame and not pd.api.types.is_datetime64_dtype(frame[c])]
    if not untyped:
        return frame
    try:
        return frame.assign(
            **{c: pd.to_datetime(frame[c], format="ISO8601").astype("datetime64[s]") for c in untyped}
        )
    except (TypeError, ValueError) as refusal:
        raise ValueError(f"date columns must hold dates ('YYYY-MM-DD'); {refusal}") from None


def expired(frame: pd.DataFrame, asof: object = None) -> pd.DataFrame:
    """Rows whose `endDate` is before `asof` (a certification is valid through its end date), by end date.

    >>> ends = pd.DataFrame({"endDate": pd.to_datetime(["2026-01-01", "2027-01-01"])})
    >>> expired(ends, "2026-11-30").index.tolist()
    [0]
    """
    day = as_day(asof)
    end = with_dates(frame)["endDate"]
    chosen = end < day
    return frame[chosen].iloc[end[chosen].argsort(kind="stable")]


def expiring(frame: pd.DataFrame, days: int = 90, asof: object = None) -> pd.DataFrame:
    """Rows whose `endDate` falls within `days` days from `asof` (inclusive), soonest first.

    >>> ends = pd.DataFrame({"endDate": pd.to_datetime(["2026-12-12", "2027-06-01"])})
    >>> expiring(ends, 30, "2026-11-30").index.tolist()
    [0]
    """
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        raise ValueError(f"days must be a whole number of days, 0 or more; got {days!r}")
    day = as_day(asof)
    end = with_dates(frame)["endDate"]
    chosen = (end >= day) & (end <= day + pd.Timedelta(days=days))
    return frame[chosen].iloc[end[chosen].argsort(kind="stable")]


def audit(frame: pd.DataFrame, asof: object = None, staged: Any = None,
          catalogue: Catalogue | None = None) -> pd.DataFrame:
    """Every rule over `frame`, as a findings table (`FINDING_COLUMNS`), sorted by severity, rule and user.

    `staged` (a `certnb.Staged`, or a table with userId, id, field, after) adds an `owned-fix` finding for
    each staged edit of a value another system owns. `catalogue` is the reference catalogue the issuer and
    title rules use (default: the shipped one, `certnb.catalogue.load_catalogue(...)` extends it with your
    own files).

    >>> audit(pd.DataFrame(columns=list(REQUIRED_COLUMNS)), "2026-11-30").empty
    True
    """
    day = as_day(asof)
    frame = with_dates(frame)
    chosen = default_catalogue() if catalogue is None else catalogue
    findings: list[dict[str, Any]] = []
    tables: list[pd.DataFrame] = []
    keys = duplicate_keys(frame)
    shared = shared_certifications(frame, keys)
    for found in chain(_expiry(frame, day), _missing_end(frame, day), _date_order(frame, day),
                       _duplicates(frame, shared), _certification_id(frame, day), _urls(frame, day)):
        if isinstance(found, pd.DataFrame):
            tables.append(found)
        else:
            findings.append(found)
    ownership = Ownership(frame)
    if "sources" in frame.columns:
        findings.extend(disagreeing_sources(frame, keys, ownership, shared))
    tables = [_as_records([*tables, pd.DataFrame(findings, columns=list(FINDING_COLUMNS))])]
    variants = {field: spellings(frame[field].astype("string"), chosen) for field in ISSUER_FIELDS}
    tables += [t for t in issuer_spelling(frame, chosen, RULES["issuer-spelling"], variants) if len(t)]
    tables += [t for t in catalogue_findings(frame, chosen, variants) if len(t)]
    tables = [t for t in tables if len(t)] or tables[:1]
    table = tables[0] if len(tables) == 1 else pd.concat(tables, ignore_index=True)
    if "sources" in frame.columns:
        table = _with_owned_fixes(frame, table, staged, ownership)
    if table.empty:
        return table.astype({c: "string" for c in FINDING_COLUMNS if c not in ("value", "suggested")})
    rank = {rule: i for i, rule in enumerate(RULES)}
    table["_rank"] = table["rule"].map(rank)
    table["_severity"] = table["severity"].map({s: i for i, s in enumerate(SEVERITY_ORDER)})
    table = table.sort_values(["_severity", "_rank", "userPrincipalName", "id", "field"], kind="stable")
    table = table.drop(columns=["_rank", "_severity"]).reset_index(drop=True)
    return table.astype({c: "string" for c in FINDING_COLUMNS if c not in ("value", "suggested")})


def _with_owned_fixes(frame: pd.DataFrame, table: pd.DataFrame, staged: Any, ownership: Ownership
                      ) -> pd.DataFrame:
    """`table` with an `owned-fix` finding for each suggestion (and staged edit) on a value another system
    owns, and those suggestions' `fix` saying where to fix it instead (`certnb.frame.owner_rules`)."""
    if not ownership:
        return table
    table, owned = owned_suggestions(table, ownership)
    edits = list(staged_owned_fixes(frame, staged, ownership))
    tables = [table, _typed_like_records(owned.astype(object)),
              pd.DataFrame(edits, columns=list(FINDING_COLUMNS))]
    if not len(owned) and not edits:
        return table
    return pd.concat([t for t in tables if len(t)], ignore_index=True)


def _as_records(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """The column-wise rules' tables as one, its `value` and `suggested` typed as a table made from one
    record per finding would type them (a column of dates alone becomes datetimes, NaT where empty): the
    findings stay what they were when these rules made a dict per finding."""
    found = [t for t in tables if len(t)]
    if not found:
        return pd.DataFrame(columns=list(FINDING_COLUMNS))
    table = found[0] if len(found) == 1 else pd.concat(found, ignore_index=True)
    return _typed_like_records(table.astype(object))


def _typed_like_records(table: pd.DataFrame) -> pd.DataFrame:
    # The two conversions pandas applies to a column of a table made from records (DataFrame(list of
    # dicts): pandas.core.internals.construction.convert_object_array), without making the records.
    for column in ("value", "suggested"):
        # Every missing cell as None first, as those rules wrote it (a column-wise table may hold NaT).
        cells = table[column].to_numpy(dtype=object, copy=True)
        cells[pd.isna(cells)] = None
        cells = lib.maybe_convert_objects(cells)  # type: ignore[attr-defined]
        if cells.dtype == np.dtype("O"):
            cells = lib.maybe_convert_objects(  # type: ignore[attr-defined]
                cells, convert_numeric=False, convert_non_numeric=True,
                                              dtype_if_all_nat=np.dtype("M8[s]"))
        table[column] = cells
    return table


def _finding(row: Any, rule: str, field: str, detail: str, fix: str, suggested: Any = None) -> dict[str, Any]:
    value = getattr(row, field, None) if field.isidentifier() else None
    return {
        "rule": rule,
        "severity": RULES[rule],
        "userId": row.userId,
        "userPrincipalName": row.userPrincipalName,
        "id": row.id,
        "displayName": row.displayName,
        "field": field,
        "value": _cell(value),
        "detail": detail,
        "fix": fix,
        "suggested": suggested,
    }


def _cell(value: Any) -> Any:
    return None if value is None or value is pd.NA or value is pd.NaT else value


def _rows(frame: pd.DataFrame, mask: Any) -> Iterable[Any]:
    rows: Iterable[Any] = frame.loc[mask, list(REQUIRED_COLUMNS)].itertuples(index=False)
    return rows


def _date(value: Any) -> str:
    return "—" if pd.isna(value) else pd.Timestamp(value).date().isoformat()


def _days(dates: pd.Series) -> list[str]:
    """Each date as 'YYYY-MM-DD' ('—' where missing), without a Timestamp per cell."""
    text = np.datetime_as_string(dates.to_numpy(dtype="datetime64[s]"), unit="D")
    return ["—" if t == "NaT" else t for t in text.tolist()]


def _expiry(frame: pd.DataFrame, day: pd.Timestamp) -> Iterable[pd.DataFrame]:
    left = (frame["endDate"] - day).dt.days
    today = _date(day)
    mask = (left.notna() & (left < 0)).to_numpy(dtype=bool)
    ends, gone = _days(frame["endDate"][mask]), left[mask].astype(int).tolist()
    yield _table(frame, mask, "expired", "endDate",
                 [f"expired on {e}, {-d} days before {today}" for e, d in zip(ends, gone, strict=True)],
                 "renew it and record the new end date, or remove it if it lapsed")
    for low, high in ((0, 30), (31, 60), (61, 90)):
        mask = (left.notna() & (left >= low) & (left <= high)).to_numpy(dtype=bool)
        ends, soon = _days(frame["endDate"][mask]), left[mask].astype(int).tolist()
        yield _table(frame, mask, f"expiring-{high}", "endDate",
                     [f"expires on {e}, in {d} days from {today}" for e, d in zip(ends, soon, strict=True)],
                     "plan the renewal before the end date")


def _table(frame: pd.DataFrame, mask: Any, rule: str, field: str, detail: Any, fix: Any,
           suggested: Any = None) -> pd.DataFrame:
    """`findings_table` where `detail`, `fix` and `suggested` may be lists: one cell per chosen row."""
    chosen = np.asarray(mask, dtype=bool)
    return findings_table(frame, chosen, rule, RULES[rule], field, _spread(detail, chosen, frame.index),
                          _spread(fix, chosen, frame.index), _spread(suggested, chosen, frame.index))


def _spread(values: Any, chosen: Any, index: pd.Index) -> Any:
    if not isinstance(values, list):
        return values
    cells = np.full(len(index), None, dtype=object)
    cells[chosen] = values
    return pd.Series(cells, index=index, dtype=object)


def _title_key(frame: pd.DataFrame) -> pd.Series:
    titles = frame["displayName"].astype("string")
    keys = per_distinct(titles, lambda t: t.strip().casefold(), missing="")
    return pd.Series(pd.array(keys, dtype="string"), index=frame.index)


def _missing_end(frame: pd.DataFrame, day: pd.Timestamp) -> Iterable[pd.DataFrame]:
    # A certification that never expires (ITIL, PSM) has no end date for everyone; only a missing end date
    # where most other holders of the same title have one is a finding.
    title = _title_key(frame)
    has_end = frame["endDate"].notna()
    # As whole numbers even for an empty frame, where `map` keeps the titles' string dtype (which cannot
    # subtract where pandas stores strings with pyarrow).
    holders = title.map(title.value_counts()).fillna(0).astype("int64")
    with_end = title.map(title[has_end].value_counts()).fillna(0).astype("int64")
    mask = ~has_end & (title != "") & (with_end * 2 > holders - 1) & (with_end > 0)
    validity = (frame["endDate"] - frame["issuedDate"]).where(has_end)
    typical = validity.groupby(title).median()
    chosen = mask.to_numpy(dtype=bool)
    usual = title[chosen].astype(object).map(typical).tolist() if chosen.any() else []
    issued = frame["issuedDate"][chosen].tolist()
    names = frame["displayName"][chosen].astype(object).tolist()
    spans = pd.Series(usual, dtype="timedelta64[s]")
    ends = (pd.Series(issued, dtype="datetime64[s]") + spans).dt.normalize()
    suggested: list[Any] = [None if pd.isna(e) else e for e in ends.tolist()]
    days = spans.dt.days.tolist()
    fixes = [f"set endDate (issued {a} + the usual {int(d)} days: {e})" if s is not None
             else "set endDate from the issuer's record"
             for a, d, e, s in zip(_days(pd.Series(issued, dtype="datetime64[s]")), days, _days(ends),
                                   suggested, strict=True)]
    yield _table(frame, chosen, "missing-end-date", "endDate",
                 [f"no end date, although other holders of {n!r} have one" for n in names],
                 fixes, suggested)


def _date_order(frame: pd.DataFrame, day: pd.Timestamp) -> Iterable[pd.DataFrame]:
    checks = (
        ("end-before-start", "endDate", "startDate", frame["endDate"] < frame["startDate"]),
        ("end-before-issue", "endDate", "issuedDate", frame["endDate"] < frame["issuedDate"]),
        ("start-after-issue", "startDate", "issuedDate", frame["startDate"] > frame["issuedDate"]),
    )
    for rule, field, other, mask in checks:
        chosen = mask.fillna(False).to_numpy(dtype=bool)
        mine, theirs = _days(frame[field][chosen]), _days(frame[other][chosen])
        yield _table(frame, chosen, rule, field,
                     [f"{field} {a} vs {other} {b}" for a, b in zip(mine, theirs, strict=True)],
                     "check both dates with the issuer; one was mistyped (often the year)")


def duplicate_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """What makes two certifications of one person the same one (the "duplicate" rule): the same `title`
    (trimmed, casefolded) or the same `reference` (the certificationId, trimmed); "" where there is none.

    >>> two = pd.DataFrame({"displayName": [" AZ-104", None], "certificationId": ["X1 ", None]})
    >>> duplicate_keys(two).values.tolist()
    [['az-104', 'X1'], ['', '']]
    """
    references = frame["certificationId"].astype("string")
    references = pd.Series(pd.array(per_distinct(references, str.strip, missing=""), dtype="string"),
                           index=frame.index)
    return pd.DataFrame({"title": _title_key(frame), "reference": references}, index=frame.index)


def shared_certifications(frame: pd.DataFrame, keys: pd.DataFrame) -> Any:
    """Per row: does another row of the same person have the same title or reference (`duplicate_keys`)?

    Compared as integer codes (person × key), one hash pass each, not as pairs of strings.

    >>> two = pd.DataFrame({"userId": ["u1", "u1", "u2"], "displayName": ["PMP", "pmp ", "PMP"],
    ...                     "certificationId": [None, None, None]})
    >>> shared_certifications(two, duplicate_keys(two)).tolist()
    [True, True, False]
    """
    people = pd.factorize(frame["userId"], use_na_sentinel=False)[0].astype(np.int64)
    shared = np.zeros(len(frame), dtype=bool)
    for kind in ("title", "reference"):
        key = keys[kind]
        codes, uniques = pd.factorize(key, use_na_sentinel=False)
        pair = pd.Series(people * max(len(uniques), 1) + codes.astype(np.int64))
        shared |= pair.duplicated(keep=False).to_numpy() & (key != "").to_numpy(dtype=bool)
    return shared


def _duplicates(frame: pd.DataFrame, shared: Any) -> Iterable[pd.DataFrame]:
    chosen = np.asarray(shared, dtype=bool)
    names = frame["displayName"][chosen].astype(object).tolist()
    people = frame["userPrincipalName"][chosen].astype(object).tolist()
    yield _table(frame, chosen, "duplicate", "id",
                 [f"{n!r} appears more than once for {p}" for n, p in zip(names, people, strict=True)],
                 "keep one entry and delete the others")


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
    column = pd.Series([n for n in names if isinstance(n, str) and n.strip()], dtype="string")
    preferred = {str(s): str(s) for s in column.unique()}
    variants = spellings(column, catalogue or default_catalogue())
    preferred.update((s, best) for s, (best, _) in variants.items())
    return preferred


def _certification_id(frame: pd.DataFrame, day: pd.Timestamp) -> Iterable[pd.DataFrame]:
    blank = per_distinct(frame["certificationId"], lambda r: isinstance(r, str) and r.strip() == "",
                         missing=True)
    yield _table(frame, np.array(blank, dtype=bool), "missing-certification-id", "certificationId",
                 "no certificationId (the issuer's reference), so the credential cannot be verified",
                 "copy the credential id from the issuer's certificate or badge")


# Plainly valid URLs (printable ASCII, http(s), a host name) pass without a call per row; only the others
# are checked one by one with the field's own validator, which words the finding.
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?(?:[/?#][!-~]*)?")


def _urls(frame: pd.DataFrame, day: pd.Timestamp) -> Iterable[pd.DataFrame]:
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
        verdicts = per_distinct(frame[field], judged)
        chosen = np.array([v is not None for v in verdicts], dtype=bool)
        found = [v for v in verdicts if v is not None]
        yield _table(frame, chosen, "bad-url", field, [v[0] for v in found], [v[1] for v in found],
                     [v[2] for v in found])
