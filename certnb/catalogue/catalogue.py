"""The reference catalogue: certification issuers (canonical name, aliases, web domains), well-known
certifications (title, issuers, exam codes, usual validity) and credential platforms (Credly, …).

The shipped catalogue is three CSV files in `certnb/catalogue/data/` (documented in
data/catalogue/README.md); `load_catalogue(issuers=..., certifications=..., platforms=...)` adds your own
files of the same columns on top: a row naming a known issuer or title adds its aliases, domains and exam
codes, and replaces its validity when it gives one; any other row is new.

    >>> catalogue = default_catalogue()
    >>> catalogue.exam("az104").title
    'Microsoft Certified: Azure Administrator Associate'
    >>> catalogue.issuer("(ISC)²").name, catalogue.issuer("Amazon AWS").name
    ('ISC2', 'Amazon Web Services')
    >>> catalogue.certification("Azure Administrator Associate").validity_months
    12
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from certnb.clusters.keys import fold, name_key
from certnb.errors import Unreadable

__all__ = [
    "Catalogue",
    "Certification",
    "Issuer",
    "default_catalogue",
    "exam_key",
    "load_catalogue",
    "title_key",
]

Source = str | Path | Iterable[Mapping[str, str]]

_COLUMNS = {
    "issuers": ("name", "aliases", "domains"),
    "certifications": ("title", "issuers", "exam_codes", "validity_months", "aliases"),
    "platforms": ("name", "domains"),
}


@dataclass(frozen=True)
class Issuer:
    """An issuer of certifications: its canonical `name`, other names it goes by, its web domains."""

    name: str
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class Certification:
    """A well-known certification: its canonical `title`, the issuers that award it (canonical names),
    its exam codes, how many months it is usually valid (None: it does not expire), other titles."""

    title: str
    issuers: tuple[str, ...]
    exam_codes: tuple[str, ...] = ()
    validity_months: int | None = None
    aliases: tuple[str, ...] = ()


def exam_key(text: str) -> str:
    """An exam code as compared: upper case, without spaces, dashes or dots ("az 104" ≈ "AZ-104").

    >>> exam_key(" az 104 "), exam_key("SAA-C03")
    ('AZ104', 'SAAC03')
    """
    return re.sub(r"[\s\-_.]", "", text).upper()


def title_key(text: str) -> str:
    """A title as compared: folded, punctuation and spaces gone, "–" and "-" alike.

    >>> title_key("AWS Certified Developer – Associate") == title_key("aws certified developer - associate")
    True
    """
    return re.sub(r"[^\w+]|_", "", fold(text))


@dataclass(frozen=True)
class Catalogue:
    """Issuers, certifications and credential platforms, with the look-ups the audit uses."""

    issuers: tuple[Issuer, ...] = ()
    certifications: tuple[Certification, ...] = ()
    platforms: tuple[Issuer, ...] = ()
    _index: dict[str, dict[str, object]] = field(default_factory=dict, compare=False, repr=False)

    def __repr__(self) -> str:
        return (
            f"<Catalogue: {len(self.issuers)} issuers, {len(self.certifications)} certifications, "
            f"{len(self.platforms)} credential platforms>"
        )

    def _lookup(self, kind: str) -> dict[str, object]:
        if kind not in self._index:
            table: dict[str, object] = {}
            if kind == "issuer":
                for issuer in self.issuers:
                    for spelling in (issuer.name, *issuer.aliases):
                        table.setdefault(name_key(spelling), issuer)
            elif kind == "title":
                for cert in self.certifications:
                    for spelling in (cert.title, *cert.aliases):
                        table.setdefault(title_key(spelling), cert)
            else:
                for cert in self.certifications:
                    for code in cert.exam_codes:
                        table.setdefault(exam_key(code), cert)
            self._index[kind] = table
        return self._index[kind]

    def issuer(self, spelling: str) -> Issuer | None:
        """The issuer `spelling` names (its canonical name or an alias, as `name_key` reads them)."""
        found = self._lookup("issuer").get(name_key(spelling))
        return found if isinstance(found, Issuer) else None

    def issuer_names(self) -> dict[str, str]:
        """`name_key` of every name and alias → the issuer's canonical name (what clustering takes as
        `known`)."""
        return {
            key: issuer.name for key, issuer in self._lookup("issuer").items() if isinstance(issuer, Issuer)
        }

    def certification(self, title: str) -> Certification | None:
        """The certification `title` names (its canonical title or an alias, as `title_key` reads them)."""
        found = self._lookup("title").get(title_key(title))
        return found if isinstance(found, Certification) else None

    def titles(self) -> dict[str, Certification]:
        """`title_key` of every title and alias → its certification."""
        return {k: v for k, v in self._lookup("title").items() if isinstance(v, Certification)}

    def exam(self, code: str) -> Certification | None:
        """The certification whose exam `code` this is (AZ-104, az104, SAA-C03, 200-301), or None."""
        found = self._lookup("exam").get(exam_key(code))
        return found if isinstance(found, Certification) else None

    def platform_domains(self) -> tuple[str, ...]:
        """The web domains of credential platforms, where any issuer's badges may live."""
        return tuple(d for p in self.platforms for d in p.domains)

    def extend(
        self,
        issuers: Source | None = None,
        certifications: Source | None = None,
        platforms: Source | None = None,
    ) -> Catalogue:
        """This catalogue with the rows of your own CSV files (or lists of dicts) added; see the module."""
        issuer_rows = list(_issuers(self.issuers, _read(issuers, "issuers")))
        cert_rows = list(_certifications(self.certifications, _read(certifications, "certifications")))
        platform_rows = list(_issuers(self.platforms, _read(platforms, "platforms")))
        known = {i.name for i in issuer_rows}
        for cert in cert_rows:
            unknown = [name for name in cert.issuers if name not in known]
            if unknown:
                raise Unreadable(
                    f"catalogue certification {cert.title!r}: issuer {unknown[0]!r} is not in the "
                    "issuers of the catalogue; add it to your issuers file (name,aliases,domains)"
                )
        return Catalogue(tuple(issuer_rows), tuple(cert_rows), tuple(platform_rows))


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (cell or "").split(";") if part.strip())


def _read(source: Source | None, kind: str) -> list[dict[str, str]]:
    if source is None:
        return []
    where = kind
    if isinstance(source, str | Path):
        where = str(source)
        try:
            text = Path(source).read_text(encoding="utf-8-sig")
        except OSError as error:
            raise Unreadable(f"catalogue {kind} file {where}: {error.strerror or error}") from None
        rows: list[dict[str, str]] = list(csv.DictReader(io.StringIO(text)))
    else:
        rows = [dict(row) for row in source]
    needed = _COLUMNS[kind][:1]
    for number, row in enumerate(rows, start=2):
        unknown = sorted(set(row) - set(_COLUMNS[kind]) - {None})
        if unknown:
            raise Unreadable(
                f"catalogue {kind} {where}, row {number}: unknown column {unknown[0]!r}; the "
                f"columns are {', '.join(_COLUMNS[kind])}"
            )
        if not (row.get(needed[0]) or "").strip():
            raise Unreadable(f"catalogue {kind} {where}, row {number}: {needed[0]!r} is empty")
        months = (row.get("validity_months") or "").strip()
        if months and not months.isdigit():
            raise Unreadable(
                f"catalogue {kind} {where}, row {number}: validity_months must be a whole number "
                f"of months (empty: it does not expire); got {months!r}"
            )
    return rows


def _merged(old: tuple[str, ...], new: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*old, *new)))


def _issuers(base: tuple[Issuer, ...], rows: list[dict[str, str]]) -> Iterable[Issuer]:
    by_name = {i.name: i for i in base}
    for row in rows:
        name = row["name"].strip()
        given = Issuer(name, _split(row.get("aliases")), _split(row.get("domains")))
        old = by_name.get(name)
        by_name[name] = (
            given
            if old is None
            else replace(
                old, aliases=_merged(old.aliases, given.aliases), domains=_merged(old.domains, given.domains)
            )
        )
    return by_name.values()


def _certifications(base: tuple[Certification, ...], rows: list[dict[str, str]]) -> Iterable[Certification]:
    by_title = {c.title: c for c in base}
    for row in rows:
        title = row["title"].strip()
        months = (row.get("validity_months") or "").strip()
        given = Certification(
            title,
            _split(row.get("issuers")),
            _split(row.get("exam_codes")),
            int(months) if months else None,
            _split(row.get("aliases")),
        )
        old = by_title.get(title)
        by_title[title] = (
            given
            if old is None
            else replace(
                old,
                issuers=_merged(old.issuers, given.issuers),
                exam_codes=_merged(old.exam_codes, given.exam_codes),
                validity_months=given.validity_months if months else old.validity_months,
                aliases=_merged(old.aliases, given.aliases),
            )
        )
    return by_title.values()


@functools.cache
def default_catalogue() -> Catalogue:
    """The catalogue shipped with certnb (package data, read once)."""
    folder = resources.files("certnb.catalogue") / "data"
    texts = {kind: (folder / f"{kind}.csv").read_text(encoding="utf-8") for kind in _COLUMNS}
    rows = {kind: list(csv.DictReader(io.StringIO(text))) for kind, text in texts.items()}
    return Catalogue().extend(rows["issuers"], rows["certifications"], rows["platforms"])


def load_catalogue(
    issuers: Source | None = None,
    certifications: Source | None = None,
    platforms: Source | None = None,
    *,
    base: Catalogue | None = None,
) -> Catalogue:
    """The shipped catalogue (or `base`) extended by your own CSV files of the same columns.

    >>> mine = load_catalogue(issuers=[{"name": "Contoso Academy", "domains": "academy.contoso.example"}])
    >>> mine.issuer("contoso academy").domains
    ('academy.contoso.example',)
    """
    return (base or default_catalogue()).extend(issuers, certifications, platforms)
