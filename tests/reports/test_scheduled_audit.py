"""`certnb audit` as cron runs it: a subprocess against the emulator by URL, from the sign-in `certnb signin`
cached; the reports and summary it writes, its exit statuses, and what it says when no sign-in is cached."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

import certnb
from certnb.emulator.server import Emulator
from certnb.frame.audit import audit
from certnb.frame.audit import expired as expired_rows
from certnb.frame.build import build_frame
from certnb.reports.scheduled import EXIT_CODES, fails

ROOT = Path(__file__).resolve().parents[2]
ASOF = "2026-11-30"


def certnb_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "certnb.cli", *args], capture_output=True, text=True,
                          timeout=100, check=False)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


def sign_in_options(emu: Emulator, cache: Path) -> list[str]:
    return ["--tenant", f"{emu.url}/{emu.tenant_id}", "--ca-file", str(emu.ca_file),
            "--token-cache", str(cache)]


@pytest.fixture(scope="module")
def signed_in(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    options = sign_in_options(emulator, tmp_path_factory.mktemp("cache") / "msal_cache.bin")
    done = certnb_cli("signin", *options)
    assert done.returncode == 0, done.stderr
    assert "signed in as megan.bowen@contoso.example" in done.stderr
    return options


def test_audit_writes_both_reports_and_the_summary_from_the_cached_sign_in(
        signed_in: list[str], tmp_path: Path) -> None:
    out = tmp_path / "audit"
    done = certnb_cli("audit", *signed_in, "--asof", ASOF, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "To sign in" not in done.stdout + done.stderr  # headless: no device code shown
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    frame = build_frame(json.loads((ROOT / "data" / "tenant.json").read_text(encoding="utf-8"))["users"])
    findings = audit(frame, ASOF)
    assert summary["asof"] == ASOF and summary["account"] == "megan.bowen@contoso.example"
    assert summary["tenant"] == signed_in[1]
    assert summary["certifications"] == len(frame) and summary["expired"] == len(expired_rows(frame, ASOF))
    assert summary["by_rule"] == {str(k): int(v) for k, v in findings["rule"].value_counts().items()}
    assert summary["by_severity"]["error"] == int((findings["severity"] == "error").sum())
    assert summary["failed"] is False
    assert (out / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "Expired" in load_workbook(out / "report.xlsx").sheetnames


def test_fail_on_expired_exits_1_when_a_certification_has_expired(signed_in: list[str],
                                                                   tmp_path: Path) -> None:
    done = certnb_cli("audit", *signed_in, "--asof", ASOF, "--out", str(tmp_path), "--fail-on", "expired")
    assert done.returncode == 1, done.stderr
    assert "--fail-on expired: failing (exit 1)" in done.stderr
    assert json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))["failed"] is True


def test_two_runs_with_snapshot_make_a_history_of_two_audits(signed_in: list[str], tmp_path: Path) -> None:
    store = tmp_path / "audits.duckdb"
    for asof in ("2026-10-31", ASOF):
        done = certnb_cli("audit", *signed_in, "--asof", asof, "--out", str(tmp_path / asof),
                          "--snapshot", str(store))
        assert done.returncode == 0, done.stderr
    kept = certnb.history(store)
    assert [str(d.date()) for d in kept.snapshots["asof"]] == ["2026-10-31", ASOF]
    assert set(kept.snapshots["account"]) == {"megan.bowen@contoso.example"}
    summary = json.loads((tmp_path / ASOF / "summary.json").read_text(encoding="utf-8"))
    assert summary["snapshot"]["id"] == kept.snapshots["id"].iloc[-1]
    trends = kept.trends()
    assert trends["expired"].iloc[-1] == summary["expired"]


@pytest.mark.parametrize(("fail_on", "expired", "errors", "failing"), [
    ("expired", 1, 1, True), ("expired", 0, 5, False), ("error", 0, 5, True), ("error", 0, 0, False),
    (None, 3, 3, False)])
def test_which_summaries_fail(fail_on: str | None, expired: int, errors: int, failing: bool) -> None:
    assert fails({"expired": expired, "by_severity": {"error": errors}}, fail_on) is failing


def test_without_a_cached_sign_in_it_says_how_to_renew_it_and_exits_3(emulator: Emulator,
                                                                       tmp_path: Path) -> None:
    options = sign_in_options(emulator, tmp_path / "empty-cache.bin")
    done = certnb_cli("audit", *options, "--asof", ASOF, "--out", str(tmp_path / "out"))
    assert done.returncode == 3, done.stderr
    assert "no usable cached sign-in" in done.stderr and "lapsed" in done.stderr
    assert f"certnb signin --tenant {options[1]}" in done.stderr and "certnb.connect(" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out" / "summary.json").exists()


def test_a_bad_asof_exits_2_and_help_documents_every_exit_status(signed_in: list[str],
                                                                 tmp_path: Path) -> None:
    done = certnb_cli("audit", *signed_in, "--asof", "someday", "--out", str(tmp_path))
    assert done.returncode == 2 and "--asof" in done.stderr
    helped = certnb_cli("audit", "--help").stdout
    for status in EXIT_CODES:
        assert f"{status} " in helped
    assert "--fail-on" in helped and "certnb signin" in helped
