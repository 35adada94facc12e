"""Which Graph answers to a write mean "not permitted by this tenant" (contract §13), a pure decision.

Real tenants refuse some writes to profile items although the token holds the scope for them, and a value
owned by an admin-controlled profile source cannot be edited through Graph at all. None of these answers
changes with time, so a commit records them as `not_permitted` and never sends them again:

    403 (any code)    the caller may not write it: ErrorAccessDeniedForRole (microsoft-graph-docs-contrib
                      #736), accessDenied, Authorization_RequestDenied, or a value an admin source owns
    500 …DirectoryObjectUnauthorizedAccessException: "Attempted to perform an unauthorized operation."
                      (msgraph-sdk-powershell#3234), a refusal dressed as a server error, not a transient 500
    404 UnknownError  for a certification a re-read still finds (microsoft-graph-docs-contrib#1510): the
                      runner re-reads it first (`needs_reread`), so one really gone stays `missing`

    >>> not_permitted(403, "ErrorAccessDeniedForRole"), not_permitted(500, "generalException")
    (True, False)
    >>> not_permitted(500, "-1, Microsoft.Office.Server.Directory.DirectoryObjectUnauthorizedAccessException")
    True
    >>> needs_reread(404, "UnknownError"), needs_reread(404, "itemNotFound")
    (True, False)
"""

from __future__ import annotations

__all__ = ["ADVICE", "needs_reread", "not_permitted"]

_UNAUTHORIZED_500 = "unauthorizedaccessexception"

ADVICE = ("not permitted by this tenant, and trying again will not change that: ask the person to change it "
          "on their own profile, correct it in the system it comes from (the HR system, Entra ID or "
          "Organizational data), or ask an admin for a role that may write other people's profiles")
"""What the analyst can do about a `not_permitted` edit (result_report.py shows it with the request id)."""


def not_permitted(status: int, code: str | None) -> bool:
    """Whether Graph's answer to a write says this tenant does not let the caller make it."""
    if status == 403:
        return True
    return status == 500 and _UNAUTHORIZED_500 in (code or "").casefold()


def needs_reread(status: int, code: str | None) -> bool:
    """Whether a 404 to a write may be a refusal in disguise (`UnknownError`), to be told apart by a re-read
    that still finds the certification."""
    return status == 404 and (code or "") == "UnknownError"
