"""The emulator's knobs: behaviour choices Graph leaves open (contract §10) and injected faults.

Every knob has an `Emulator(**knobs)` keyword of the same name, and a CLI flag (`certnb emulator --help`;
`write_refusals` is `--refuse-writes PERSON=REFUSAL`, repeatable).
Faults can also be changed live (`emu.set_faults(...)`, or `POST /_emulator/faults`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from certnb.emulator.payload import MAX_JSON_DEPTH, MAX_REQUEST_BYTES


@dataclass
class ScriptedFault:
    """Answer the `nth` (1-based) request matching `method` and `path_contains` with `status` (or drop it).

    `status` 0 means drop the connection. With `applied=True` the request is executed first and the fault
    answered afterwards ("applied but answered 429").
    """

    nth: int
    status: int
    method: str = "*"
    path_contains: str = ""
    applied: bool = False
    retry_after: str | None = None


@dataclass
class Faults:
    """Injected faults; rates are probabilities per request (per item inside `$batch`)."""

    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    throttle_rps: float = 0.0  # 0 = no throttle
    throttle_burst: int = 0  # 0 = max(1, rps)
    # Contract §8.1, throttle_profiles.py: Graph's stacked scopes ("graph-large", "outlook-mailbox", ...),
    # each limit × throttle_scale and each window × throttle_window_scale, single scopes overridden by
    # throttle_limits ({"Tenant/Write": [limit, window_s]}); "single" is the throttle_rps bucket alone.
    throttle_profile: str = "single"
    throttle_scale: float = 1.0
    throttle_window_scale: float = 1.0
    throttle_limits: dict[str, list[float]] = field(default_factory=dict)
    fractional_retry_after: bool = False
    error_500_rate: float = 0.0
    error_503_rate: float = 0.0
    error_504_rate: float = 0.0
    drop_rate: float = 0.0
    applied_but_429_rate: float = 0.0
    scripted: list[ScriptedFault] = field(default_factory=list)
    random_seed: int | None = None
    # Contract §13: writes to these people's profiles (id, UPN or "*") refused as tenants do (refusals.py)
    write_refusals: dict[str, str] = field(default_factory=dict)


@dataclass
class EmulatorConfig:
    """Behaviour switches; `faults` holds what is injected."""

    page_size: int = 10  # contract §6 [undocumented]: certifications per page by default
    max_top: int = 999
    strict: bool = False  # 400 for read-only/unknown properties instead of ignoring them (contract §2)
    unknown_error_fidelity: bool = False  # 400/404 answered as `UnknownError` with an empty message (§3)
    max_request_bytes: int = MAX_REQUEST_BYTES  # contract §11.1: Graph's 4 MB per request; over it → 413
    max_json_depth: int = MAX_JSON_DEPTH  # contract §11.2: System.Text.Json's default MaxDepth; deeper → 400
    # Contract §13 [undocumented]: a write to a value an admin-controlled source owns is refused (403), or
    # accepted and put back by the next `run_import()` ("revert").
    source_owned_writes: str = "refuse"
    token_lifetime_s: int = 3600
    faults: Faults = field(default_factory=Faults)
    # Identity knobs (certnb/emulator/identity, contract §9).
    device_code_auto_approve: bool = True  # the seed's default user approves every device code at once
    device_code_interval_s: int = 5  # polling interval a device code asks for (the identity platform's)
    device_code_expires_s: int = 900  # the identity platform's 15 minutes
    refresh_token_lifetime_s: int = 90 * 24 * 3600
    default_scopes: str = "User.ReadWrite.All"  # what `{resource}/.default` grants a delegated token
    app_roles: str = "User.ReadWrite.All"  # the `roles` of a client-credentials token (Graph refuses it, §4)

    @classmethod
    def from_knobs(cls, **knobs: Any) -> EmulatorConfig:
        """Build a config from flat keywords (`page_size=5, throttle_rps=100`), naming any unknown one."""
        config = cls()
        fault_names = set(Faults.__dataclass_fields__)
        for name, value in knobs.items():
            if name == "faults":
                continue
            if name in fault_names:
                setattr(config.faults, name, value)
            elif name in cls.__dataclass_fields__:
                setattr(config, name, value)
            else:
                known = sorted(set(cls.__dataclass_fields__) | fault_names)
                raise TypeError(f"unknown emulator knob {name!r}; known knobs: {', '.join(known)}")
        if config.source_owned_writes not in ("refuse", "revert"):
            raise ValueError(
                "emulator knob source_owned_writes must be 'refuse' or 'revert', "
                f"got {config.source_owned_writes!r}"
            )
        for name in _POSITIVE_LIMITS:
            value = getattr(config, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"emulator knob {name} must be a whole number of at least 1, got {value!r}")
        return config


# Limits whose 0 or negative value would refuse every request instead of meaning "no limit".
_POSITIVE_LIMITS = ("max_request_bytes", "max_json_depth")
