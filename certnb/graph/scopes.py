"""Least-privilege delegated scopes (contract §4): what to ask for, and what an operation needs.

    read  /me         User.Read            read  /users/{x}   User.Read.All
    write /me         User.ReadWrite       write /users/{x}   User.ReadWrite.All

>>> scopes_for(write=False, all_users=False), scopes_for(write=True, all_users=True)
(('User.Read',), ('User.ReadWrite.All',))
>>> required_scope("PATCH", "https://graph.microsoft.com/beta/users/a%40b/profile/certifications/1")
'User.ReadWrite.All'
"""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["READ_METHODS", "required_scope", "scopes_for"]

READ_METHODS = frozenset({"GET", "HEAD"})


def scopes_for(*, write: bool, all_users: bool) -> tuple[str, ...]:
    """The one least-privileged scope for reading or writing your own or everyone's profile."""
    if all_users:
        return ("User.ReadWrite.All",) if write else ("User.Read.All",)
    return ("User.ReadWrite",) if write else ("User.Read",)


def required_scope(method: str, url: str) -> str:
    """The least-privileged delegated scope a call needs (for the advice of a 403)."""
    path = urlsplit(url).path
    others = "/users" in path
    return scopes_for(write=method.upper() not in READ_METHODS, all_users=others)[0]
