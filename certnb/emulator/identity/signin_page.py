"""The device-code sign-in page at `verification_uri`: enter the code, pick a seeded user, approve or decline.

Used when `device_code_auto_approve` is off (contract §9 device flow, the emulator's stand-in for
https://microsoft.com/devicelogin). Plain HTML, one form, POSTed back to the same address.

>>> page = SignInPage(tenant, device_codes)   # doctest: +SKIP
>>> page.routes()                             # doctest: +SKIP
[Route(path='/devicelogin', ...), Route(path='/{tenant}/oauth2/deviceauth', ...)]
"""

from __future__ import annotations

import hmac
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Route

from certnb.emulator.identity.device_codes import DeviceCodes
from certnb.emulator.identity.errors import SignInError

if TYPE_CHECKING:
    from certnb.emulator.tenant import Tenant

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:32em;margin:3em auto}}label{{display:block;margin:.8em 0}}
.error{{color:#a00}}</style></head>
<body><h1>{title}</h1>{body}</body></html>
"""


class SignInPage:
    """The HTML sign-in page of one emulator."""

    def __init__(self, tenant: Tenant, device_codes: DeviceCodes) -> None:
        self.tenant = tenant
        self.device_codes = device_codes

    def __repr__(self) -> str:
        return f"<SignInPage tenant={self.tenant.tenant_id}>"

    def routes(self) -> list[BaseRoute]:
        """`/devicelogin` (the advertised `verification_uri`) and `/{tenant}/oauth2/deviceauth`."""
        methods = ["GET", "POST"]
        return [
            Route("/devicelogin", self.endpoint, methods=methods),
            Route("/{tenant}/oauth2/deviceauth", self.endpoint, methods=methods),
        ]

    async def endpoint(self, request: Request) -> HTMLResponse:
        """GET shows the form (`?otc=` pre-fills the code); POST approves or declines."""
        if request.method == "GET":
            return self._form(request.query_params.get("otc", ""))
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True))
        code = form.get("code", "")
        try:
            if form.get("action") == "decline":
                self.device_codes.decline(code)
                return _page(
                    "Sign-in declined", "<p>You declined the sign-in. You may now close this window.</p>"
                )
            upn = self._approve(code, form.get("user", ""), form.get("password", ""))
        except SignInError as err:
            return self._form(code, error=err.message, status=400)
        return _page(
            "Signed in",
            f"<p>You have signed in as <b>{escape(upn)}</b> on your device. "
            "You may now close this window.</p>",
        )

    def _approve(self, code: str, user_key: str, password: str) -> str:
        user = self.tenant.find_user(user_key)
        if user is None:
            raise SignInError("invalid_request", 50034, "Pick a user of this tenant.")
        if user.password is not None and not hmac.compare_digest(user.password.encode(), password.encode()):
            raise SignInError(
                "invalid_grant", 50126, "Error validating credentials due to invalid username or password."
            )
        self.device_codes.approve(code, user.id)
        return str(user.user_principal_name)

    def _form(self, code: str, *, error: str = "", status: int = 200) -> HTMLResponse:
        options = "".join(
            f'<option value="{escape(upn)}">{escape(name or upn)} ({escape(upn)})</option>'
            for upn, name in ((u.user_principal_name, u.display_name) for u in self.tenant.users)
        )
        body = (
            (f'<p class="error">{escape(error)}</p>' if error else "") + '<form method="post">'
            f'<label>Code <input name="code" value="{escape(code)}" autocomplete="off" autofocus></label>'
            f'<label>User <select name="user">{options}</select></label>'
            "<label>Password (only if the seed gives the user one) "
            '<input name="password" type="password"></label>'
            '<button name="action" value="approve">Approve</button> '
            '<button name="action" value="decline">Decline</button></form>'
        )
        return _page(f"Sign in to {escape(self.tenant.domain)}", body, status)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        _PAGE.format(title=title, body=body), status_code=status, headers={"Cache-Control": "no-store"}
    )
