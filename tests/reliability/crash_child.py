"""The process the crash tests kill with SIGKILL: it stages or commits from a journal, printing progress.

    python crash_child.py stage  JOURNAL EDITS           stage the missing edits one call at a time,
                                                         printing "staged N" once each call has returned
    python crash_child.py commit JOURNAL EDITS GRAPH_URL commit the journal's pending edits

The token comes from the environment (CERTNB_CHILD_TOKEN), never the command line (visible in `ps`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from reliability_tenant import seed, targets

import certnb
from certnb.frame.build import build_frame
from certnb.staging import Staged


def frame_of(edits: int) -> object:
    """The tenant's certification frame built from the seed (what a load would give), without a network."""
    return build_frame(seed(edits)["users"])


def stage(journal: Path, edits: int) -> None:
    frame = frame_of(edits)
    staged = Staged.open(journal, frame) if journal.exists() else certnb.stage(frame, journal=journal)
    done = {e.row_key for e in staged.edits}
    for n, (user, cert, end) in enumerate(targets(edits), start=1):
        if (user, cert) not in done:
            staged.set((user, cert), endDate=end)
        print(f"staged {n}", flush=True)
    print("done", flush=True)


def commit(journal: Path, graph_url: str) -> None:
    token = os.environ["CERTNB_CHILD_TOKEN"]
    with certnb.connect(base_url=graph_url, token=token, write=True, all_users=True,
                        max_concurrency=2) as graph:
        staged = Staged.open(journal)
        print("committing", flush=True)
        result = graph.commit(staged)
        print(f"done {result.summary()}", flush=True)


if __name__ == "__main__":
    mode, journal_path, count = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    if mode == "stage":
        stage(journal_path, count)
    else:
        commit(journal_path, sys.argv[4])
