"""`certnb demo`: the whole product in one run against the embedded emulator, ending in an HTML report.

Start the emulator with the sample tenant → sign in through MSAL → load every certification → audit →
stage a bulk correction (issuer spellings, a year more for one issuer's expiring certifications) → dry run →
commit → read the changes back → write `report.html` and `report.xlsx` (`certnb.report`, certnb/reports/),
`summary.json` (the numbers) and `tenant-after.json` (the emulator's state after the commit) into the
output folder. Loopback only; a few seconds.

    >>> result = run_demo("certnb-demo")                                # doctest: +SKIP
    >>> result.report                                                   # doctest: +SKIP
    PosixPath('certnb-demo/report.html')
    >>> result.summary["outcomes"]                                     # doctest: +SKIP
    {'applied': 20}
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from certnb.commit.outcome import DONE
from certnb.commit.plan import CommitPlan
from certnb.commit.result import CommitResult
from certnb.demo.correction import Correction, stage_correction
from certnb.frame.audit import audit, expired, expiring
from certnb.graph.urls import certifications_path
from certnb.reports import report as write_report
from certnb.staging import Edit, stage

__all__ = ["DEFAULT_ASOF", "DEFAULT_OUT", "OUTPUT_FILES", "DemoResult", "run_demo"]

DEFAULT_ASOF = "2026-11-30"
"""The sample tenant's reference day (its dates are written relative to it): the same demo any day."""

DEFAULT_OUT = Path("certnb-demo")

OUTPUT_FILES = ("report.html", "report.xlsx", "summary.json", "tenant-after.json", "dry-run.http",
                "demo.journal", "demo.journal.audit.jsonl")
"""What the demo writes into its output folder (and replaces on the next run)."""


@dataclass(frozen=True)
class DemoResult:
    """Where the demo wrote its files, and the numbers of `summary.json`."""

    out: Path
    report: Path
    state: Path
    summary: dict[str, Any]

    @property
    def ok(self) -> bool:
        """True when every change was applied and read back as committed."""
        return bool(self.summary["committed_ok"]) and not self.summary["mismatches"]


def run_demo(
    out: str | Path = DEFAULT_OUT,
    *,
    seed: str | Path | dict[str, Any] | None = None,
    asof: str = DEFAULT_ASOF,
    issuer: str | None = None,
    echo: Callable[[str], None] = print,
) -> DemoResult:
    """Run the demo (see the module docstring); `seed` defaults to the sample tenant, `echo` prints progress.

    `issuer` picks whose expiring certifications are extended (default: the issuer with the most).
    """
    from certnb.emulator.server import Emulator
    from certnb.session import connect

    started = time.monotonic()
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for name in OUTPUT_FILES:  # a journal left by an earlier run belongs to another emulator's data
        (folder / name).unlink(missing_ok=True)
    (folder / "demo.journal-wal").unlink(missing_ok=True)
    (folder / "demo.journal-shm").unlink(missing_ok=True)

    echo(f"certnb demo: the sample tenant on a local Graph emulator, audited as of {asof}")
    with Emulator(seed=seed) as emu:
        tenant = emu.state().get("tenant", {})
        echo(f"  emulator   {emu.graph_url} · tenant {tenant.get('domain', emu.tenant_id)}")
        with connect(emulator=emu, write=True, all_users=True) as graph:
            scopes = ", ".join(graph.scopes)
            echo(f"  sign-in    {graph.account} through MSAL (device code) · scopes {scopes}")

            df = graph.load(users="all", progress=False)
            users = int(df["userId"].nunique())
            echo(f"  load       {len(df)} certifications of {users} users")

            findings = audit(df, asof)
            soon, lapsed = expiring(df, 90, asof), expired(df, asof)
            echo(f"  audit      {len(findings)} findings ({_severities(findings)}); {len(soon)} expiring "
                 f"within 90 days, {len(lapsed)} expired")

            staged = stage(df, journal=folder / "demo.journal")
            try:
                correction = stage_correction(staged, df, asof, issuer)
                echo(f"  stage      {len(staged)} edits: {correction.describe()}")

                plan: CommitPlan = graph.plan(staged)
                (folder / "dry-run.http").write_text(str(plan) + "\n", encoding="utf-8")
                echo(f"  dry run    {len(plan)} PATCH requests carrying {len(plan.edits)} edits, "
                     "nothing sent (see dry-run.http)")

                result: CommitResult = graph.commit(staged)
                echo(f"  commit     {result.summary()}")

                done = [e for e, o in zip(staged.edits, _outcomes(result, staged.edits), strict=True)
                        if o in DONE]
                mismatches = _read_back(graph, done)
                echo(f"  verify     {len(done) - len(mismatches)} of {len(done)} committed changes read back "
                     "from Graph" + (f"; {len(mismatches)} differ" if mismatches else ""))

                after = graph.load(users="all", progress=False)
                findings_after = audit(after, asof)
                changes = staged.diff().table
            finally:
                staged.close()
            account = graph.account
        state = emu.state()
        stats = emu.stats()

    state_path = folder / "tenant-after.json"
    state_path.write_text(json.dumps(state, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tenant_name = str(tenant.get("domain") or tenant.get("id") or "tenant")
    verified = len(done) - len(mismatches)
    notes = [f"Produced by certnb demo against the local Graph emulator. Dry run: {len(plan)} PATCH "
             f"requests; commit: {result.summary()}.",
             f"All {verified} of {len(done)} changes read back from Graph as committed." if not mismatches
             else f"{verified} of {len(done)} changes read back as committed; these differ: "
             + "; ".join(mismatches)]
    for name in ("report.html", "report.xlsx"):
        write_report(df, findings, result, folder / name, asof=asof, findings_after=findings_after,
                     tenant=tenant_name, account=account, notes=notes)
    numbers = Numbers(tenant_name, asof, account, users, len(df), findings, findings_after, len(soon),
                      len(lapsed), len(plan), verified, mismatches)
    summary = _summary(numbers, correction, result, changes, stats, time.monotonic() - started)
    (folder / "summary.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n",
                                         encoding="utf-8")
    report = folder / "report.html"
    echo(f"  report     {report}")
    spelling = [summary[f"findings_by_rule_{when}"].get("issuer-spelling", 0) for when in ("before", "after")]
    still_expiring = len(expiring(after, 90, asof))
    echo(
        f"Done in {summary['seconds']:.1f} s: {summary['edits']} changes on "
        f"{summary['certifications_changed']} certifications ({result.summary()}); issuer-spelling findings "
        f"{spelling[0]} → {spelling[1]}, expiring within 90 days {len(soon)} → {still_expiring}."
    )
    return DemoResult(folder, report, state_path, summary)


def _outcomes(result: CommitResult, edits: Sequence[Edit]) -> list[str | None]:
    """The commit outcome of each edit, in the edits' order."""
    by_key = {(o.user_id, o.cert_id, o.field): o.outcome for o in result}
    return [by_key.get(e.key) for e in edits]


def _read_back(graph: Any, edits: Sequence[Edit]) -> list[str]:
    """GET every changed certification again (via `$batch`); name each edit the server does not hold."""
    keys = list(dict.fromkeys(e.row_key for e in edits))
    answers = graph.batch([{"method": "GET", "url": certifications_path(u, c)} for u, c in keys])
    entities = {key: answer.body if answer.ok else None for key, answer in zip(keys, answers, strict=True)}
    mismatches = []
    for edit in edits:
        entity = entities[edit.row_key]
        if entity is None:
            mismatches.append(f"{edit.user_id}/{edit.cert_id}: could not be read back")
            continue
        held = _wire_value(entity, edit.field)
        if held != edit.after:
            mismatches.append(
                f"{edit.user_id}/{edit.cert_id} {edit.field}: committed {edit.after!r}, Graph holds {held!r}"
            )
    return mismatches


def _wire_value(entity: Mapping[str, Any], field: str) -> Any:
    # Frame columns name nested members with a dot (`inference.confidenceScore`); Graph nests them.
    value: Any = entity
    for part in field.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _severities(findings: pd.DataFrame) -> str:
    counts = findings["severity"].value_counts()
    return ", ".join(f"{int(counts.get(s, 0))} {s}" for s in ("error", "warning", "info"))


@dataclass(frozen=True)
class Numbers:
    """What the run counted, for `summary.json`."""

    tenant: str
    asof: str
    account: str | None
    users: int
    certifications: int
    findings_before: pd.DataFrame
    findings_after: pd.DataFrame
    expiring: int
    expired: int
    planned_requests: int
    verified: int
    mismatches: Sequence[str]


def _summary(
    content: Numbers,
    correction: Correction,
    result: CommitResult,
    changes: pd.DataFrame,
    stats: Mapping[str, Any],
    seconds: float,
) -> dict[str, Any]:
    """The numbers of the run, as `summary.json` holds them (plain JSON types)."""
    records = changes[["userId", "id", "field", "before", "after", "outcome"]].to_dict("records")
    return {
        "tenant": content.tenant,
        "asof": content.asof,
        "account": content.account,
        "users": content.users,
        "certifications": content.certifications,
        "findings_by_rule_before": _by_rule(content.findings_before),
        "findings_by_rule_after": _by_rule(content.findings_after),
        "expiring_90": content.expiring,
        "expired": content.expired,
        "issuer_extended": correction.issuer,
        "spellings_normalised": correction.spellings,
        "endings_extended": correction.extended,
        "edits": len(changes),
        "certifications_changed": int(changes[["userId", "id"]].drop_duplicates().shape[0]),
        "planned_requests": content.planned_requests,
        "outcomes": result.counts,
        "committed_ok": result.ok,
        "verified": content.verified,
        "mismatches": list(content.mismatches),
        "changes": [{str(k): v for k, v in r.items()} for r in records],
        "requests_by_route": dict(stats.get("by_route", {})),
        "report": str(Path("report.html")),
        "seconds": round(seconds, 2),
    }


def _by_rule(findings: pd.DataFrame) -> dict[str, int]:
    return {str(rule): int(n) for rule, n in findings["rule"].value_counts().sort_index().items()}
