"""Connection settings and where they come from: arguments → `CERTNB_*` environment → config file → default.

The arguments are connect()'s option objects and keywords (options.py); a key they leave None is looked up
in the environment, then in the config file:

    key              environment              config file (TOML, top level or a [certnb] table)
    tenant           CERTNB_TENANT            tenant = "contoso.onmicrosoft.com"
    client_id        CERTNB_CLIENT_ID         client_id = "..."
    cloud            CERTNB_CLOUD             cloud = "global" | "usgov" | "usgov-dod" | "china"
    auth             CERTNB_AUTH              auth = "device_code" | "interactive" | "password"
    base_url         CERTNB_BASE_URL          base_url = "https://graph.microsoft.com/beta"
    token_cache      CERTNB_TOKEN_CACHE       token_cache = "~/.cache/certnb/msal_cache.bin"
    timeout          CERTNB_TIMEOUT           timeout = 30
    max_concurrency  CERTNB_MAX_CONCURRENCY   max_concurrency = 8
    max_attempts     CERTNB_MAX_ATTEMPTS      max_attempts = 5
    require_reason   CERTNB_REQUIRE_REASON    require_reason = true   (staging needs a reason=: 1/0, yes/no)
    client_secret    CERTNB_CLIENT_SECRET     (only checked for presence: app-only sign-in is refused)

The config file is `config_file=`, else `$CERTNB_CONFIG`, else `~/.config/certnb/config.toml` if it exists.
A bad value raises `ConfigError` naming the key, the value and where it came from.

>>> Settings.resolve({"cloud": "china"}, environ={}).cloud.graph_root
'https://microsoftgraph.chinacloudapi.cn'
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from certnb.clouds import GLOBAL, Cloud, get_cloud
from certnb.errors import ConfigError
from certnb.staging.reason import yes_or_no

__all__ = ["AUTH_METHODS", "KEYS", "Settings", "check_setting", "default_token_cache"]

AUTH_METHODS = ("device_code", "interactive", "password")
KEYS = (
    "tenant",
    "client_id",
    "cloud",
    "auth",
    "base_url",
    "token_cache",
    "timeout",
    "max_concurrency",
    "max_attempts",
    "require_reason",
    "client_secret",
)


def default_token_cache(environ: Mapping[str, str] | None = None) -> Path:
    """Per-user, outside any project: `$XDG_CACHE_HOME/certnb/msal_cache.bin` or `~/.cache/certnb/...`."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "certnb" / "msal_cache.bin"


@dataclass(frozen=True)
class Settings:
    """Resolved connection settings (no secret is kept: only whether a client secret was set)."""

    tenant: str | None = None
    client_id: str | None = None
    cloud: Cloud = GLOBAL
    auth: str = "device_code"
    base_url: str | None = None
    token_cache: Path | None = None
    timeout: float = 30.0
    max_concurrency: int = 8
    max_attempts: int = 5
    require_reason: bool = False
    client_secret_set: bool = False
    sources: tuple[tuple[str, str], ...] = ()  # (key, where its value came from)

    @classmethod
    def resolve(
        cls,
        arguments: Mapping[str, Any],
        *,
        environ: Mapping[str, str] | None = None,
        config_file: str | Path | None = None,
    ) -> Settings:
        """Settings from `arguments` (None = not given), then `CERTNB_*` variables, then the config file."""
        env = os.environ if environ is None else environ
        file_values, file_name = _read_config_file(config_file, env)
        raw: dict[str, tuple[Any, str]] = {}
        for key in KEYS:
            if arguments.get(key) is not None:
                raw[key] = (arguments[key], "argument")
            elif env.get(f"CERTNB_{key.upper()}"):
                raw[key] = (env[f"CERTNB_{key.upper()}"], f"environment variable CERTNB_{key.upper()}")
            elif file_values.get(key) is not None:
                raw[key] = (file_values[key], f"config file {file_name}")
        values: dict[str, Any] = {}
        for key, (value, source) in raw.items():
            settled = check_setting(key, value, source)
            values["client_secret_set" if key == "client_secret" else key] = settled
        return cls(**values, sources=tuple((k, s) for k, (_, s) in raw.items() if k != "client_secret"))

    def source_of(self, key: str) -> str:
        """Where `key`'s value came from ("argument", "environment variable ...", ...) or "default"."""
        return dict(self.sources).get(key, "default")


def check_setting(key: str, value: Any, source: str = "argument") -> Any:
    """`value` of the setting `key` in its settled form (a `Cloud`, a `Path`, a number, a stripped string).

    A bad value raises `ConfigError` naming the key, the value and `source` (where it came from). A client
    secret settles to whether one was given: its value is never kept.

    >>> check_setting("timeout", "7"), check_setting("cloud", "USGov").name
    (7.0, 'usgov')
    >>> check_setting("max_attempts", 0, "environment variable CERTNB_MAX_ATTEMPTS")
    Traceback (most recent call last):
    certnb.errors.ConfigError: environment variable CERTNB_MAX_ATTEMPTS: bad value 0 for 'max_attempts': \
expected a positive whole number
    """
    if key == "cloud":
        return get_cloud(value, source=source)
    if key == "auth":
        if value not in AUTH_METHODS:
            raise ConfigError("auth", value, f"one of {', '.join(AUTH_METHODS)}", source=source)
        return value
    if key == "token_cache":
        if not isinstance(value, str | os.PathLike) or not str(value).strip():
            raise ConfigError(key, value, "a file path", source=source)
        return Path(str(value)).expanduser()
    if key == "timeout":
        return _number(key, value, source, float)
    if key in ("max_concurrency", "max_attempts"):
        return _number(key, value, source, int)
    if key == "client_secret":
        return bool(value)
    if key == "require_reason":
        return yes_or_no(value, source)
    if key not in KEYS:
        raise ConfigError(key, value, f"a known setting ({', '.join(KEYS)})", source=source)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(key, value, "a non-empty string", source=source)
    return value.strip()


def _number(key: str, value: Any, source: str, kind: type) -> Any:
    try:
        number = kind(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        number = None
    if number is None or number <= 0 or (kind is int and float(value) != number):
        expected = f"a positive {'whole number' if kind is int else 'number'}"
        raise ConfigError(key, value, expected, source=source)
    return number


def _read_config_file(config_file: str | Path | None, env: Mapping[str, str]) -> tuple[dict[str, Any], str]:
    explicit = config_file or env.get("CERTNB_CONFIG")
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigError("config_file", str(path), "an existing TOML file")
    else:
        base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        path = Path(base) / "certnb" / "config.toml"
        if not path.is_file():
            return {}, ""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("config_file", str(path), f"valid TOML ({exc})") from None
    table = data.get("certnb", data)
    if not isinstance(table, dict):
        raise ConfigError("config_file", str(path), "a [certnb] table")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ConfigError(
            unknown[0], table[unknown[0]], f"a known key ({', '.join(KEYS)})", source=f"config file {path}"
        )
    return table, str(path)
