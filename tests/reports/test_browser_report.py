"""The HTML report in Debian's headless Chromium (never a downloaded browser): at 1280 and 800 px nothing
sticks out sideways, and "print to PDF" gives a document. Screenshots go to the test's tmp folder (its path is
printed), and a copy to the folder `CERTNB_SHOTS` names, if set, for people to look at."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

import certnb
from certnb.commit.record import OutcomeRecord
from certnb.commit.result import CommitResult
from certnb.frame.audit import audit

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = Path(os.environ["CERTNB_SHOTS"]) if os.environ.get("CERTNB_SHOTS") else None
ASOF = "2026-11-30"

if not CHROMIUM.exists():
    pytest.fail(f"{CHROMIUM} is missing: run `make .venv/.chromium` (apt-get install chromium)",
                pytrace=False)

# What sticks out of the viewport: the page itself, or any table, image or cell.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('table, img, figure, td, th, .card, p, h1, h2')]
    .filter(e => e.getBoundingClientRect().right > width + 0.5)
    .map(e => e.tagName + ' ' + e.textContent.slice(0, 40));
  return {scroll: document.documentElement.scrollWidth, width, wide};
}"""


def test_report_fits_1280_and_800_px_and_prints_to_pdf(tenant_frame: pd.DataFrame, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    findings = audit(tenant_frame, ASOF)
    first = tenant_frame.iloc[0]
    result = CommitResult([OutcomeRecord(first["userId"], first["id"], "endDate", "2026-12-12", "2027-12-12",
                                         "applied", 200)])
    page_file = certnb.report(tenant_frame, findings, result, tmp_path / "report.html", asof=ASOF,
                              findings_after=findings, tenant="contoso.example",
                              account="megan@contoso.example")
    shots = tmp_path / "shots"
    shots.mkdir()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        try:
            for width in (1280, 800):
                page = browser.new_page(viewport={"width": width, "height": 1000})
                page.goto(page_file.as_uri())
                page.wait_for_load_state("load")
                seen = page.evaluate(OVERFLOW)
                assert seen["scroll"] <= seen["width"], seen
                assert seen["wide"] == [], seen["wide"][:5]
                sizes = page.evaluate("() => [...document.images].map(i => i.naturalWidth)")
                assert len(sizes) == 3 and all(s > 0 for s in sizes)  # every chart decoded
                page.screenshot(path=str(shots / f"report-{width}.png"), full_page=True)
                page.screenshot(path=str(shots / f"report-{width}-top.png"))
                page.close()
            page = browser.new_page()
            page.goto(page_file.as_uri())
            page.emulate_media(media="print")
            pdf = page.pdf(format="A4", print_background=True)
        finally:
            browser.close()
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 3
    (shots / "report.pdf").write_bytes(pdf)
    print(f"screenshots: {shots}")
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        for shot in shots.iterdir():
            shutil.copy(shot, SHOTS / shot.name)
