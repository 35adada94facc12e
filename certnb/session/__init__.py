"""The session layer: `certnb.connect()`, the options it takes, sign-in, and the `Session` it returns.

    connect.py      connect(): the emulator, a real tenant, or a token → a signed-in `Session`
    options.py      Target, SignIn, Http: what connect() is told (typed, frozen, checked), and its keywords
    settings.py     the lookup: arguments → CERTNB_* environment → config file → default
    session.py      Session(Graph): Graph's verbs plus load, plan (the dry run), commit and sign_out
    sign_in.py      MSAL's sign-in flows, the signed-in account's tokens, the token cache file
    signin_host.py  MSAL's app for the cloud's own sign-in host; its failures as certnb errors

The layer sits above commit, staging, frame and graph, and below widgets, demo and cli. Only graph/
imports httpx; MSAL (and requests, its HTTP library) are imported here, when signing in. `Session` loads on
first use, so `import certnb` stays light.

>>> from certnb.session import Http, SignIn, Target
>>> Target(cloud="china").cloud.graph_url
'https://microsoftgraph.chinacloudapi.cn/beta'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from certnb.session.connect import connect
from certnb.session.options import Http, SignIn, Target

if TYPE_CHECKING:
    from certnb.session.session import Session

__all__ = ["Http", "Session", "SignIn", "Target", "connect"]


def __getattr__(name: str) -> Any:
    if name == "Session":  # httpx and the commit layer load with it
        from certnb.session.session import Session

        return Session
    raise AttributeError(f"module 'certnb.session' has no attribute {name!r}")
