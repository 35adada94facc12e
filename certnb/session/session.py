"""`Session`: what `certnb.connect()` returns — a signed-in `Graph` with certnb's workflow on top.

    session.load(users)            certifications as a typed DataFrame (certnb.frame.load); with
                                   `snapshot=path` also kept as an audit snapshot (certnb.history)
    session.plan(staged)           the dry run: every PATCH a commit would send, with its body; sends nothing
    session.commit(staged)         conflict-checked, journaled, audited PATCHes (certnb.commit), one
                                   outcome per edit; `on_progress(progress)` after each round of outcomes
    session.sign_out()             forget the account (MSAL's cache and the cache file), then close

Everything else (`get`, `get_all`, `batch`, `patch`, `me`, the knobs, `close`) is `certnb.graph.Graph`'s:
the HTTP layer below knows nothing of frames, staging or commits, so these convenience methods live here.

>>> session = certnb.connect(emulator=True, write=True, all_users=True)   # doctest: +SKIP
>>> df = session.load(users="all")                                        # doctest: +SKIP
>>> staged = certnb.stage(df)                                             # doctest: +SKIP
>>> staged.set(df["issuingCompany"] == "MSFT", issuingCompany="Microsoft")  # doctest: +SKIP
>>> session.plan(staged)                                                  # doctest: +SKIP
Commit plan (dry run, nothing sent): 3 PATCH requests carrying 3 edits ...
>>> session.commit(staged)                                                # doctest: +SKIP
3 applied
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from certnb.commit import CommitPlan, CommitProgress, CommitResult, commit
from certnb.commit.plan import plan
from certnb.frame.load import load_certifications
from certnb.graph.client import Graph
from certnb.graph.limits import learned_rate
from certnb.history import snapshot as keep
from certnb.staging.reason import ACCOUNT_ATTR, REQUIRE_REASON_ATTR

if TYPE_CHECKING:
    import pandas as pd

    from certnb.graph.auth import GraphAuth
    from certnb.staging import Staged

__all__ = ["Session", "dry_run"]


def dry_run(staged: Staged, *, base_url: str | None = None) -> CommitPlan:
    """The commit plan of `staged` against the Graph root `base_url` (default: the global cloud's): pure.

    >>> import certnb
    >>> dry_run(certnb.stage(None))
    Commit plan (dry run, nothing sent): 0 PATCH requests carrying 0 edits
    """
    return plan(staged, base_url=base_url)


class Session(Graph):
    """A signed-in Graph session: Graph's verbs plus `load`, `plan`, `commit` and `sign_out`.

    Made by `certnb.connect(...)`; `on_sign_out` is what `sign_out()` runs before closing (MSAL forgets the
    account). Use it with `with` or call `close()` to release its connections.

    >>> with certnb.connect(emulator=True) as session:   # doctest: +SKIP
    ...     session.load()
    """

    def __init__(
        self, base_url: str, auth: GraphAuth, *, on_sign_out: Callable[[], None] | None = None, **graph: Any
    ) -> None:
        super().__init__(base_url, auth, **graph)
        self._on_sign_out = on_sign_out
        # connect(require_reason=...), CERTNB_REQUIRE_REASON or the config file: staging a frame this
        # session loaded needs a reason= (None: not said; certnb.staging.reason)
        self.require_reason: bool | None = None

    def load(
        self,
        users: str | Sequence[str] | None = None,
        *,
        progress: bool | None = None,
        page_size: int | None = None,
        profile_sources: bool = False,
        snapshot: str | os.PathLike[str] | None = None,
    ) -> pd.DataFrame:
        """Certifications as a typed DataFrame: of the signed-in user, of `users` (UPNs or ids), or `"all"`.

        `profile_sources=True` also reads the tenant's profile sources (`/admin/people/profileSources`,
        `PeopleSettings.Read.All`), so `sourceNames` and `ownedBy` name a connector ("Workday (HR connector)")
        instead of showing its id; see `certnb.frame.load`. `snapshot=path` keeps the frame as an audit
        snapshot there (a folder, or a file ending `.duckdb`) with this session's tenant and account, for
        `certnb.history(path)`.

        >>> df = session.load(users="all", snapshot="audits/")  # doctest: +SKIP
        >>> df.certs.expiring(days=90, asof="2026-11-30")  # doctest: +SKIP
        """
        frame = load_certifications(self, users, progress=progress, page_size=page_size,
                                    profile_sources=profile_sources)
        if self.account:  # who stages edits of this frame (certnb.staging.reason: stage(df) journals it)
            frame.attrs[ACCOUNT_ATTR] = self.account
        if self.require_reason is not None:
            frame.attrs[REQUIRE_REASON_ATTR] = self.require_reason
        if snapshot is not None:
            keep(frame, snapshot, tenant=self.tenant_id, account=self.account)
        return frame

    def plan(self, staged: Staged) -> CommitPlan:
        """The dry run: every PATCH a commit of `staged` would send to this session's Graph. Sends nothing.

        >>> print(session.plan(staged))  # doctest: +SKIP
        Commit plan (dry run, nothing sent): 1 PATCH request carrying 1 edit ...
        """
        # The estimate a big plan shows counts with the rate Graph allowed this session, if it learned one.
        planned = dry_run(staged, base_url=self.base_url)
        return dataclasses.replace(planned, learned_rate=learned_rate(self, "writes"))

    def commit(
        self,
        staged: Staged,
        *,
        on_progress: Callable[[CommitProgress], None] | None = None,
        audit_log: str | os.PathLike[str] | None = None,
        progress: bool | None = None,
    ) -> CommitResult:
        """Commit the staged edits (conflict-checked, journaled, audited); one outcome per edit.

        `on_progress(progress)` is called after each round of outcomes is journaled (`progress.done` of
        `progress.total`, `progress.counts` by outcome); `progress` shows a tqdm bar with a live ETA after
        the estimate (default: for more than 100 edits); `audit_log` defaults to `<journal>.audit.jsonl`.
        Committing again resumes: only what is not yet applied is sent; Ctrl-C stops with
        `CommitInterrupted`, which says how.

        >>> session.commit(staged)  # doctest: +SKIP
        12 applied, 1 conflict
        """
        return commit(self, staged, on_progress=on_progress, audit_log=audit_log, progress=progress)

    def sign_out(self) -> None:
        """Forget the signed-in account (MSAL's cache and the cache file), then close the session."""
        if self._on_sign_out is not None:
            self._on_sign_out()
        self.close()
