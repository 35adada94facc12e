"""A commit that stops part-way (Ctrl-C, "interrupt kernel", a sign-in that lapsed): what was kept, in words,
with the exact command that resumes it.

The runner journals every outcome it received before the stop is reported (recording.py), and a commit
again leaves out what is done and re-reads what may have landed unrecorded (run.py): so nothing is lost and
nothing applied is sent again. The interrupt itself stays a `KeyboardInterrupt` (`CommitInterrupted`).

    >>> print(stopped_words(4_210, 20_000, "edits.journal"))
    Stopped after 4,210 of 20,000 edits; nothing is lost: every outcome received is in the journal edits.journal. Resume with: session.commit(staged) (in a new kernel: staged = certnb.Staged.open('edits.journal'), then session.commit(staged)).
"""  # noqa: E501

from __future__ import annotations

from pathlib import Path

from certnb.errors import AuthenticationError, CertnbError, CommitInterrupted, SignInError

__all__ = ["stopped", "stopped_words"]


def stopped_words(done: int, total: int, journal: Path | str | None) -> str:
    """What a stopped commit kept, and the command that resumes it.

    >>> print(stopped_words(0, 3, None))
    Stopped after 0 of 3 edits; nothing is lost while this kernel runs (the journal is in memory). Resume with: session.commit(staged).
    """  # noqa: E501
    head = f"Stopped after {done:,} of {total:,} edit{'s' if total != 1 else ''}; nothing is lost"
    again = "Resume with: session.commit(staged)"
    if journal is None:
        return f"{head} while this kernel runs (the journal is in memory). {again}."
    return (f"{head}: every outcome received is in the journal {journal}. {again} (in a new kernel: "
            f"staged = certnb.Staged.open({str(journal)!r}), then session.commit(staged)).")


def stopped(stop: BaseException, done: int, total: int, journal: Path | str | None) -> BaseException | None:
    """The error to raise for a commit stopped by `stop`, saying what was kept; None to re-raise `stop`.

    A Ctrl-C becomes `CommitInterrupted`; a refused or lapsed sign-in keeps its type, its message told to
    sign in again and resume; anything else is re-raised as it is (with the words as a note).
    """
    words = stopped_words(done, total, journal)
    signed_out = words.replace("Resume with", "Once signed in again, resume with")
    if isinstance(stop, KeyboardInterrupt) and not isinstance(stop, CommitInterrupted):
        return CommitInterrupted(words, done=done, total=total)
    if isinstance(stop, AuthenticationError):
        return AuthenticationError(
            stop.status, stop.code, f"{stop.message} {signed_out}",
            method=stop.method, url=stop.url, request_id=stop.request_id,
            client_request_id=stop.client_request_id)
    if isinstance(stop, SignInError):
        return type(stop)(f"{stop} {signed_out}")
    if isinstance(stop, CertnbError):
        stop.add_note(words)  # shown under the traceback; the error keeps its type and message
    return None
