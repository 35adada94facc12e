"""Writes to another person's profile refused as real tenants refuse them (contract §13), by the fault knob
`write_refusals`: `{person: refusal}`, where person is a user's id or UPN, or `"*"` for every person.

Published reports show Graph refusing an admin's write to someone else's profile items although the token
holds `User.ReadWrite.All` (the same write to the caller's own profile works):

    access_denied_for_role  403 ErrorAccessDeniedForRole (microsoft-graph-docs-contrib#736,
                            microsoft-graph-docs#10205)
    directory_unauthorized  500 "-1, Microsoft.Office.Server.Directory.DirectoryObject…
                            UnauthorizedAccessException" (msgraph-sdk-powershell#3234; the body as
                            microsoft-graph-docs#5569 shows it)
    not_found               404 UnknownError with an empty message, for an item that exists
                            (microsoft-graph-docs-contrib#1510)

They apply to POST, PATCH and DELETE of certifications, inside `$batch` too (each item is a call).

>>> refusal_for({"*": "access_denied_for_role"}, ("u1", "a@x")).code
'ErrorAccessDeniedForRole'
>>> refusal_for({"b@x": "not_found"}, ("u1", "a@x")) is None
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from certnb.emulator.errors import GraphError

EVERYONE = "*"

REFUSALS: dict[str, tuple[int, str, str]] = {
    "access_denied_for_role": (
        403, "ErrorAccessDeniedForRole",
        "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ProfileAccessDeniedException' was thrown.",
    ),
    "directory_unauthorized": (
        500, "-1, Microsoft.Office.Server.Directory.DirectoryObjectUnauthorizedAccessException",
        "Attempted to perform an unauthorized operation.",
    ),
    "not_found": (404, "UnknownError", ""),
}
"""Each refusal's status, code and message, as the reports quote them."""


def check_refusals(value: object) -> dict[str, str]:
    """The `write_refusals` knob checked: a mapping of person → refusal name; a ValueError naming the bad
    entry otherwise."""
    if not isinstance(value, Mapping):
        raise ValueError(f"fault knob 'write_refusals' must be an object of person → refusal, got {value!r}")
    checked: dict[str, str] = {}
    for person, name in value.items():
        if not isinstance(person, str) or name not in REFUSALS:
            raise ValueError(
                f"fault knob 'write_refusals': {person!r}: {name!r} is not one of {', '.join(REFUSALS)}"
            )
        checked[person] = name
    return checked


def refusal_for(refusals: Mapping[str, str], person: Iterable[str]) -> GraphError | None:
    """The refusal a write to `person`'s profile (their id and UPN) gets, or None to let it run."""
    keys = {key.casefold() for key in person}
    for who, name in refusals.items():
        if who == EVERYONE or who.casefold() in keys:
            status, code, message = REFUSALS[name]
            return GraphError(status, code, message)
    return None
