"""The shipped `graph_emulator` fixture, run inside pytester sessions as a user's test suite would."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

USER_TESTS = '''
import httpx
import pytest

LIST = "/me/profile/certifications"


def get(emu, path):
    headers = {"Authorization": f"Bearer {emu.access_token()}"}
    return httpx.get(f"{emu.graph_url}{path}", headers=headers, verify=emu.verify())


def first_id(emu):
    return get(emu, LIST).json()["value"][0]["id"]


def test_1_changes_data_and_faults(graph_emulator):
    cert_id = first_id(graph_emulator)
    headers = {"Authorization": f"Bearer {graph_emulator.access_token()}"}
    reply = httpx.delete(f"{graph_emulator.graph_url}{LIST}/{cert_id}", headers=headers,
                         verify=graph_emulator.verify())
    assert reply.status_code == 204
    graph_emulator.set_faults(error_503_rate=1.0)
    pytest.shared = (graph_emulator.url, cert_id)


def test_2_sees_a_fresh_seed_on_the_same_server(graph_emulator):
    url, deleted = pytest.shared
    assert graph_emulator.url == url  # one server for the session
    assert graph_emulator.stats()["requests_total"] == 0
    assert first_id(graph_emulator) == deleted  # the deleted certification is back, faults are gone


@pytest.mark.certnb_emulator(page_size=1, throttle_rps=1, throttle_burst=1)
def test_3_marker_knobs(graph_emulator):
    assert graph_emulator.url != pytest.shared[0]  # page_size needs its own emulator
    page = get(graph_emulator, LIST)
    assert len(page.json()["value"]) == 1 and "@odata.nextLink" in page.json()
    assert get(graph_emulator, LIST).status_code == 429


def test_4_back_to_defaults(graph_emulator):
    assert graph_emulator.url == pytest.shared[0]
    assert graph_emulator.stats()["throttled"] == 0
    assert get(graph_emulator, LIST).status_code == 200
'''


def test_the_fixture_resets_between_tests_and_honours_the_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=4)


def test_ini_options_set_the_seed_and_knobs(pytester: pytest.Pytester) -> None:
    seed = {
        "tenant": {"id": "99999999-8888-7777-6666-555555555555", "domain": "fabrikam.test"},
        "users": [
            {
                "id": "bbbbbbbb-0000-0000-0000-000000000002",
                "userPrincipalName": "megan@fabrikam.test",
                "displayName": "Megan",
                "certifications": [],
            }
        ],
    }
    (pytester.path / "seeds").mkdir()
    (pytester.path / "seeds" / "tiny.json").write_text(json.dumps(seed))
    pytester.makeini(
        """
        [pytest]
        certnb_emulator_seed = seeds/tiny.json
        certnb_emulator_https = false
        certnb_emulator_knobs =
            latency_ms = 20
            strict = true
        """
    )
    pytester.makepyfile(
        test_ini="""
        def test_configured(graph_emulator):
            assert graph_emulator.tenant_id == "99999999-8888-7777-6666-555555555555"
            assert graph_emulator.url.startswith("http://")
            assert graph_emulator.app.config.strict is True
            assert graph_emulator.app.faults.knobs()["latency_ms"] == 20
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_a_bad_ini_knob_line_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ncertnb_emulator_knobs =\n    latency_ms 20\n")
    pytester.makepyfile(test_bad="def test_it(graph_emulator):\n    pass\n")
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*expected `name = value`*"])


def test_the_marker_is_registered_for_strict_markers(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.certnb_emulator(*"])


def test_the_plugin_imports_nothing_heavy() -> None:
    """It loads in every pytest run of every project that installs certnb.

    `import certnb` loads pandas (it registers the `df.certs` accessor); the server side, the HTTP client,
    MSAL and matplotlib load only when a test asks for the emulator.
    """
    probe = (
        "import sys, certnb.pytest_plugin; "
        "print(sorted(m for m in ('httpx', 'starlette', 'uvicorn', 'msal', 'trustme', 'matplotlib', "
        "'certnb.emulator') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


def test_the_entry_point_names_the_plugin() -> None:
    from importlib.metadata import entry_points

    plugins = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert plugins.get("certnb") == "certnb.pytest_plugin"


def test_the_marker_selects_a_throttle_profile(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_profile='''
import httpx
import pytest


@pytest.mark.certnb_emulator(https=False, throttle_profile="outlook-mailbox",
                             throttle_limits={"Mailbox/Requests": [2, 60]})
def test_mailbox_limit(graph_emulator):
    headers = {"Authorization": f"Bearer {graph_emulator.access_token()}"}
    url = f"{graph_emulator.graph_url}/me/profile/certifications"
    statuses = [httpx.get(url, headers=headers).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert graph_emulator.stats()["throttled_by_scope"] == {"Mailbox/Requests": 1}


@pytest.mark.certnb_emulator(https=False)
def test_back_to_single(graph_emulator):
    assert graph_emulator.app.faults.knobs()["throttle_profile"] == "single"
'''
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
