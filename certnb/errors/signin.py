"""The sign-in did not complete, or was asked for in a way Graph refuses (app-only, contract §4).

>>> issubclass(SignInExpired, SignInError)
True
"""

from __future__ import annotations

from certnb.errors.base import CertnbError

__all__ = ["AppOnlyNotSupported", "SignInCancelled", "SignInDeclined", "SignInError", "SignInExpired",
           "SignInRequired"]


class SignInError(CertnbError):
    """The sign-in did not complete; the message says why and what to try."""


class SignInCancelled(SignInError):
    """The sign-in was interrupted (KeyboardInterrupt, "interrupt kernel")."""


class SignInExpired(SignInError):
    """Nobody approved the device code before it (or certnb's wait) expired."""


class SignInDeclined(SignInError):
    """The user declined the sign-in request."""


class SignInRequired(SignInError):
    """A headless run (`certnb audit`) found no usable cached sign-in: someone must sign in interactively."""


class AppOnlyNotSupported(CertnbError):
    """App-only sign-in (client secret, certificate, `roles` token) was asked for; Graph refuses it (§4)."""
