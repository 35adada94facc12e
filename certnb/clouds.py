"""The four national clouds: each fixes the sign-in host, the Graph root and the scope prefix together (§5).

Tokens do not cross clouds, so a session takes all three from one `Cloud`.

>>> cloud = get_cloud("usgov")
>>> cloud.graph_url, cloud.scope("User.Read"), cloud.authority("contoso.onmicrosoft.us")
('https://graph.microsoft.us/beta', 'https://graph.microsoft.us/User.Read', \
'https://login.microsoftonline.us/contoso.onmicrosoft.us')
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from certnb.errors import ConfigError

__all__ = ["CLOUDS", "Cloud", "get_cloud", "is_national_sign_in"]


@dataclass(frozen=True)
class Cloud:
    """One national cloud: its name, sign-in host and Graph root (contract §5).

    >>> GLOBAL.scope("User.ReadWrite.All")
    'https://graph.microsoft.com/User.ReadWrite.All'
    """

    name: str
    login_host: str
    graph_root: str

    @property
    def graph_url(self) -> str:
        """The beta version root, `{graph_root}/beta`."""
        return f"{self.graph_root}/beta"

    def scope(self, name: str) -> str:
        """A delegated scope with this cloud's resource prefix; already-prefixed scopes pass through."""
        return name if "/" in name else f"{self.graph_root}/{name}"

    def authority(self, tenant: str) -> str:
        """The MSAL authority for a tenant (id, domain, `organizations` or `common`)."""
        return f"{self.login_host}/{tenant}"


GLOBAL = Cloud("global", "https://login.microsoftonline.com", "https://graph.microsoft.com")
USGOV = Cloud("usgov", "https://login.microsoftonline.us", "https://graph.microsoft.us")
USGOV_DOD = Cloud("usgov-dod", "https://login.microsoftonline.us", "https://dod-graph.microsoft.us")
CHINA = Cloud("china", "https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn")

CLOUDS: dict[str, Cloud] = {cloud.name: cloud for cloud in (GLOBAL, USGOV, USGOV_DOD, CHINA)}


def get_cloud(name: str | Cloud, *, source: str = "argument") -> Cloud:
    """The `Cloud` called `name` (case-insensitive); `ConfigError` naming the key and value otherwise.

    >>> get_cloud("China").graph_root
    'https://microsoftgraph.chinacloudapi.cn'
    """
    if isinstance(name, Cloud):
        return name
    cloud = CLOUDS.get(str(name).strip().lower())
    if cloud is None:
        raise ConfigError("cloud", name, f"one of {', '.join(CLOUDS)}", source=source)
    return cloud


def is_national_sign_in(url: str) -> bool:
    """True when `url` (an authority or a sign-in host) is on one of the four clouds' sign-in hosts.

    Only these may be sent to MSAL's instance discovery: for any other host (the emulator, a stand-in on
    loopback) it would ask login.microsoftonline.com, a host outside the cloud (contract §9).

    >>> is_national_sign_in("https://login.chinacloudapi.cn/contoso.cn")
    True
    >>> is_national_sign_in("https://127.0.0.1:8443/t"), is_national_sign_in("login.microsoftonline.com.x")
    (False, False)
    """
    parts = urlsplit(url if "://" in url else f"https://{url}")
    return parts.scheme == "https" and any(
        parts.netloc.lower() == urlsplit(cloud.login_host).netloc for cloud in CLOUDS.values()
    )
