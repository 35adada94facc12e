"""pytest plugin shipped with certnb: a `graph_emulator` fixture for your own tests.

Installed with certnb (entry point `pytest11: certnb`), so any test can ask for it. One emulator serves the
whole session (starting one costs a TLS certificate and a thread); it is reset before each test — seed
restored, statistics and faults cleared — so tests do not see each other's changes.

    def test_reads_my_certifications(graph_emulator):
        token = graph_emulator.access_token()
        reply = httpx.get(f"{graph_emulator.graph_url}/me/profile/certifications",
                          headers={"Authorization": f"Bearer {token}"}, verify=graph_emulator.verify())
        assert reply.status_code == 200

    @pytest.mark.certnb_emulator(page_size=2, throttle_rps=5)
    def test_pages_and_throttle(graph_emulator): ...

    @pytest.mark.certnb_emulator(throttle_profile="outlook-mailbox",
                                 throttle_limits={"Mailbox/Requests": [5, 1]})
    def test_per_mailbox_limits(graph_emulator): ...

Configuration, later wins: ini options `certnb_emulator_seed` (a seed file, relative to the rootdir),
`certnb_emulator_https` (default true) and `certnb_emulator_knobs` (lines `name = value`, values JSON), then
the `certnb_emulator(seed=..., https=..., **knobs)` marker. Fault knobs are applied after each reset; other
knobs (`page_size`, `strict`, ...) need their own emulator, which is started once and kept for the session.

This module loads in every pytest run, so it imports nothing heavy until a test asks for the fixture.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from certnb.emulator.server import Emulator

MARKER = "certnb_emulator"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the ini options of the `graph_emulator` fixture."""
    parser.addini("certnb_emulator_seed", "seed tenant JSON file for graph_emulator (default: built-in)")
    parser.addini(
        "certnb_emulator_https", "graph_emulator serves HTTPS (default: true)", type="bool", default=True
    )
    parser.addini(
        "certnb_emulator_knobs",
        "graph_emulator knobs, one `name = value` a line, values in JSON (e.g. `page_size = 5`)",
        type="linelist",
        default=[],
    )


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker, so `--strict-markers` accepts it."""
    config.addinivalue_line(
        "markers", f"{MARKER}(seed=None, https=True, **knobs): configure graph_emulator for this test"
    )


class EmulatorPool:
    """The session's emulators, one per distinct (seed, https, non-fault knobs); stopped by `close()`."""

    def __init__(self) -> None:
        self._running: dict[str, Emulator] = {}

    def get(self, seed: str | dict[str, Any] | None, https: bool, knobs: dict[str, Any]) -> Emulator:
        """A running emulator for this configuration, started on first use."""
        from certnb.emulator.server import Emulator

        key = json.dumps([seed, https, knobs], sort_keys=True, default=str)
        emulator = self._running.get(key)
        if emulator is None:
            emulator = Emulator(seed=seed, https=https, **knobs).start()
            self._running[key] = emulator
        return emulator

    def close(self) -> None:
        """Stop every emulator of the session."""
        for emulator in self._running.values():
            emulator.stop()
        self._running.clear()


@pytest.fixture(scope="session")
def graph_emulator_pool() -> Iterator[EmulatorPool]:
    """Session-wide emulators behind `graph_emulator`."""
    pool = EmulatorPool()
    yield pool
    pool.close()


@pytest.fixture
def graph_emulator(request: pytest.FixtureRequest, graph_emulator_pool: EmulatorPool) -> Emulator:
    """A running Graph emulator (`certnb.emulator.Emulator`), reset to its seed for this test."""
    from certnb.emulator.config import Faults

    seed, https, knobs = _settings(request)
    fault_names = set(Faults.__dataclass_fields__)
    faults = {name: value for name, value in knobs.items() if name in fault_names}
    others = {name: value for name, value in knobs.items() if name not in fault_names}
    emulator = graph_emulator_pool.get(seed, https, others)
    emulator.reset()
    if faults:
        emulator.set_faults(**faults)
    return emulator


def _settings(request: pytest.FixtureRequest) -> tuple[str | dict[str, Any] | None, bool, dict[str, Any]]:
    config = request.config
    root = config.rootpath
    seed: str | dict[str, Any] | None = None
    if config.getini("certnb_emulator_seed"):
        seed = str(root / str(config.getini("certnb_emulator_seed")))
    https = bool(config.getini("certnb_emulator_https"))
    knobs = _ini_knobs(config.getini("certnb_emulator_knobs"))
    marker = request.node.get_closest_marker(MARKER)
    if marker is not None:
        if marker.args:
            raise pytest.UsageError(f"@pytest.mark.{MARKER} takes keywords only, got {marker.args!r}")
        options = dict(marker.kwargs)
        if "seed" in options:
            value = options.pop("seed")
            seed = value if value is None or isinstance(value, dict) else str(root / Path(value))
        https = bool(options.pop("https", https))
        knobs.update(options)
    return seed, https, knobs


def _ini_knobs(lines: list[str]) -> dict[str, Any]:
    knobs: dict[str, Any] = {}
    for line in lines:
        name, sep, raw = line.partition("=")
        if not sep:
            raise pytest.UsageError(f"certnb_emulator_knobs: expected `name = value`, got {line!r}")
        try:
            value = json.loads(raw.strip())
        except ValueError:
            value = raw.strip()  # a bare word is a string
        knobs[name.strip()] = value
    return knobs
