"""Run the emulator on loopback: in a background thread (`Emulator`) or in the foreground (the CLI).

HTTPS by default with a locally generated certificate authority (trustme), because MSAL only talks https
(contract §9); `https=False` serves plain HTTP for raw clients.
"""

from __future__ import annotations

import json
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from certnb.emulator.app import EmulatorApp, build_app


class Emulator:
    """A local Graph emulator in a background thread; a context manager.

    >>> with Emulator(seed="data/tenant.json") as emu:   # doctest: +SKIP
    ...     emu.graph_url
    'https://127.0.0.1:50123/beta'
    """

    def __init__(
        self,
        seed: str | Path | dict[str, Any] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        https: bool = True,
        ca_file: str | Path | None = None,
        **knobs: Any,
    ) -> None:
        self._host = host
        self._requested_port = port
        self._https = https
        self._workdir = tempfile.TemporaryDirectory(prefix="certnb-emulator-")
        self._ca_path = Path(ca_file) if ca_file else Path(self._workdir.name) / "ca.pem"
        self.app: EmulatorApp = build_app(seed=seed, **knobs)
        self._thread: threading.Thread | None = None
        self._server: Any = None
        self._socket: socket.socket | None = None

    # ----------------------------------------------------------------- addresses
    @property
    def url(self) -> str:
        """The server root, e.g. `https://127.0.0.1:50123`."""
        if self._socket is None:
            raise RuntimeError("the emulator is not running; use `with Emulator() as emu:` or call start()")
        port = self._socket.getsockname()[1]
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"{'https' if self._https else 'http'}://{host}:{port}"

    @property
    def graph_url(self) -> str:
        """The Graph version root, `{url}/beta`."""
        return f"{self.url}/beta"

    @property
    def tenant_id(self) -> str:
        """The seeded tenant's id (the `{tenant}` of the identity endpoints)."""
        return self.app.tenant_id

    @property
    def ca_file(self) -> str | None:
        """PEM file of the certificate authority to trust (None over plain HTTP)."""
        return str(self._ca_path) if self._https else None

    def authority(self) -> str:
        """The MSAL authority URL for this emulator's tenant."""
        return f"{self.url}/{self.tenant_id}"

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> Emulator:
        """Bind loopback, start serving in a daemon thread and wait until it answers."""
        import uvicorn

        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self._host, self._requested_port))
        sock.listen(2048)
        self._socket = sock
        ssl: dict[str, Any] = {}
        if self._https:
            ssl = self._issue_certificate()
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_keep_alive=30,
            backlog=2048,
            **ssl,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="certnb-emulator", daemon=True
        )
        self._thread.start()
        self._wait_ready()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
        self._thread = None
        self._server = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._socket is not None else "stopped"
        return f"<Emulator {where} tenant={self.tenant_id}>"

    # ----------------------------------------------------------------- admin
    def stats(self) -> dict[str, Any]:
        """Request statistics: requests_total, by_route, batch_items, throttled, peak_in_flight, ..."""
        return self.app.stats_snapshot()

    def state(self) -> dict[str, Any]:
        """The tenant as it is now, in the seed format (contract §10)."""
        return self.app.state_snapshot()

    def reset(self) -> None:
        """Restore the seed, clear statistics and faults."""
        self.app.reset()

    def set_faults(self, **faults: Any) -> None:
        """Change fault knobs live, e.g. `emu.set_faults(throttle_rps=100, error_503_rate=0.1)`."""
        self.app.set_faults(**faults)

    # ----------------------------------------------------------------- internals
    def _issue_certificate(self) -> dict[str, Any]:
        import trustme

        ca = trustme.CA(organization_name="certnb emulator")
        cert = ca.issue_cert("127.0.0.1", "localhost", "::1")
        self._ca_path.parent.mkdir(parents=True, exist_ok=True)
        ca.cert_pem.write_to_path(str(self._ca_path))
        chain = Path(self._workdir.name) / "server.pem"
        key = Path(self._workdir.name) / "server.key"
        cert.private_key_pem.write_to_path(str(key))
        chain.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
        return {"ssl_certfile": str(chain), "ssl_keyfile": str(key)}

    def _wait_ready(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        verify: Any = str(self._ca_path) if self._https else False
        while time.monotonic() < deadline:
            if self._thread is not None and not self._thread.is_alive():
                raise RuntimeError("the emulator thread stopped while starting")
            try:
                httpx.get(f"{self.url}/_emulator/health", verify=verify, timeout=1.0)
                return
            except httpx.TransportError:
                time.sleep(0.02)
        raise RuntimeError(f"the emulator did not answer at {self.url} within {timeout} s")


def describe(emu: Emulator) -> str:
    """The one ready line the CLI prints."""
    return json.dumps({"graph_url": emu.graph_url, "tenant_id": emu.tenant_id, "ca_file": emu.ca_file})
