"""`df.certs`: the audit and its views as one pandas accessor namespace on certification frames.

Registered when `certnb.frame` is imported. It checks the frame's columns when first used and stores
nothing: every method reads the frame it is attached to and returns a new object. Staging is the layer
above the frame (`certnb.stage(df)`), so the accessor offers views only, never `stage`.

    >>> from certnb.frame.build import build_frame
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
    ...     {"id": "c1", "displayName": "AZ-104", "endDate": "2026-12-12", "certificationId": "X"}]}])
    >>> df.certs.expiring(days=30, asof="2026-11-30")["id"].tolist()
    ['c1']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from certnb.catalogue import Catalogue
from certnb.frame import audit as _audit
from certnb.frame import cluster_review as _cluster_review
from certnb.frame import findings as _findings
from certnb.frame import load as _load
from certnb.frame import owners as _owners
from certnb.frame import summary as _summary
from certnb.schema import LABELS, WRITABLE_COLUMNS


@pd.api.extensions.register_dataframe_accessor("certs")
class CertsAccessor:
    """Audit a certification frame: `expiring`, `expired`, `audit`, `fixes`, `clusters`, `summary`,
    `timeline`, `histogram`, `failures`, `owner`, `owned`.

    >>> import pandas as pd
    >>> pd.DataFrame({"a": [1]}).certs
    Traceback (most recent call last):
    ...
    AttributeError: df.certs needs a certification frame (certnb.load / build_frame); missing columns: ...
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        missing = [c for c in _audit.REQUIRED_COLUMNS if c not in frame.columns]
        if missing:
            # AttributeError, as pandas expects from an accessor that does not apply to this object.
            raise AttributeError(
                "df.certs needs a certification frame (certnb.load / build_frame); missing columns: "
                + ", ".join(missing)
            )
        self._frame = frame

    def expired(self, asof: object = None) -> pd.DataFrame:
        """Rows that ended before `asof` (default today), oldest first."""
        return _audit.expired(self._frame, asof)

    def expiring(self, days: int = 90, asof: object = None) -> pd.DataFrame:
        """Rows ending within `days` days of `asof` (default today), soonest first."""
        return _audit.expiring(self._frame, days, asof)

    def audit(self, asof: object = None, staged: Any = None, catalogue: Catalogue | None = None
              ) -> pd.DataFrame:
        """The findings table of every audit rule (see `certnb.frame.audit.RULES`); with `staged` (a
        `certnb.Staged`), staged edits of values another system owns are findings too; `catalogue` is the
        reference catalogue (default: the shipped one; `certnb.catalogue.load_catalogue` extends it)."""
        return _audit.audit(self._frame, asof, staged, catalogue)

    def clusters(self, field: str = "issuingAuthority", method: str = "default",
                 catalogue: Catalogue | None = None) -> _cluster_review.ClusterReview:
        """The clusters of `field`'s spellings (issuingCompany, issuingAuthority, displayName) to review:
        `.accept()`, `.rename(i, name)`, `.split(i, spellings)`, `.exclude(i, spelling)`, `.stage(staged)`.
        `method`: one of `certnb.clusters.METHODS`."""
        return _cluster_review.ClusterReview(self._frame, field, method, catalogue)

    @staticmethod
    def fixes(findings: pd.DataFrame) -> pd.DataFrame:
        """The findings' suggested values as a changes table: `staged.from_changes(df.certs.fixes(found))`."""
        return _findings.suggested_changes(findings)

    def owner(self, row: Any, field: str) -> tuple[str, ...]:
        """The systems owning `field` (a column or its label) of the row labelled `row`, by name: `()` when
        a person may edit it via Graph (the rule: `certnb.frame.owners`).

        >>> from certnb.frame.build import build_frame
        >>> df = build_frame([{"id": "u1", "certifications": [{"id": "c1", "sources": [
        ...     {"id": "7986c642-b494-4140-8df4-f5ed125e2c67", "properties": ["endDate"]}]}]}])
        >>> df.certs.owner(0, "Expires"), df.certs.owner(0, "displayName")
        (('Organizational Data in Microsoft 365',), ())
        """
        column = _column_of(field)
        if "sources" not in self._frame.columns:
            return ()
        cell = self._frame.loc[row, "sources"]
        if isinstance(cell, pd.Series):
            raise KeyError(f"the row label {row!r} names {len(cell)} rows; name one row")
        names = self._frame.attrs.get(_owners.PROFILE_SOURCES_ATTR)
        return _owners.owners(cell, column, names)

    def owned(self) -> pd.DataFrame:
        """Every value another system owns: person, certification, field, label and owning source, one row
        each (`certnb.frame.owners.OWNED_COLUMNS`)."""
        return _owners.owned_table(self._frame)

    def summary(self, by: str = "issuer", asof: object = None) -> pd.DataFrame:
        """Counts by `"issuer"`, `"month"` (of expiry) or `"user"`: held, valid, expiring, expired."""
        return _summary.summary(self._frame, by, asof)

    def failures(self) -> pd.DataFrame:
        """The users whose certifications could not be loaded into this frame (see `load_failures`)."""
        return _load.load_failures(self._frame)

    def timeline(self, asof: object = None, path: str | Path | None = None, **options: Any) -> Any:
        """A chart of each certification's validity span, one line per user (matplotlib Figure)."""
        from certnb.frame import plots as _plots  # matplotlib loads on first chart, not on import

        return _plots.timeline(self._frame, asof=asof, path=path, **options)

    def histogram(self, asof: object = None, path: str | Path | None = None, **options: Any) -> Any:
        """A bar chart of expiries per month (matplotlib Figure); saved as PNG when `path` is given."""
        from certnb.frame import plots as _plots

        return _plots.expiry_histogram(self._frame, asof=asof, path=path, **options)


def _column_of(field: str) -> str:
    """A column by its name or its label ("Expires" → endDate), or `KeyError` naming the fields."""
    if field in LABELS:
        return field
    by_label = {text.casefold(): column for column, text in LABELS.items()}
    if field.casefold() in by_label:
        return by_label[field.casefold()]
    raise KeyError(f"no certification field {field!r}; fields are: {', '.join(WRITABLE_COLUMNS)}")
