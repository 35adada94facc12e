"""The `certnb` command line: the emulator's ready line and clean stop, `certnb seed`, help."""

from __future__ import annotations

import json
import signal
import ssl
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from certnb.cli import build_parser, emulator_knobs, main


@contextmanager
def emulator_process(*options: str) -> Iterator[tuple[subprocess.Popen[str], dict[str, Any]]]:
    """`certnb emulator` in its own process, with its parsed ready line."""
    process = subprocess.Popen(
        [sys.executable, "-m", "certnb.cli", "emulator", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line, f"no ready line; stderr: {process.stderr.read() if process.stderr else ''}"
        yield process, json.loads(line)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


def stop(process: subprocess.Popen[str], signum: int) -> tuple[int, str, str]:
    process.send_signal(signum)
    out, err = process.communicate(timeout=15)
    return process.returncode, out, err


def test_emulator_prints_one_ready_line_and_exits_0_on_sigterm() -> None:
    with emulator_process("--http", "--page-size", "3") as (process, ready):
        assert ready["graph_url"].startswith("http://127.0.0.1:") and ready["graph_url"].endswith("/beta")
        assert ready["ca_file"] is None
        root = ready["graph_url"].removesuffix("/beta")
        health = httpx.get(f"{root}/_emulator/health").json()
        assert health == {"status": "ok", "tenant_id": ready["tenant_id"]}
        code, out, err = stop(process, signal.SIGTERM)
    assert code == 0
    assert out == ""  # the ready line was the only line
    assert "Traceback" not in err


def test_emulator_over_https_names_the_ca_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    ca_file = tmp_path / "ca.pem"
    with emulator_process("--ca-file", str(ca_file), "--throttle-rps", "2", "--fault-rate", "0.3") as (
        process,
        ready,
    ):
        assert ready["ca_file"] == str(ca_file.resolve())
        root = ready["graph_url"].removesuffix("/beta")
        trusting = ssl.create_default_context(cafile=ready["ca_file"])
        faults = httpx.get(f"{root}/_emulator/faults", verify=trusting).json()
        assert faults["throttle_rps"] == 2
        split = [faults[f"error_{status}_rate"] for status in (500, 503, 504)]
        assert split == pytest.approx([0.1, 0.1, 0.1])
        code, _, err = stop(process, signal.SIGINT)
    assert code == 0
    assert "Traceback" not in err


def test_a_non_loopback_host_is_refused_with_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["emulator", "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert "allow_remote" in err and "Traceback" not in err


def test_fault_rate_is_split_evenly_and_a_specific_rate_wins() -> None:
    args = build_parser().parse_args(["emulator", "--fault-rate", "0.3", "--error-503-rate", "0.05"])
    knobs = emulator_knobs(args)
    assert knobs["error_500_rate"] == pytest.approx(0.1)
    assert knobs["error_504_rate"] == pytest.approx(0.1)
    assert knobs["error_503_rate"] == 0.05


def test_every_emulator_option_is_a_known_knob() -> None:
    from certnb.emulator.config import EmulatorConfig

    knobs = emulator_knobs(build_parser().parse_args(["emulator"]))
    EmulatorConfig.from_knobs(**knobs)  # raises TypeError naming an unknown knob


def test_request_limit_flags_reach_the_emulator_and_default_to_its_own_defaults() -> None:
    from certnb.emulator.config import EmulatorConfig

    def limits(*options: str) -> tuple[int, int]:
        args = build_parser().parse_args(["emulator", *options])
        config = EmulatorConfig.from_knobs(**emulator_knobs(args))
        return config.max_request_bytes, config.max_json_depth

    assert limits() == (EmulatorConfig().max_request_bytes, EmulatorConfig().max_json_depth) == (4194304, 64)
    assert limits("--max-request-bytes", "1000", "--max-json-depth", "8") == (1000, 8)


def test_token_lifetime_flags_reach_the_emulator_and_default_to_entras() -> None:
    from certnb.emulator.config import EmulatorConfig

    def lifetimes(*options: str) -> tuple[int, int]:
        args = build_parser().parse_args(["emulator", *options])
        config = EmulatorConfig.from_knobs(**emulator_knobs(args))
        return config.token_lifetime_s, config.refresh_token_lifetime_s

    assert lifetimes() == (3600, 90 * 24 * 3600)
    assert lifetimes("--token-lifetime", "60", "--refresh-token-lifetime", "120") == (60, 120)


def test_seed_writes_a_generated_tenant(tmp_path: Path) -> None:
    from certnb.emulator.tenant import Tenant

    out = tmp_path / "tenant.json"
    assert main(["seed", "--users", "4", "--seed", "3", "-o", str(out)]) == 0
    seed = json.loads(out.read_text(encoding="utf-8"))
    assert len(seed["users"]) == 4
    assert len(Tenant.from_seed(seed).users) == 4  # the emulator accepts what was written
    again = tmp_path / "again.json"
    main(["seed", "--users", "4", "--seed", "3", "-o", str(again)])
    assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")  # reproducible


def test_help_lists_the_subcommands_and_their_options() -> None:
    top = subprocess.run([sys.executable, "-m", "certnb.cli", "--help"], capture_output=True, text=True)
    assert top.returncode == 0 and "emulator" in top.stdout and "seed" in top.stdout
    sub = subprocess.run(
        [sys.executable, "-m", "certnb.cli", "emulator", "--help"], capture_output=True, text=True
    )
    for option in ("--throttle-rps", "--fault-rate", "--latency-ms", "--ca-file", "--strict", "--page-size"):
        assert option in sub.stdout
    assert "split evenly" in sub.stdout


def test_profile_source_flags_reach_the_emulator() -> None:
    from certnb.cli import WRITE_REFUSALS
    from certnb.emulator.config import EmulatorConfig
    from certnb.emulator.refusals import REFUSALS

    assert set(WRITE_REFUSALS) == set(REFUSALS)
    args = build_parser().parse_args(["emulator", "--source-owned-writes", "revert",
                                      "--refuse-writes", "adele@contoso.example=access_denied_for_role",
                                      "--refuse-writes", "*=not_found"])
    config = EmulatorConfig.from_knobs(**emulator_knobs(args))
    assert config.source_owned_writes == "revert"
    refusals = config.faults.write_refusals
    assert refusals == {"adele@contoso.example": "access_denied_for_role", "*": "not_found"}
    with pytest.raises(SystemExit, match="expected PERSON=REFUSAL"):
        emulator_knobs(build_parser().parse_args(["emulator", "--refuse-writes", "adele=forbidden"]))
