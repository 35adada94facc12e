"""The commit progress seam: PATCHes counted as the runner's `$batch` answers come back, reads not."""

from __future__ import annotations

from typing import cast

from widget_tenant import IDS

from certnb.commit.result import CommitResult
from certnb.commit.run import commit
from certnb.emulator.server import Emulator
from certnb.graph.client import Graph
from certnb.staging import stage
from certnb.widgets.progress import ProgressGraph


def test_progress_counts_answered_patches_only(emu: Emulator, graph: Graph) -> None:
    staged = stage(graph.load(users="all"))
    for upn, cert in (("admin@contoso.example", "a1"), ("bob@contoso.example", "b1"),
                      ("carol@contoso.example", "c2")):
        staged.set((IDS[upn], cert), certificationId=f"NEW-{cert}")
    seen: list[int] = []
    counted = ProgressGraph(graph, seen.append)
    assert counted.base_url == graph.base_url  # everything else reaches the session
    result = commit(cast(Graph, counted), staged)
    assert isinstance(result, CommitResult) and result.counts == {"applied": 3}
    assert seen == [3] and counted.patches == 3  # the conflict-check reads were not counted
