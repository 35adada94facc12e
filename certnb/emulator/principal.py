"""Who is calling: what a verified access token says (contract §4, §9)."""

from __future__ import annotations

from dataclasses import dataclass

READ_SCOPES = frozenset(
    {"User.Read", "User.ReadWrite", "User.Read.All", "User.ReadBasic.All", "User.ReadWrite.All"}
)
OTHER_USERS_READ_SCOPES = frozenset({"User.Read.All", "User.ReadBasic.All", "User.ReadWrite.All"})


@dataclass(frozen=True)
class Principal:
    """The caller behind a valid token.

    `scopes` are bare delegated scope names (`User.ReadWrite.All`); an app-only token has `app_only=True`,
    no user and no scopes (its `roles` do not count here: contract §4 refuses application permissions).
    """

    user_id: str | None
    user_principal_name: str | None
    scopes: frozenset[str]
    app_only: bool = False
    client_id: str = ""
    display_name: str | None = None
