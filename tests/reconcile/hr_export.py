"""The sample HR export, `data/hr-export.csv`, made from `data/tenant.json`: run this file to write it again.

The export is the learning system's record of 24 people of the tenant, in its own columns and its own date
form (dd/mm/yyyy), and it disagrees with Graph as such exports do. `EXPECTED` says how many rows of each
status `certnb.reconcile` must find in it, and the tests check that the committed file is what `rows()`
makes, so the two cannot drift apart.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TENANT = ROOT / "data" / "tenant.json"
EXPORT = ROOT / "data" / "hr-export.csv"

HEADER = ("Employee ID", "Employee Name", "Employee Email", "Certification", "Provider", "Credential ID",
          "Passed", "Expires")
COLUMNS = {"Certification": "Title", "Provider": "Issuing company", "Credential ID": "certificationId",
           "Passed": "Valid from", "Expires": "Expires"}
"""How the export's columns map to certnb's fields (the notebook and the tests pass this as `columns=`)."""

PEOPLE = (
    "megan.bowen", "zoe.angstrom", "lukasz.zolc", "jose.nunez", "sean.o'brien", "ingrid.halvorsen",
    "kenji.watanabe", "fatima.al-sayed", "lars.eriksen", "chloe.dubois", "ravi.menon", "olivia.grant",
    "patti.patel", "yusuf.taylor", "carlos.lee", "samuel.johnson", "maria.petrov", "tomas.larsen",
    "anders.nguyen", "liam.silva", "elena.nguyen", "daniel.johnson", "emma.singh", "omar.kumar",
)

RENAMED = {  # same credential id, the learning system's own title
    ("megan.bowen", "Certified Information Systems Auditor (CISA)"):
        "CISA - Certified Information Systems Auditor",
    ("sean.o'brien", "Project Management Professional (PMP)"): "PMP - Project Management Professional",
    ("chloe.dubois", "Microsoft Certified: Azure Data Engineer Associate"):
        "Azure Data Engineer Associate (DP-203)",
}
DATES = {  # (Passed, Expires) where the learning system knows better: renewed, lapsed, or filled in
    ("lukasz.zolc", "AWS Certified Solutions Architect – Associate"): ("2026-11-20", "2029-11-20"),
    ("patti.patel", "Microsoft Certified: Azure Administrator Associate"): (None, "2027-12-06"),
    ("ingrid.halvorsen", "Cisco Certified Network Associate (CCNA)"): ("2022-04-13", "2025-04-13"),
    ("olivia.grant", "AWS Certified Cloud Practitioner"): ("2022-10-30", "2025-10-30"),
    ("yusuf.taylor", "Microsoft Certified: Azure Solutions Architect Expert"): ("2026-02-09", "2027-02-09"),
}
FILLED = {  # values Graph lacks that the learning system has
    ("yusuf.taylor", "Microsoft Certified: Azure Solutions Architect Expert"):
        {"Provider": "Microsoft", "Credential ID": "4B1C6E0D92A7F358"},
}
NO_CREDENTIAL = {("carlos.lee", "Microsoft Certified: Security Operations Analyst Associate")}  # title+issuer
NOT_IN_EXPORT = {("zoe.angstrom", "Microsoft Certified: Azure Fundamentals")}  # only in Graph
ONCE = {("kenji.watanabe", "Microsoft Certified: Azure Solutions Architect Expert")}  # Graph holds it twice
SPELLING = {("omar.kumar", "Certified Information Security Manager (CISM)"):
            "Certified Information Security Manager  (CISM)"}
EMAIL_CASE = {"lars.eriksen": "Lars.Eriksen@Contoso.example", "olivia.grant": "OLIVIA.GRANT@contoso.example "}
LOWER_CREDENTIAL = {("emma.singh", "AWS Certified Cloud Practitioner")}

NEW_PASSES = {  # after the person's own rows: (title, provider, credential id, passed, expires)
    "megan.bowen": ("Microsoft Certified: Azure Administrator Associate", "Microsoft", "7A1E3C55B09D2F41",
                    "2026-10-02", "2027-10-02"),
    "jose.nunez": ("AWS Certified Solutions Architect – Associate", "Amazon Web Services", "H6KQ2W9ZP3MX7TRN",
                   "2026-09-15", "2024-09-15"),  # the year mistyped: staging refuses it
    "lars.eriksen": ("Microsoft Certified: Azure Fundamentals", "Microsoft", "2F0C9A7B41E8D356", "2026-11-14",
                     None),
    "ravi.menon": ("Certified Kubernetes Administrator (CKA)", "The Linux Foundation", "LF-R7QK2M4XWD",
                   "2026-09-21", "2028-09-21"),
    "elena.nguyen": ("AWS Certified Cloud Practitioner", "Amazon Web Services", "Q4T7ZK2M9PLW3XHB",
                     "2026-11-05", "2029-11-05"),
}
LEFT = {  # after this person's rows: people who left (not in the tenant)
    "sean.o'brien": ("E0917", "Robert Hughes", "r.hughes@contoso.example", "Project Management Professional "
                     "(PMP)", "Project Management Institute", "6021187", "2023-06-12", "2026-06-12"),
    "tomas.larsen": ("E0942", "Anna Kowalski", "anna.kowalski@contoso.example", "CompTIA Security+",
                     "CompTIA",
                     "COMP001552019847", "2024-03-09", "2027-03-09"),
    "emma.singh": ("E0968", "Peter Nilsson", "Peter.Nilsson@contoso.example",
                   "Microsoft Certified: Azure Fundamentals", "Microsoft", "9C3B7E21D05A4F68", "2022-01-17",
                   None),
}

EXPECTED = {"equal": 46, "different": 15, "only_in_source": 5, "only_in_graph": 1, "ambiguous": 1,
            "unknown_person": 3}
"""The statuses `certnb.reconcile(df, EXPORT, on="email", columns=COLUMNS, date_format="%d/%m/%Y")` finds."""


def _hr_date(iso: str | None) -> str:
    return "" if iso is None else dt.date.fromisoformat(iso).strftime("%d/%m/%Y")


def _provider(company: str | None) -> str:
    # The learning system names each issuer one way.
    if company is None:
        return ""
    return "Microsoft" if company.casefold() in ("msft", "microsoft", "microsoft corporation") else company


def rows() -> list[tuple[str, ...]]:
    """The export's rows (the header first), from the sample tenant."""
    users = {u["userPrincipalName"].split("@")[0]: u for u in json.loads(TENANT.read_text("utf-8"))["users"]}
    out: list[tuple[str, ...]] = [HEADER]
    for n, handle in enumerate(PEOPLE):
        user = users[handle]
        employee = f"E{1001 + n:04d}"
        email = EMAIL_CASE.get(handle, user["userPrincipalName"])
        seen: set[str] = set()
        for cert in user["certifications"]:
            key = (handle, cert["displayName"])
            if key in NOT_IN_EXPORT or (key in ONCE and cert["displayName"] in seen):
                continue
            seen.add(cert["displayName"])
            passed, expires = DATES.get(key, (cert["startDate"], cert["endDate"]))
            passed = cert["startDate"] if passed is None and key in DATES else passed
            cells: dict[str, Any] = {
                "Certification": RENAMED.get(key, SPELLING.get(key, cert["displayName"])),
                "Provider": _provider(cert["issuingCompany"]),
                "Credential ID": "" if key in NO_CREDENTIAL else (cert["certificationId"] or ""),
                "Passed": _hr_date(passed), "Expires": _hr_date(expires),
            }
            cells.update(FILLED.get(key, {}))
            if key in LOWER_CREDENTIAL:
                cells["Credential ID"] = cells["Credential ID"].lower()
            out.append((employee, user["displayName"], email, cells["Certification"], cells["Provider"],
                        cells["Credential ID"], cells["Passed"], cells["Expires"]))
        if handle in NEW_PASSES:
            title, provider, credential, passed, expires = NEW_PASSES[handle]
            out.append((employee, user["displayName"], email, title, provider, credential, _hr_date(passed),
                        _hr_date(expires)))
        if handle in LEFT:
            employee_id, name, mail, title, provider, credential, passed, expires = LEFT[handle]
            out.append((employee_id, name, mail, title, provider, credential, _hr_date(passed),
                        _hr_date(expires)))
    return out


def text() -> str:
    """The export as the learning system writes it: UTF-8 with a byte-order mark, CRLF line ends."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows())
    return "\ufeff" + buffer.getvalue()


if __name__ == "__main__":
    EXPORT.write_bytes(text().encode("utf-8"))
    print(f"wrote {EXPORT} ({len(rows()) - 1} rows)", file=sys.stderr)
