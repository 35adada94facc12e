"""`reconcile`: a system of record's export compared with the certifications loaded from Graph.

    >>> import certnb, pandas as pd
    >>> df = certnb.build_frame([{"id": "u1", "userPrincipalName": "adele@contoso.example",
    ...     "displayName": "Adele Vance", "certifications": [{"id": "c1", "displayName": "AZ-104"}]}])
    >>> rec = certnb.reconcile(df, pd.DataFrame({"Email": ["ADELE@contoso.example"], "Title": ["AZ-104"]}))
    >>> rec.table[["status", "row", "person", "id"]].values.tolist()
    [['equal', 0, 'Adele Vance (adele@contoso.example)', 'c1']]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from certnb.reconcile.match import ISSUER_FIELDS, Claim, Held, Scope
from certnb.reconcile.people import People, PeopleTable, Person
from certnb.reconcile.source import read_source
from certnb.reconcile.table import Reconciliation
from certnb.schema import is_missing

__all__ = ["reconcile"]

_KEY_FIELDS = ("certificationId", "displayName", *ISSUER_FIELDS)


def reconcile(
    df: pd.DataFrame,
    source: pd.DataFrame | str | Path,
    *,
    on: str | Mapping[str, str] = "email",
    columns: Sequence[str] | Mapping[str, str] | None = None,
    people: PeopleTable | None = None,
    date_format: str | None = None,
    sep: str | None = None,
    scope: Scope = "people",
    clear_blanks: bool = False,
) -> Reconciliation:
    """Compare an HR or learning system's export (`source`: a DataFrame, or a CSV/.xlsx path) with the
    loaded frame `df`, one entry per source row and per Graph certification no row is.

    - `on`: the source's person key, `"email"` (compared with sign-in names, and a `mail` column when the
      frame has one), `"userPrincipalName"` or `"employeeId"` (needs `people=`), or `{column: kind}`.
    - `columns`: the fields compared and staged (Graph names or labels, e.g. `["Expires"]`), or a mapping
      {source column: field} for the source's own names; default: every writable field the source names.
    - `people`: the tenant's people beyond the frame's holders, with their employee ids
      (`certnb.reconcile.people`).
    - `date_format`: the source's date form (e.g. `"%d/%m/%Y"`); `sep`: a CSV's separator.
    - `scope`: `"people"` (Graph certifications of the people the source names) or `"tenant"` (all).
    - `clear_blanks`: an empty source cell means "no value" (by default it says nothing).

    Matching, statuses and what each means: `certnb.reconcile.match`; the result: `Reconciliation`.

        rec = certnb.reconcile(df, "data/hr-export.csv", on={"Employee Email": "email"},
                               columns={"Certification": "Title", "Credential ID": "certificationId",
                                        "Provider": "Issuing company", "Passed": "Valid from",
                                        "Expires": "Expires"}, date_format="%d/%m/%Y")
    """
    if scope not in ("people", "tenant"):
        raise ValueError(f"scope must be 'people' (the people the source names) or 'tenant'; got {scope!r}")
    missing = [c for c in ("userId", "userPrincipalName", "id") if c not in df.columns]
    if missing:
        raise ValueError(f"df must be a certification frame as graph.load() makes it; it has no "
                         f"{', '.join(missing)} column")
    read = read_source(source, on=on, columns=columns, date_format=date_format, sep=sep)
    if read.kind == "employeeId" and people is None:
        raise ValueError("on='employeeId': the frame holds no employee ids; pass people= a table "
                         "(employeeId, userPrincipalName) or a mapping {employeeId: userPrincipalName}")
    directory = People(df, people)
    fields = tuple(read.fields)
    wanted = [f for f in dict.fromkeys((*fields, *_KEY_FIELDS)) if f in df.columns]
    cells = {name: df[name].tolist() for name in wanted}
    held: dict[str, Held] = {}
    graph: dict[str, tuple[str, Person, Any]] = {}
    persons: dict[str, Person] = {}
    names = df["userDisplayName"].tolist() if "userDisplayName" in df.columns else [None] * len(df)
    for n, (user_id, upn, name, cert_id) in enumerate(
        zip(df["userId"].tolist(), df["userPrincipalName"].tolist(), names, df["id"].tolist(), strict=True)
    ):
        if is_missing(cert_id) or is_missing(user_id):
            continue
        person = directory.find("userPrincipalName", upn) or Person(
            str(user_id), None if is_missing(upn) else str(upn), None if is_missing(name) else str(name))
        persons.setdefault(person.key, person)
        values = {field: cells[field][n] for field in wanted}
        held[str(cert_id)] = Held(person.key, str(cert_id), values)
        graph[str(cert_id)] = (str(user_id), person, values.get("displayName"))
    claims: dict[int, Claim] = {}
    for row in read.rows:
        found = directory.find(read.kind, row.person)
        if found is not None:
            persons.setdefault(found.key, found)
        claims[row.row] = Claim(row.row, None if found is None else found.key, row.values)
    holders = len({h.person for h in held.values()})
    tenant = (f"{len(held)} certification{'s' if len(held) != 1 else ''} of {holders} "
              f"{'person' if holders == 1 else 'people'} in Graph")
    return Reconciliation(read, held, graph, claims, persons, fields, scope=scope, clear_blanks=clear_blanks,
                          tenant=tenant)
