"""One exception tree; messages say what, where and what next — and never carry a secret."""

from __future__ import annotations

import certnb
from certnb import errors
from certnb.errors import (
    CertnbError,
    ConfigError,
    GraphError,
    NotFoundError,
    PermissionDeniedError,
    ThrottledError,
    ValidationError,
    graph_error,
)


def test_the_tree_is_drawn_in_the_docstring_and_matches() -> None:
    doc = errors.__doc__ or ""
    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type):
            assert issubclass(obj, CertnbError)
            assert name in doc
    for child in ("ThrottledError", "NotFoundError", "PermissionDeniedError", "AuthenticationError"):
        assert issubclass(getattr(errors, child), GraphError)
    for child in ("SignInCancelled", "SignInExpired", "SignInDeclined"):
        assert issubclass(getattr(errors, child), errors.SignInError)
    assert all(getattr(certnb, name) is getattr(errors, name) for name in errors.__all__ if name[0].isupper())


def test_unknown_error_with_empty_message_is_still_useful() -> None:
    err = graph_error(
        400,
        {"error": {"code": "UnknownError", "message": "", "innerError": {"request-id": "rid-1"}}},
        method="PATCH",
        url="https://graph.microsoft.com/beta/me/profile/certifications/7",
    )
    text = str(err)
    assert type(err) is GraphError and err.request_id == "rid-1"
    for part in ("400", "UnknownError", "PATCH", "/me/profile/certifications/7", "rid-1", "Hint:"):
        assert part in text


def test_status_picks_the_class_and_headers_give_ids() -> None:
    answer = graph_error(404, "not json", method="GET", url="u", headers={"request-id": "h-1"})
    assert isinstance(answer, NotFoundError) and answer.request_id == "h-1" and answer.code == "UnknownError"
    assert isinstance(graph_error(429, {}, method="GET", url="u"), ThrottledError)


def test_permission_denied_says_which_scope() -> None:
    err = PermissionDeniedError(
        403, "Authorization_RequestDenied", "Insufficient privileges.", required_scope="User.ReadWrite.All"
    )
    assert "User.ReadWrite.All" in str(err) and "certnb.connect" in str(err)


def test_may_have_applied_asks_to_re_read() -> None:
    err = ThrottledError(429, "TooManyRequests", "slow down", method="PATCH", url="u", may_have_applied=True)
    assert err.may_have_applied and "re-read" in str(err)


def test_config_and_validation_errors_name_everything() -> None:
    config = ConfigError("cloud", "mars", "one of global, usgov", source="environment variable CERTNB_CLOUD")
    assert "CERTNB_CLOUD" in str(config) and "'mars'" in str(config) and "'cloud'" in str(config)
    invalid = ValidationError(row=4, field="endDate", value="2020-02-30", rule="a real date")
    assert (invalid.row, invalid.field, invalid.value, invalid.rule) == (
        4,
        "endDate",
        "2020-02-30",
        "a real date",
    )
    assert "row 4" in str(invalid) and "endDate" in str(invalid)
