"""A process that shares one journal with another: both start when a "go" file appears.

    python concurrent_child.py stage  JOURNAL GO EDITS PART   stage the edits n with n % 2 == PART, one call
                                                              each, printing "staged USER CERT" once each call
                                                              has returned; then one bulk call of the rest
    python concurrent_child.py commit JOURNAL GO GRAPH_URL    commit the journal; prints "pid PID HOST", then
                                                              "done SUMMARY" or "refused MESSAGE"

The token comes from the environment (CERTNB_CHILD_TOKEN), never the command line (visible in `ps`).
"""

from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path

import pandas as pd
from reliability_tenant import seed, targets

import certnb
from certnb.frame.build import build_frame
from certnb.staging import Staged


def wait_for(go: Path) -> None:
    while not go.exists():
        time.sleep(0.001)


def stage(journal: Path, go: Path, edits: int, part: int) -> None:
    frame = build_frame(seed(edits)["users"])
    mine = [t for n, t in enumerate(targets(edits)) if n % 2 == part]
    singles, bulk = mine[: len(mine) // 2], mine[len(mine) // 2:]
    wait_for(go)
    staged = certnb.stage(frame, journal=journal, resume=True)  # the other process may have begun it
    for user, cert, end in singles:
        staged.set((user, cert), endDate=end)
        print(f"staged {user} {cert}", flush=True)
    label = dict(zip(zip(frame["userId"], frame["id"], strict=True), frame.index, strict=True))
    ends = pd.Series({label[user, cert]: end for user, cert, end in bulk})
    staged.set(ends.index, endDate=ends)  # one call, one transaction
    for user, cert, _ in bulk:
        print(f"staged {user} {cert}", flush=True)
    print("done", flush=True)


def commit(journal: Path, go: Path, graph_url: str) -> None:
    token = os.environ["CERTNB_CHILD_TOKEN"]
    with certnb.connect(base_url=graph_url, token=token, write=True, all_users=True,
                        max_concurrency=1) as graph:
        staged = Staged.open(journal)
        print(f"pid {os.getpid()} {socket.gethostname()}", flush=True)
        wait_for(go)
        try:
            result = graph.commit(staged)
        except certnb.JournalInUse as refused:
            print(f"refused {refused}", flush=True)
            return
        print(f"done {result.summary()}", flush=True)


if __name__ == "__main__":
    mode, journal_path, go_path = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    if mode == "stage":
        stage(journal_path, go_path, int(sys.argv[4]), int(sys.argv[5]))
    else:
        commit(journal_path, go_path, sys.argv[4])
