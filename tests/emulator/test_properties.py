"""Property-based: whatever a client sends as a PATCH body, a `$batch` envelope or a path, the emulator
never answers 500 and every error it gives is the contract's envelope (contract §3): a 4xx status, a string
`error.code`, and `innerError.request-id` equal to the `request-id` header. JSON nested past the depth limit
is a 400 exactly when it is deeper than the limit (contract §11.2). Over a real socket, one emulator
for the module; examples are bounded so the module stays within a few seconds.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certnb.emulator.resource import PROPERTIES
from certnb.emulator.server import Emulator

ADELE_ID = "a1000000-0000-4000-8000-00000000000a"
BOB_ID = "b2000000-0000-4000-8000-00000000000b"
SEED = {
    "tenant": {"id": "tenant-properties", "domain": "contoso.example"},
    "users": [
        {"id": ADELE_ID, "userPrincipalName": "adele@contoso.example", "displayName": "Adele",
         "certifications": [{"id": "c1", "displayName": "AZ-104", "startDate": "2025-01-01",
                             "endDate": "2026-12-31", "allowedAudiences": "organization"}]},
        {"id": BOB_ID, "userPrincipalName": "bob@contoso.example", "displayName": "Bob",
         "certifications": [{"id": "c-bob", "displayName": "CKA"}]},
    ],
}
CERT_PATH = f"/users/{ADELE_ID}/profile/certifications/c1"
# `make soak` (CERTNB_SOAK=1) explores far more bodies than `make test`.
EXAMPLES = settings(
    max_examples=1000 if os.environ.get("CERTNB_SOAK", "") not in ("", "0") else 120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)

json_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
# Values that look right for some property: dates (good, bad, placeholder), audiences, inference objects.
plausible = st.sampled_from([
    "2027-06-30", "2027-02-30", "Date", "", "2027-6-30", "organization", "contacts,organization",
    "everyone,,me", "Everyone", "unknownFutureValue", "https://learn.microsoft.com/x", "javascript:x",
    {"confidenceScore": 0.5, "userHasVerifiedAccuracy": True}, {"confidenceScore": "high"},
    {"userHasVerifiedAccuracy": 1}, {"other": None}, ["organization"],
])
property_names = st.sampled_from([*PROPERTIES, "@odata.type", "unknownProperty", "ENDDATE"]) | st.text(
    max_size=16
)
patch_bodies = st.dictionaries(property_names, plausible | json_values, max_size=6)


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(seed=SEED) as running:
        yield running


@pytest.fixture(scope="module")
def client(emu: Emulator) -> Iterator[httpx.Client]:
    token = emu.access_token("adele@contoso.example", scopes="User.ReadWrite.All")
    with httpx.Client(
        base_url=emu.graph_url, headers={"Authorization": f"Bearer {token}"}, verify=emu.verify()
    ) as open_client:
        yield open_client


def check_contract(reply: httpx.Response) -> Any:
    """No 5xx; an error is Graph's envelope with the request-id of the header; returns the JSON body."""
    assert reply.status_code < 500, reply.text
    if reply.status_code < 400:
        return reply.json() if reply.content else None
    body = reply.json()
    check_error_body(body, reply.headers["request-id"])
    return body


def check_error_body(body: Any, request_id: str | None) -> None:
    error = body["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str)
    inner = error["innerError"]
    assert inner["request-id"]
    if request_id is not None:
        assert inner["request-id"] == request_id


@EXAMPLES
@given(body=patch_bodies)
def test_patch_body_never_500(client: httpx.Client, body: dict[str, Any]) -> None:
    reply = client.patch(CERT_PATH, json=body)
    answer = check_contract(reply)
    if reply.status_code == 200:
        assert answer["id"] == "c1"
        # A merge never leaves an invalid value behind: every date it holds is a real date.
        for name in ("startDate", "endDate", "issuedDate"):
            value = answer.get(name)
            assert value is None or (isinstance(value, str) and len(value) == 10)
    else:
        assert reply.status_code == 400


# Bodies a JSON encoder would not write but a parser may accept (NaN, Infinity, duplicate keys, deep nesting).
tricky_raw = st.sampled_from([
    b'{"endDate": NaN}', b'{"inference": {"confidenceScore": Infinity, "userHasVerifiedAccuracy": true}}',
    b'{"displayName": "a", "displayName": 5}', b"[" * 5000 + b"]" * 5000,
    b'{"a": ' * 3000 + b"1" + b"}" * 3000,
    rb'{"displayName": "\ud800"}', b"\xef\xbb\xbf{}", b'{"endDate": "2027-06-30"', b"null", b"",
])


@EXAMPLES
@given(raw=tricky_raw | st.binary(max_size=64) | st.text(max_size=64).map(str.encode))
def test_patch_raw_bytes_never_500(client: httpx.Client, raw: bytes) -> None:
    reply = client.patch(CERT_PATH, content=raw, headers={"Content-Type": "application/json"})
    check_contract(reply)
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        assert reply.status_code == 400
    else:
        if not isinstance(parsed, dict):
            assert reply.status_code == 400


@EXAMPLES
@given(user=st.text(min_size=1, max_size=24), cert=st.text(min_size=1, max_size=24))
def test_any_path_segment_never_500(client: httpx.Client, user: str, cert: str) -> None:
    path = f"/users/{quote(user, safe='')}/profile/certifications/{quote(cert, safe='')}"
    reply = client.patch(path, json={"displayName": "x"})
    check_contract(reply)
    assert reply.status_code in (200, 400, 403, 404)


@st.composite
def nested_values(draw: st.DrawFn) -> tuple[str, int]:
    """JSON text of arrays and objects nested around a scalar, and its depth (1..130, around the limit)."""
    opener = st.sampled_from(["[", '{"k": ', "[1, ", '{"a": 1, "b": '])
    depth = draw(st.integers(min_value=1, max_value=130))
    openers = draw(st.lists(opener, min_size=depth, max_size=depth))
    leaf = draw(st.sampled_from(["1", '"[{"', "null", "[]", "{}"]))
    closers = "".join("]" if opener.startswith("[") else "}" for opener in reversed(openers))
    return "".join(openers) + leaf + closers, len(openers) + (leaf in ("[]", "{}"))


# Where nested values go in a PATCH body: an ignored unknown property, a typed member, a read-only one.
NESTING_PLACES = ['{"unknownProperty": %s}', '{"inference": {"confidenceScore": %s}}', '{"sources": %s}']
MAX_DEPTH = 64  # the emulator's default max_json_depth (contract §11.2)
JSON_TYPE = {"Content-Type": "application/json"}


@EXAMPLES
@given(value=nested_values(), place=st.sampled_from(NESTING_PLACES), in_batch=st.booleans())
def test_nesting_past_the_depth_limit_is_a_400_and_never_a_500(
    client: httpx.Client, value: tuple[str, int], place: str, in_batch: bool
) -> None:
    text, depth = value
    body = place % text
    depth += place.count("{")  # the objects the place wraps around the value
    if in_batch:
        item = json.dumps({"id": "1", "method": "PATCH", "url": CERT_PATH, "headers": JSON_TYPE, "body": 0})
        envelope = '{"requests": [' + item.replace('"body": 0', f'"body": {body}') + "]}"
        reply = client.post("/$batch", content=envelope.encode(), headers=JSON_TYPE)
        depth += 3  # the envelope, its requests, the item
    else:
        reply = client.patch(CERT_PATH, content=body.encode(), headers=JSON_TYPE)
    answer = check_contract(reply)
    too_deep = f"nested deeper than {MAX_DEPTH} levels" in json.dumps(answer)
    assert too_deep == (depth > MAX_DEPTH), (depth, reply.text[:200])
    assert reply.status_code == 400 or not too_deep


batch_methods = st.sampled_from(["GET", "PATCH", "POST", "DELETE", "PUT", "get", "TRACE", ""]) | json_values
batch_urls = st.sampled_from([
    CERT_PATH, f"/users/{BOB_ID}/profile/certifications/c-bob", "/me/profile/certifications",
    "/me/profile/certifications/nope", "/users/%2e%2e/profile/certifications", "https://evil.example/x",
    "/$batch", "", "me", "/users?$top=abc",
]) | json_values
batch_items = st.fixed_dictionaries(
    {"id": st.text(max_size=4) | json_scalars, "method": batch_methods, "url": batch_urls},
    optional={
        "body": patch_bodies | json_values,
        "headers": st.just({"Content-Type": "application/json"}) | json_values,
        "dependsOn": st.lists(st.text(max_size=3), max_size=2) | json_values,
    },
)
batch_envelopes = (
    st.fixed_dictionaries({"requests": st.lists(batch_items, max_size=22)})
    | st.fixed_dictionaries({"requests": json_values})
    | json_values
)


@EXAMPLES
@given(envelope=batch_envelopes)
def test_batch_envelope_never_500(client: httpx.Client, envelope: Any) -> None:
    reply = client.post("/$batch", json=envelope)
    answer = check_contract(reply)
    assert reply.status_code in (200, 400)
    if reply.status_code != 200:
        return
    items = envelope["requests"]
    assert isinstance(items, list) and len(items) <= 20
    responses = answer["responses"]
    assert sorted(str(r["id"]) for r in responses) == sorted(str(i["id"]) for i in items)
    for item in responses:
        assert isinstance(item["status"], int) and item["status"] < 500, item
        if item["status"] >= 400 and item["status"] != 424:
            check_error_body(item["body"], None)


tricky_batches = st.sampled_from([
    rb'{"requests":[{"id":"1","method":"PATCH","url":"/me/profile/certifications/c1",'
    rb'"headers":{"Content-Type":"application/json"},"body":{"displayName":"\ud800"}}]}',
    rb'{"requests":[{"id":"\udfff","method":"GET","url":"/me/profile/certifications"}]}',
    rb'{"requests":[{"id":"1","method":"PATCH","url":"/me/profile/certifications/c1",'
    rb'"headers":{"Content-Type":"application/json"},"body":{"endDate":NaN}}]}',
    rb'{"requests":[{"id":"1","method":"GET","url":"/me/profile/certifications/%0A"}]}',
])


@EXAMPLES
@given(raw=tricky_batches | tricky_raw | st.binary(max_size=64))
def test_batch_raw_bytes_never_500(client: httpx.Client, raw: bytes) -> None:
    reply = client.post("/$batch", content=raw, headers={"Content-Type": "application/json"})
    check_contract(reply)
