"""The scheduled audit behind `certnb audit`: sign in from the token cache, load, audit, write the reports.

Headless: it never shows a device code. Graph's profile API takes delegated sign-in only (contract §4), so
a scheduled run reuses the sign-in a person made earlier on the same machine (`certnb signin`, or
`certnb.connect(...)` in a notebook), silently renewed from MSAL's token cache; when that has lapsed it
stops with `SignInRequired`, saying how to renew it.

    run_audit(session, asof, out, fail_on)   → AuditRun: the summary, the files written, the exit status

Exit statuses (`EXIT_CODES`): 0 clean, 1 the `--fail-on` condition holds, 2 bad arguments or settings,
3 the cached sign-in is missing or has lapsed, 4 Graph or the network failed.

    >>> fails(summary={"expired": 2, "by_severity": {"error": 3}}, fail_on="expired")
    True
    >>> emulator_at("https://127.0.0.1:8443/7c1e", ca_file=None).authority
    'https://127.0.0.1:8443/7c1e'
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from certnb.emulator.signin_protocol import SignInProtocol
from certnb.errors import ConfigError, SignInRequired
from certnb.frame.audit import as_day, audit, expired, expiring
from certnb.frame.palette import EXPIRING_DAYS
from certnb.history import snapshot as keep
from certnb.reports import report

__all__ = ["EXIT_CODES", "FAIL_ON", "OUTPUT_FILES", "AuditRun", "emulator_at", "fails", "refuse_device_code",
           "run_audit", "summarise"]

EXIT_CODES: dict[int, str] = {
    0: "the audit ran and nothing the --fail-on rule names was found",
    1: "the --fail-on rule holds: expired certifications (expired) or error findings (error)",
    2: "bad arguments or settings (an unknown option, a bad --asof, a folder that cannot be written)",
    3: "no usable cached sign-in (none on this machine, or it has lapsed): sign in again, then rerun",
    4: "Graph or the network failed (throttled, unavailable, permission denied, unreachable)",
}
"""`certnb audit`'s exit statuses and what each means (the README lists them too)."""

FAIL_ON = ("expired", "error")

OUTPUT_FILES = ("report.html", "report.xlsx", "summary.json")
"""What a run writes into `--out` (replacing an earlier run's)."""


@dataclass(frozen=True)
class AuditRun:
    """One scheduled audit: its summary (`summary.json`), the files it wrote, and its exit status."""

    summary: dict[str, Any]
    files: tuple[Path, ...]
    status: int
    notes: list[str] = field(default_factory=list)


def emulator_at(url: str, ca_file: str | None) -> SignInProtocol:
    """The sign-in protocol of an emulator known by URL: `https://host:port/<tenant id or domain>`."""
    parts = urlsplit(url)
    tenant = parts.path.strip("/").split("/")[0] if parts.path.strip("/") else "organizations"
    return SignInProtocol(url=f"{parts.scheme}://{parts.netloc}", tenant_id=tenant, ca_file=ca_file,
                          device_code_auto_approve=False)


def refuse_device_code(tenant: str, cache: Path, renew: str) -> Any:
    """An `on_device_code` that refuses: a headless run reaching the device code has no usable sign-in."""

    def refuse(flow: Mapping[str, Any]) -> None:
        raise SignInRequired(
            f"no usable cached sign-in for {tenant} in {cache}: it has lapsed, or nobody signed in on this "
            f"machine yet. Renew it interactively: run `{renew}` (or certnb.connect(tenant=..., "
            "client_id=..., all_users=True) in a notebook), then run the audit again."
        )

    return refuse


def summarise(frame: pd.DataFrame, findings: pd.DataFrame, *, tenant: str, asof: object,
              account: str | None) -> dict[str, Any]:
    """The numbers of one audit as `summary.json` holds them (plain JSON types)."""
    day = as_day(asof)
    by_rule = findings["rule"].value_counts().sort_index() if len(findings) else pd.Series(dtype="int64")
    by_severity = findings["severity"].value_counts() if len(findings) else pd.Series(dtype="int64")
    return {
        "tenant": tenant,
        "asof": day.date().isoformat(),
        "account": account,
        "people": int(frame["userId"].nunique()) if len(frame) else 0,
        "certifications": len(frame),
        "expired": len(expired(frame, day)),
        f"expiring_{EXPIRING_DAYS}": len(expiring(frame, EXPIRING_DAYS, day)),
        "findings": len(findings),
        "by_severity": {s: int(by_severity.get(s, 0)) for s in ("error", "warning", "info")},
        "by_rule": {str(rule): int(n) for rule, n in by_rule.items()},
    }


def fails(summary: Mapping[str, Any], fail_on: str | None) -> bool:
    """Whether the `--fail-on` rule holds for a run's summary."""
    if fail_on is None:
        return False
    if fail_on == "expired":
        return bool(summary["expired"])
    if fail_on == "error":
        return bool(summary["by_severity"]["error"])
    raise ConfigError("fail_on", fail_on, f"one of {', '.join(FAIL_ON)}")


def run_audit(session: Any, asof: object, out: str | Path, *, tenant: str,
              fail_on: str | None = None, snapshot: str | Path | None = None) -> AuditRun:
    """Load every certification through `session`, audit them as of `asof`, and write `OUTPUT_FILES`;
    with `snapshot`, also keep the run there for `certnb.history` (a folder, or a file ending .duckdb)."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    frame = session.load(users="all", progress=False)
    findings = audit(frame, asof)
    summary = summarise(frame, findings, tenant=tenant, asof=asof, account=session.account)
    files = [report(frame, findings, path=folder / name, asof=asof, tenant=tenant, account=session.account)
             for name in ("report.html", "report.xlsx")]
    summary["fail_on"] = fail_on
    summary["failed"] = fails(summary, fail_on)
    summary_path = folder / "summary.json"
    summary_path.write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    files.append(summary_path)
    if snapshot is not None:  # the findings go with it, so the history need not audit this run again
        kept = keep(frame, snapshot, tenant=tenant, account=session.account, asof=asof, findings=findings)
        summary["snapshot"] = {"path": str(snapshot), "id": kept.id}
        summary_path.write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return AuditRun(summary, tuple(files), 1 if summary["failed"] else 0)
