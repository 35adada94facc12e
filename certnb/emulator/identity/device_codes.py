"""Device-code sign-ins in flight: issued, approved or declined by a user, redeemed once (contract §9).

>>> codes = DeviceCodes()
>>> auth = codes.issue("client-1", "User.Read", lifetime_s=900, approved_by=None)
>>> codes.approve(auth.user_code, "user-1").state
<DeviceCodeState.APPROVED: 'approved'>
>>> codes.redeem(auth.device_code, "client-1").user_id
'user-1'
"""

from __future__ import annotations

import enum
import secrets
import threading
import time
from dataclasses import dataclass, field

from certnb.emulator.identity.errors import SignInError

# The identity platform's user codes: nine characters; leave out look-alikes (0/O, 1/I/L).
_USER_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_USER_CODE_LENGTH = 9


class DeviceCodeState(enum.Enum):
    """Where a device-code sign-in stands."""

    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


@dataclass
class DeviceAuthorization:
    """One device-code sign-in; `device_code` is a secret and stays out of the repr."""

    device_code: str = field(repr=False)
    user_code: str
    client_id: str
    scope: str  # the `scope` parameter as sent, parsed again on redemption
    expires_at: float
    state: DeviceCodeState = DeviceCodeState.PENDING
    user_id: str | None = None

    @property
    def expired(self) -> bool:
        """True once its `expires_in` has passed."""
        return time.time() >= self.expires_at


def normalise_user_code(user_code: str) -> str:
    """Codes are typed by people: ignore case, spaces and dashes."""
    return "".join(c for c in user_code.upper() if c.isalnum())


class DeviceCodes:
    """The device-code sign-ins of one emulator, keyed by device code and by user code. Thread-safe."""

    def __init__(self) -> None:
        self._by_device_code: dict[str, DeviceAuthorization] = {}
        self._by_user_code: dict[str, DeviceAuthorization] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<DeviceCodes in_flight={len(self._by_device_code)}>"

    def issue(
        self, client_id: str, scope: str, *, lifetime_s: float, approved_by: str | None
    ) -> DeviceAuthorization:
        """A new sign-in; `approved_by` (a user id) approves it at once (the auto-approve knob)."""
        with self._lock:
            self._forget_expired()
            user_code = "".join(secrets.choice(_USER_CODE_ALPHABET) for _ in range(_USER_CODE_LENGTH))
            while user_code in self._by_user_code:
                user_code = "".join(secrets.choice(_USER_CODE_ALPHABET) for _ in range(_USER_CODE_LENGTH))
            auth = DeviceAuthorization(
                device_code=secrets.token_urlsafe(48),
                user_code=user_code,
                client_id=client_id,
                scope=scope,
                expires_at=time.time() + lifetime_s,
            )
            if approved_by is not None:
                auth.state, auth.user_id = DeviceCodeState.APPROVED, approved_by
            self._by_device_code[auth.device_code] = auth
            self._by_user_code[user_code] = auth
            return auth

    def approve(self, user_code: str, user_id: str) -> DeviceAuthorization:
        """The user `user_id` approves the sign-in showing `user_code`."""
        with self._lock:
            auth = self._pending(user_code)
            auth.state, auth.user_id = DeviceCodeState.APPROVED, user_id
            return auth

    def decline(self, user_code: str) -> DeviceAuthorization:
        """The user declines the sign-in showing `user_code`."""
        with self._lock:
            auth = self._pending(user_code)
            auth.state = DeviceCodeState.DECLINED
            return auth

    def redeem(self, device_code: str, client_id: str) -> DeviceAuthorization:
        """The approved sign-in for `device_code`, consumed; otherwise the OAuth error the poller expects."""
        with self._lock:
            auth = self._by_device_code.get(device_code)
            if auth is None or auth.client_id != client_id:
                raise SignInError(
                    "bad_verification_code",
                    70000,
                    "The provided value for the input parameter 'device_code' is not valid.",
                )
            if auth.expired:
                self._forget(auth)
                raise SignInError(
                    "expired_token", 70020, "The provided device code has expired. Start a new sign-in."
                )
            if auth.state is DeviceCodeState.PENDING:
                raise SignInError(
                    "authorization_pending",
                    70016,
                    "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
                )
            self._forget(auth)
            if auth.state is DeviceCodeState.DECLINED:
                raise SignInError("authorization_declined", 70000, "The user declined the sign-in request.")
            return auth

    def _pending(self, user_code: str) -> DeviceAuthorization:
        auth = self._by_user_code.get(normalise_user_code(user_code))
        if auth is None or auth.expired:
            raise SignInError(
                "invalid_request",
                70019,
                "The code you entered is not valid or has expired. Start a new sign-in.",
            )
        if auth.state is not DeviceCodeState.PENDING:
            raise SignInError("invalid_request", 70000, "This code has already been used.")
        return auth

    def _forget(self, auth: DeviceAuthorization) -> None:
        self._by_device_code.pop(auth.device_code, None)
        self._by_user_code.pop(auth.user_code, None)

    def _forget_expired(self) -> None:
        for auth in [a for a in self._by_device_code.values() if a.expired]:
            self._forget(auth)
