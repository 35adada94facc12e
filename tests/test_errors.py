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
            # Interrupts stay KeyboardInterrupts (never an Exception an `except Exception` swallows).
            assert issubclass(obj, errors.RunInterrupted if "Interrupted" in name else CertnbError)
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
    invalid = ValidationError(row=4, field="endDate", label="Expires", value="2020-02-30", rule="a real date",
                              person="Adele Vance (adele@contoso.example)", user_id="u1",
                              certification="AZ-104", cert_id="c1")
    assert (invalid.row, invalid.field, invalid.label, invalid.value, invalid.rule) == (
        4,
        "endDate",
        "Expires",
        "2020-02-30",
        "a real date",
    )
    assert (invalid.person, invalid.user_id, invalid.certification, invalid.cert_id) == (
        "Adele Vance (adele@contoso.example)", "u1", "AZ-104", "c1"
    )
    assert str(invalid) == (
        "Adele Vance (adele@contoso.example) · AZ-104: Expires: a real date (value '2020-02-30')"
    )
    sheet = ValidationError(row=3, field="endDate", label="Expires", value="x", rule="not a date: 'x'",
                            where="spreadsheet row 3")
    assert str(sheet) == "spreadsheet row 3: Expires: not a date: 'x'"


def test_classes_keep_their_module_name() -> None:
    # The tree is a package of modules; each class still says certnb.errors, as reprs and pickles did.
    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type):
            assert obj.__module__ == "certnb.errors", name
    refused = errors.EditsRefused([ValidationError(field="x", value=1, rule="r")])
    assert repr(refused).startswith("EditsRefused(")
    assert type(ConfigError("k", 1, "e")).__qualname__ == "ConfigError"
