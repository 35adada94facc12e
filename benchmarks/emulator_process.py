"""An emulator in its own process, as a user runs it: a generated seed, `certnb emulator --http`, a token.

Every networked benchmark starts one of these, so the emulator's CPU is not the client's, and measures
against it by URL only.

    >>> with EmulatorProcess(seed_users=200, latency_ms=25) as emu:   # doctest: +SKIP
    ...     graph = emu.connect()
    ...     df = graph.load(users="all", progress=False)
    ...     emu.stats()["throttled"]
"""

from __future__ import annotations

import json
import signal
import ssl
import subprocess
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx


def write_seed(users: int, seed: int, path: Path) -> Path:
    """`certnb seed --users N --seed S -o FILE` (the generator the issue names), in a child process."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "certnb.cli",
            "seed",
            "--users",
            str(users),
            "--seed",
            str(seed),
            "-o",
            str(path),
        ],
        check=True,
        stderr=subprocess.DEVNULL,
    )
    return path


def start_emulator(*options: str) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """`certnb emulator OPTIONS` in a child process, and its JSON ready line."""
    process = subprocess.Popen(
        [sys.executable, "-m", "certnb.cli", "emulator", *options], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.kill()
        raise RuntimeError("the emulator exited before printing its ready line")
    return process, json.loads(line)


def stop(process: subprocess.Popen[str]) -> None:
    """SIGTERM (the emulator exits 0 on it), then kill if it lingers."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def sign_in(root: str, tenant_id: str, verify: ssl.SSLContext | bool = False, user: str | None = None) -> str:
    """An access token of `user` (a UPN; default: the tenant's default user): the password grant (contract
    §9). Generated seeds carry no passwords, and a user without one accepts any."""
    password = "x"
    if user is None:  # the whole tenant, to find its default user and password: only for small seeds
        state = httpx.get(f"{root}/_emulator/state", verify=verify, timeout=120).json()
        users = state["users"]
        wanted = state.get("defaultUser")
        found = next((u for u in users if wanted in (u["id"], u["userPrincipalName"])), users[0])
        user, password = found["userPrincipalName"], found.get("password") or "x"
    form = {
        "grant_type": "password",
        "client_id": "certnb-benchmark",
        "username": user,
        "password": password,
        "scope": "User.ReadWrite.All",
    }
    reply = httpx.post(f"{root}/{tenant_id}/oauth2/v2.0/token", data=form, verify=verify)
    reply.raise_for_status()
    token: str = reply.json()["access_token"]
    return token


class EmulatorProcess:
    """`certnb emulator --http` over a generated tenant, fault knobs as CLI options; a context manager."""

    def __init__(
        self, *, seed_users: int, seed: int = 7, seed_file: Path | None = None, **knobs: Any
    ) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="certnb-bench-")
        self.seed_file = seed_file or write_seed(seed_users, seed, Path(self._folder.name) / "tenant.json")
        self.options = ["--http", "--seed", str(self.seed_file)]
        for name, value in knobs.items():
            self.options += [f"--{name.replace('_', '-')}", str(value)]
        self.process: subprocess.Popen[str] | None = None
        self.ready: dict[str, Any] = {}

    def __enter__(self) -> EmulatorProcess:
        self.process, self.ready = start_emulator(*self.options)
        try:
            self.token = sign_in(self.root, self.tenant_id, user=self.ready.get("default_user"))
        except httpx.HTTPStatusError:  # the seed gives the default user a password: read it from the state
            self.token = sign_in(self.root, self.tenant_id)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.process is not None:
            stop(self.process)
        self._folder.cleanup()

    @property
    def graph_url(self) -> str:
        return str(self.ready["graph_url"])

    @property
    def root(self) -> str:
        return self.graph_url.removesuffix("/beta")

    @property
    def tenant_id(self) -> str:
        return str(self.ready["tenant_id"])

    def connect(self, **options: Any) -> Any:
        """A certnb `Graph` session on this emulator (a static token; plain http is allowed on loopback)."""
        import certnb

        return certnb.connect(base_url=self.graph_url, token=self.token, **options)

    def stats(self) -> dict[str, Any]:
        """The emulator's request statistics (GET /_emulator/stats)."""
        snapshot: dict[str, Any] = httpx.get(f"{self.root}/_emulator/stats").json()
        return snapshot

    def reset(self) -> None:
        """Restore the seed and clear statistics and faults (POST /_emulator/reset)."""
        httpx.post(f"{self.root}/_emulator/reset").raise_for_status()

    def set_faults(self, **knobs: Any) -> None:
        """Change fault knobs while it runs (POST /_emulator/faults)."""
        httpx.post(f"{self.root}/_emulator/faults", json=knobs).raise_for_status()
