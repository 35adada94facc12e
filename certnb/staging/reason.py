"""Why an edit was staged, and by whom: the reason a person gives, the signed-in account, and the setting
that makes a reason required.

Every way of staging takes `reason=` ("renewal confirmed by the learning system", a ticket number); it is
journaled with each edit, shown in the review and the grid, and goes to the commit's result and audit log
with the staging and the committing accounts. With a reason required, a call without one is refused as a
whole, each edit named, and nothing is staged. Where the setting comes from, first found wins:

    `stage(df, require_reason=True)`            the argument
    `certnb.connect(..., require_reason=True)`  the session that loaded `df` (or `CERTNB_REQUIRE_REASON`,
                                                or `require_reason = true` in its config file)
    `CERTNB_REQUIRE_REASON=1`                   the environment (1/true/yes/on, 0/false/no/off)
    default                                     not required

The staging account is `stage(df, staged_by=...)`, else the account of the session that loaded `df`.

    >>> checked_reason("  CHG-1042: renewal confirmed  ")
    'CHG-1042: renewal confirmed'
    >>> checked_reason("   ") is None, require_reason(None, None, environ={"CERTNB_REQUIRE_REASON": "yes"})
    (True, True)
    >>> require_reason(None, None, environ={"CERTNB_REQUIRE_REASON": "sometimes"})
    Traceback (most recent call last):
    ...
    certnb.errors.ConfigError: CERTNB_REQUIRE_REASON: bad value 'sometimes' for 'require_reason': ...
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pandas as pd

from certnb.errors import ConfigError, EditsRefused, ValidationError
from certnb.frame.names import RowNames, refusal
from certnb.staging.creates import NewCertification
from certnb.staging.edit import Edit, RowSnapshot
from certnb.staging.operations import CREATE, DELETE
from certnb.staging.refusals import Refusals
from certnb.staging.rows import Target

__all__ = ["ACCOUNT_ATTR", "REASON_ENV", "REASON_RULE", "REQUIRE_REASON_ATTR", "CallReason", "cell_reasons",
           "checked_reason", "creates_without_reason", "missing_reasons", "refuse_missing", "require_reason",
           "staging_account", "why_words", "yes_or_no"]

REASON_ENV = "CERTNB_REQUIRE_REASON"
"""The environment variable that makes a reason required (when neither argument nor session says)."""

ACCOUNT_ATTR = "certnb.account"
"""`df.attrs` key: the signed-in account of the session that loaded the frame (`Session.load`)."""

REQUIRE_REASON_ATTR = "certnb.require_reason"
"""`df.attrs` key: whether the session that loaded the frame requires a reason (`connect(require_reason=`)."""

REASON_RULE = ("a reason is required: say why with reason=\"...\" (a ticket number, who confirmed it); "
               "this session or CERTNB_REQUIRE_REASON requires one")
"""The rule a call without a reason breaks when one is required."""

_YES = ("1", "true", "yes", "on")
_NO = ("0", "false", "no", "off", "")


def checked_reason(reason: object) -> str | None:
    """The reason as journaled: stripped text, None for none (None or blank); `TypeError` for non-text."""
    if reason is None:
        return None
    if not isinstance(reason, str):
        raise TypeError(f"reason must be text (why the change is made); got {type(reason).__name__} "
                        f"{reason!r}")
    return reason.strip() or None


def yes_or_no(value: object, where: str) -> bool:
    """A yes/no setting's value (a bool, or text such as "1", "yes", "off"); `ConfigError` otherwise."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ConfigError("require_reason", value, "1 or 0 (true/false, yes/no, on/off)", source=where)


def require_reason(given: bool | None, frame: pd.DataFrame | None,
                   environ: Mapping[str, str] | None = None) -> bool:
    """Whether staging needs a reason: `given`, else the loading session's setting, else `REASON_ENV`."""
    if given is not None:
        return yes_or_no(given, "argument")
    if frame is not None and REQUIRE_REASON_ATTR in frame.attrs:
        return yes_or_no(frame.attrs[REQUIRE_REASON_ATTR], "the session that loaded the frame")
    env = os.environ if environ is None else environ
    return yes_or_no(env[REASON_ENV], REASON_ENV) if REASON_ENV in env else False


def staging_account(given: str | None, frame: pd.DataFrame | None) -> str | None:
    """The account edits are staged by: `given`, else the signed-in account of the session that loaded
    `frame` (None when neither says)."""
    if given is not None:
        return given
    found: Any = None if frame is None else frame.attrs.get(ACCOUNT_ATTR)
    return found if isinstance(found, str) and found else None


def missing_reasons(edits: Iterable[Edit], rows: Mapping[tuple[str, str], RowSnapshot]
                    ) -> list[ValidationError]:
    """One refusal per staged change that lacks the reason required (`REASON_RULE`): per edited field, per
    new certification (its fields go with it), per delete; `rows` name the person and certification."""
    kept = list(edits)
    created = {e.row_key for e in kept if e.field == CREATE}
    problems = []
    for edit in kept:
        if edit.row_key in created and edit.field != CREATE:
            continue
        row = rows.get(edit.row_key)
        names = None if row is None else RowNames.of(row.user_id, row.user_principal_name,
                                                     row.user_display_name, row.cert_id, row.display_name)
        operation = {CREATE: "the new certification", DELETE: "the certification"}.get(edit.field)
        problems.append(refusal(names, edit.field, edit.after, REASON_RULE, field_label=operation))
    return problems


def refuse_missing(edits: Iterable[Edit], rows: Mapping[tuple[str, str], RowSnapshot]) -> None:
    """Raise one `EditsRefused` naming every edit without a reason (`missing_reasons`), if any."""
    problems = missing_reasons((e for e in edits if e.reason is None), rows)
    if problems:
        raise EditsRefused(problems)


def cell_reasons(changes: pd.DataFrame) -> dict[tuple[str, str, str], str]:
    """The reason of each change of a `changes` table with a `reason` column, by (userId, id, field); rows
    whose reason is empty are left out (the call's `reason=` covers them).

    >>> cell_reasons(pd.DataFrame({"userId": ["u1"], "id": ["c1"], "field": ["endDate"],
    ...                            "reason": [" CHG-7 "]}))
    {('u1', 'c1', 'endDate'): 'CHG-7'}
    """
    if "reason" not in changes.columns:
        return {}
    found = zip(changes["userId"], changes["id"], changes["field"], changes["reason"], strict=True)
    return {(str(uid), str(cid), str(field)): text.strip() for uid, cid, field, text in found
            if isinstance(text, str) and text.strip()}


def creates_without_reason(passed: Iterable[NewCertification], refusals: Refusals,
                           doomed: Iterable[Target]) -> list[ValidationError]:
    """The refusals of a call's new certifications and deletes when a reason is required and none given."""
    problems = [refusal(RowNames.of(new.user_id, new.user_principal_name, new.user_display_name, None,
                                    new.title), CREATE, None, REASON_RULE,
                        field_label="the new certification") for new in passed]
    problems += [refusals.problem(target, DELETE, None, REASON_RULE, field_label="the certification")
                 for target in doomed if target.key is not None]
    return problems


class CallReason:
    """The reason of the staging call under way, and the account staging it: what `stamped` edits carry.

    A call made inside another (a merge's deletes) keeps the outer call's reason unless it gives its own.

    >>> why = CallReason("megan@contoso.example")
    >>> with why.given("CHG-7"):
    ...     [(e.reason, e.staged_by) for e in why.stamped([Edit("u1", "c1", "endDate", None, "2027-06-30")])]
    [('CHG-7', 'megan@contoso.example')]
    """

    def __init__(self, staged_by: str | None) -> None:
        self.staged_by = staged_by
        self.reason: str | None = None  # the call's reason, for every edit it stages
        self.cells: Mapping[tuple[str, str, str], str] | None = None  # reasons of single cells, first

    @contextmanager
    def given(self, reason: str | None,
              cells: Mapping[tuple[str, str, str], str] | None = None) -> Iterator[None]:
        """The reason of the call in the block (one for the call, and per cell)."""
        outer = self.reason, self.cells
        checked = checked_reason(reason)
        self.reason = checked if checked is not None else outer[0]
        self.cells = cells if cells else outer[1]
        try:
            yield
        finally:
            self.reason, self.cells = outer

    def stamped(self, edits: list[Edit]) -> list[Edit]:
        """The edits with the call's reason (a cell's own first) and the staging account."""
        cells, reason, by = self.cells, self.reason, self.staged_by
        if reason is None and by is None and not cells:
            return edits
        return [Edit(e.user_id, e.cert_id, e.field, e.before, e.after, e.seq,
                     (cells.get(e.key) if cells else None) or reason, by) for e in edits]


def why_words(reason: str | None, staged_by: str | None) -> str:
    """"because <reason> (staged by <account>)", either part left out when unknown; "" when both are.

    >>> why_words("CHG-7", "megan@x"), why_words(None, "megan@x"), why_words(None, None)
    ('because CHG-7 (staged by megan@x)', '(staged by megan@x)', '')
    """
    because = f"because {reason}" if reason else ""
    staged = f"(staged by {staged_by})" if staged_by else ""
    return " ".join(part for part in (because, staged) if part)
