"""`certnb demo` as a user runs it: a subprocess, then its report, summary and the emulator state it wrote.

The demo must commit exactly the correction it announces and nothing else; the checks below recompute that
correction from the seed file itself rather than trusting the demo's own numbers.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from certnb.demo.correction import stage_correction
from certnb.frame.build import build_frame
from certnb.staging import stage

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "tenant.json"
ASOF = dt.date(2026, 11, 30)
WRITABLE = ("allowedAudiences", "inference", "certificationId", "description", "displayName", "endDate",
            "issuedDate", "issuingAuthority", "issuingCompany", "startDate", "thumbnailUrl", "webUrl")
MICROSOFT_SPELLINGS = {"Microsoft", "Microsoft Corporation", "MSFT", "microsoft"}
JWT = re.compile(r"eyJ[\w-]{8,}\.[\w-]{8,}\.")


def run_demo(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "certnb.cli", "demo", "--out", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=100,
        cwd=out.parent,
        check=False,
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("demo") / "out"
    seed_hash = hashlib.sha256(SEED.read_bytes()).hexdigest()
    done = run_demo(out)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8")) if done.returncode == 0 else {}
    return {"out": out, "run": done, "seed_hash_before": seed_hash, "summary": summary}


def issuer(certification: dict[str, Any]) -> str:
    return str(certification.get("issuingCompany") or "").strip()  # the seed has "microsoft " too


def certifications(seed: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(u["id"], c["id"]): c for u in seed["users"] for c in u.get("certifications", [])}


def test_demo_exits_0_and_prints_each_step_and_the_report_path(demo: dict[str, Any]) -> None:
    done = demo["run"]
    assert done.returncode == 0, done.stderr
    for step in ("emulator", "sign-in", "load", "audit", "stage", "dry run", "commit", "verify", "report"):
        assert re.search(rf"^  {step} ", done.stdout, re.MULTILINE), f"no {step!r} line in:\n{done.stdout}"
    printed = re.search(r"^  report\s+(\S+)$", done.stdout, re.MULTILINE)
    assert printed is not None
    assert Path(printed.group(1)).resolve() == (demo["out"] / "report.html").resolve()
    assert "20 applied" in done.stdout


def test_the_emulator_state_holds_exactly_the_announced_correction(demo: dict[str, Any]) -> None:
    seed = json.loads(SEED.read_text(encoding="utf-8"))
    after = json.loads((demo["out"] / "tenant-after.json").read_text(encoding="utf-8"))
    before_certs, after_certs = certifications(seed), certifications(after)
    assert before_certs.keys() == after_certs.keys()  # nothing created or deleted

    changed = {
        (user, cert, field): (old.get(field), after_certs[(user, cert)].get(field))
        for (user, cert), old in before_certs.items()
        for field in WRITABLE
        if old.get(field) != after_certs[(user, cert)].get(field)
    }
    # Recomputed from the seed: every other spelling of Microsoft becomes "Microsoft" ...
    spellings = {
        (user, cert, "issuingCompany"): (c["issuingCompany"], "Microsoft")
        for (user, cert), c in before_certs.items()
        if c.get("issuingCompany") != "Microsoft" and issuer(c) in MICROSOFT_SPELLINGS
    }
    # ... and each Microsoft certification ending within 90 days of the as-of day ends a year later.
    extended = {}
    for (user, cert), c in before_certs.items():
        end = dt.date.fromisoformat(c["endDate"]) if c.get("endDate") else None
        if end and issuer(c) in MICROSOFT_SPELLINGS and ASOF <= end <= ASOF + dt.timedelta(90):
            extended[(user, cert, "endDate")] = (c["endDate"], end.replace(year=end.year + 1).isoformat())
    assert spellings and extended
    assert changed == {**spellings, **extended}

    summary = demo["summary"]
    reported = {(c["userId"], c["id"], c["field"]): (c["before"], c["after"]) for c in summary["changes"]}
    assert reported == changed
    assert {c["outcome"] for c in summary["changes"]} == {"applied"}
    for (user, cert), entity in after_certs.items():  # the commit stamped exactly the changed ones
        touched = any(key[:2] == (user, cert) for key in changed)
        stamped = entity["lastModifiedDateTime"] != before_certs[(user, cert)]["lastModifiedDateTime"]
        assert stamped is touched


def test_summary_reports_the_commit_and_the_audit_before_and_after(demo: dict[str, Any]) -> None:
    summary = demo["summary"]
    edits = summary["edits"]
    assert summary["outcomes"] == {"applied": edits}
    assert summary["verified"] == edits and summary["mismatches"] == []
    assert summary["planned_requests"] == summary["certifications_changed"] < edits  # one PATCH per cert
    assert summary["findings_by_rule_before"]["issuer-spelling"] == summary["spellings_normalised"] > 0
    assert summary["findings_by_rule_after"].get("issuer-spelling", 0) == 0
    assert summary["issuer_extended"] == "Microsoft"
    assert summary["requests_by_route"]["PATCH /users/{id}/profile/certifications/{id}"] >= edits - 1


def test_report_is_self_contained_html_with_the_charts_and_every_change(demo: dict[str, Any]) -> None:
    html = (demo["out"] / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "<script" not in html and "http://" not in html.replace("http://localhost", "")
    images = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", html)
    assert len(images) == 3
    for image in images:
        png = base64.b64decode(image)
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5_000
    for change in demo["summary"]["changes"]:
        after = change["after"]
        shown = f"{int(after[8:])} {dt.date.fromisoformat(after):%b %Y}" if re.fullmatch(
            r"\d{4}-\d\d-\d\d", after) else after
        assert f"<span class='after'>{shown}</span>" in html
    assert html.count(">Applied</td>") == demo["summary"]["edits"]
    assert f"All {demo['summary']['edits']} of {demo['summary']['edits']} changes read back" in html
    assert (demo["out"] / "report.xlsx").exists()


def test_no_token_reaches_any_output_and_the_seed_file_is_untouched(demo: dict[str, Any]) -> None:
    done = demo["run"]
    files = [p for p in demo["out"].iterdir() if p.suffix != ".journal"]
    texts = [done.stdout, done.stderr, *(p.read_text(encoding="utf-8", errors="replace") for p in files)]
    for text in texts:
        assert not JWT.search(text)
        assert "Bearer " not in text and "access_token" not in text
    assert hashlib.sha256(SEED.read_bytes()).hexdigest() == demo["seed_hash_before"]


def test_a_second_run_into_the_same_folder_starts_afresh(demo: dict[str, Any]) -> None:
    again = run_demo(demo["out"])
    assert again.returncode == 0, again.stderr
    summary = json.loads((demo["out"] / "summary.json").read_text(encoding="utf-8"))
    assert summary["changes"] == demo["summary"]["changes"]  # a stale journal would have made it a no-op


def test_issuer_option_extends_that_issuer_instead(tmp_path: Path) -> None:
    done = run_demo(tmp_path / "isc2", "--issuer", "ISC2")
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "isc2" / "summary.json").read_text(encoding="utf-8"))
    assert summary["issuer_extended"] == "ISC2"
    ends = [c for c in summary["changes"] if c["field"] == "endDate"]
    assert ends and all(c["after"][4:] == c["before"][4:] for c in ends)
    assert all(int(c["after"][:4]) == int(c["before"][:4]) + 1 for c in ends)


def test_demo_help_names_its_options() -> None:
    done = subprocess.run([sys.executable, "-m", "certnb.cli", "demo", "--help"], capture_output=True,
                          text=True, timeout=30, check=False)
    assert done.returncode == 0
    for option in ("--out", "--seed", "--asof", "--issuer"):
        assert option in done.stdout


# -- the pure parts, without a server ------------------------------------------------------------------------


def small_frame() -> Any:
    return build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
        {"id": "c1", "displayName": "AZ-104", "issuingCompany": "Microsoft", "certificationId": "1",
         "startDate": "2024-12-01", "endDate": "2026-12-12"},
        {"id": "c2", "displayName": "CISSP", "issuingCompany": "ISC2", "certificationId": "2",
         "startDate": "2024-01-01", "endDate": "2027-01-10"},
        {"id": "c3", "displayName": "CCSP", "issuingCompany": "ISC2", "certificationId": "3",
         "startDate": "2024-01-01", "endDate": "2027-02-01"},
        {"id": "c4", "displayName": "AZ-305", "issuingCompany": "Microsoft", "certificationId": "4",
         "startDate": "2025-01-01", "endDate": "2030-01-01"}]}])


def test_correction_extends_the_issuer_with_most_expiring_and_leaves_the_rest() -> None:
    df = small_frame()
    staged = stage(df)
    correction = stage_correction(staged, df, asof="2026-11-30")
    assert (correction.issuer, correction.spellings, correction.extended) == ("ISC2", 0, 2)
    assert sorted((e.cert_id, e.after) for e in staged) == [("c2", "2028-01-10"), ("c3", "2028-02-01")]
    assert "2 expiring ISC2 certifications extended by a year" in correction.describe()


def test_correction_with_nothing_expiring_stages_nothing() -> None:
    df = small_frame()
    staged = stage(df)
    correction = stage_correction(staged, df, asof="2020-01-01")
    assert (correction.issuer, correction.extended, len(staged)) == (None, 0, 0)
    assert correction.describe().endswith("no expiring certification to extend")
