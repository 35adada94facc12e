"""Reconciling certifications with a system of record (an HR or learning system's export).

    source.py   the export read: the person column, the certification fields, typed values, refusals
    people.py   who a row is about: sign-in name, email or employee id → a person of the tenant
    match.py    which Graph certification each row is, and the statuses (pure)
    table.py    Reconciliation: the table, counts, filters, decide, the display
    stage.py    staging the chosen side: creates, updates, deletes only when asked; the StageReport
    compare.py  reconcile(): the entry point

>>> import certnb, pandas as pd
>>> df = certnb.build_frame([{"id": "u1", "userPrincipalName": "adele@contoso.example",
...     "certifications": [{"id": "c1", "displayName": "AZ-104", "endDate": "2026-06-30"}]}])
>>> rec = certnb.reconcile(df, pd.DataFrame({"Email": ["adele@contoso.example"], "Title": ["AZ-104"],
...                                          "Expires": ["2027-06-30"]}))
>>> rec.counts["different"]
np.int64(1)
"""

from __future__ import annotations

from certnb.reconcile.compare import reconcile
from certnb.reconcile.match import STATUSES
from certnb.reconcile.stage import StageReport
from certnb.reconcile.table import Reconciliation

__all__ = ["STATUSES", "Reconciliation", "StageReport", "reconcile"]
