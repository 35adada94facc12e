"""A commit under the faults a real tenant produces keeps its promise (contract §3, §7, §8).

500 edits (2,000 under `make soak`) committed through throttling at 150 requests/s, 10% 503, 5% dropped
connections (inside `$batch` an item's drop is a 504), 2% "applied but answered 429" and 10 ± 10 ms latency,
while a second client changes 50 of the targeted certifications. Then:

- every edit ends `applied` or `already_applied`, except the 50, which end `conflict`;
- the server's final state equals the expected one exactly (server-set modification stamps aside), the
  other client's 50 values included;
- no certification was sent two different PATCH bodies, and none of the 50 was PATCHed by the commit.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from reliability_tenant import (
    OTHER_CLIENTS_END,
    SCALE,
    RecordingTransport,
    comparable,
    expected_state,
    seed,
    targets,
)

import certnb
from certnb.emulator.server import Emulator
from certnb.staging import Staged

FAULTS: dict[str, Any] = {
    # A throttle the commit cannot stay under, so 429s really happen (the slow start avoids a loose one).
    "throttle_rps": 60, "throttle_burst": 20, "error_503_rate": 0.10, "drop_rate": 0.05,
    "applied_but_429_rate": 0.02, "latency_ms": 10, "jitter_ms": 10, "random_seed": 20261129,
}
CONFLICTS = 50


def endDate_series(frame: pd.DataFrame, wanted: dict[tuple[str, str], str]) -> pd.Series:
    keys = list(zip(frame["userId"], frame["id"], strict=True))
    return pd.Series([wanted.get(k) for k in keys], index=frame.index, dtype=object)


class OtherClient(threading.Thread):
    """A second signed-in client that changes certifications as soon as the commit starts writing.

    It writes plain PATCHes through the same faults (real dropped connections included) and re-reads until
    the server holds its value, the way a careful client would.
    """

    def __init__(self, emu: Emulator, keys: list[tuple[str, str]], done: threading.Event) -> None:
        super().__init__(name="other-client", daemon=True)
        self.emu, self.keys, self.done = emu, keys, done
        self.token = emu.access_token("admin@contoso.example", scopes="User.ReadWrite.All")
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not any(r.startswith("PATCH ") for r in self.emu.stats()["by_route"]):
                time.sleep(0.002)
            with httpx.Client(base_url=self.emu.graph_url, verify=self.emu.verify(), timeout=10,
                              headers={"Authorization": f"Bearer {self.token}"}) as client:
                for user, cert in self.keys:
                    self._write(client, f"/users/{user}/profile/certifications/{cert}")
        except BaseException as error:  # reported by the test
            self.error = error
        finally:
            self.done.set()

    def _write(self, client: httpx.Client, path: str) -> None:
        for _ in range(100):
            try:
                reply = client.patch(path, json={"endDate": OTHER_CLIENTS_END})
                if reply.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
            try:
                current = client.get(path, params={"$select": "endDate"})
                if current.status_code == 200 and current.json()["endDate"] == OTHER_CLIENTS_END:
                    return
            except httpx.TransportError:
                pass
        raise RuntimeError(f"the other client could not write {path}")


@pytest.mark.slow
def test_commit_under_faults_and_a_concurrent_writer(tmp_path: Path) -> None:
    with Emulator(seed()) as emu:
        transport = RecordingTransport(verify=emu.verify(), limits=httpx.Limits(max_connections=32))
        with certnb.connect(emulator=emu, write=True, all_users=True, transport=transport) as graph:
            frame = graph.load(users="all")
            initial = emu.state()
            wanted = {(u, c): end for u, c, end in targets()}
            assert len(wanted) == SCALE
            journal = tmp_path / "edits.journal"
            staged = certnb.stage(frame, journal=journal)
            staged.set(frame["userId"] != "u-admin", endDate=endDate_series(frame, wanted))
            assert len(staged) == SCALE

            conflicted = [(u, c) for u, c, _ in targets()[-CONFLICTS:]]
            other = OtherClient(emu, conflicted, transport.release)
            # Graph has no ETag (contract §2): a change landing between the commit's re-read and its PATCH
            # cannot be seen by any client. The other client starts once the commit writes; the commit's
            # re-read of those users waits until the other client is done (the runner reads chunk by chunk,
            # so this holds only the last chunk).
            transport.hold_reads_of = frozenset(u for u, _ in conflicted)
            emu.set_faults(**FAULTS)
            other.start()
            result = graph.commit(staged)
            other.join(timeout=60)
            emu.set_faults(throttle_rps=0, error_503_rate=0, drop_rate=0, applied_but_429_rate=0,
                           latency_ms=0, jitter_ms=0)
            stats = emu.stats()

        assert other.error is None, other.error
        by_key = {(o.user_id, o.cert_id): o.outcome for o in result}
        assert len(by_key) == SCALE
        assert {by_key[k] for k in conflicted} == {"conflict"}, result.counts
        others = {k: v for k, v in by_key.items() if k not in set(conflicted)}
        failed = result.table[~result.table["outcome"].isin(["applied", "already_applied", "conflict"])]
        assert set(others.values()) <= {"applied", "already_applied"}, failed.to_dict("records")

        # The faults really happened: throttling, injected 5xx/504 items, "applied but 429".
        assert stats["throttled"] > 0
        assert int(stats["by_status"].get("503", 0)) > 0 and int(stats["by_status"].get("504", 0)) > 0

        writes = {k: end for k, end in wanted.items() if k not in set(conflicted)}
        writes.update({k: OTHER_CLIENTS_END for k in conflicted})
        assert comparable(emu.state()) == expected_state(initial, writes)

        bodies = transport.bodies_by_path()
        twice = {path: sent for path, sent in bodies.items() if len(sent) > 1}
        assert twice == {}
        conflicted_paths = {f"/users/{u}/profile/certifications/{c}" for u, c in conflicted}
        assert not conflicted_paths & set(bodies)
        assert len(bodies) == SCALE - CONFLICTS

        reopened = Staged.open(journal)
        assert reopened.edits == staged.edits
        assert {(e.user_id, e.cert_id) for e in reopened.pending()} == set(conflicted)
