"""The `certnb` command line: run the Graph emulator, or write a generated seed tenant.

    $ certnb emulator --seed data/tenant.json --throttle-rps 50
    {"graph_url": "https://127.0.0.1:8443/beta", "tenant_id": "...", "ca_file": "/tmp/.../ca.pem", ...}
    $ certnb seed --users 500 --seed 7 -o big-tenant.json
    $ certnb demo --out certnb-demo
    $ certnb signin --tenant contoso.onmicrosoft.com --client-id <app id>
    $ certnb audit --tenant contoso.onmicrosoft.com --client-id <app id> --out audit --fail-on expired

`certnb emulator` prints one JSON line when it is ready — the Graph base URL, the tenant id and the CA file
to trust (null with `--http`) — and runs until Ctrl-C or SIGTERM, then exits 0.

`certnb audit` runs headless from the sign-in `certnb signin` (or certnb.connect in a notebook) cached, and
exits with one of `AUDIT_EPILOG`'s statuses. `--tenant` may be an emulator's URL with its tenant id
(`https://127.0.0.1:8443/<tenant id>`, as `certnb emulator` prints them), with `--ca-file` to trust.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

# The emulator's refusals of writes to someone's profile (certnb/emulator/refusals.py; tests/test_cli.py
# checks they agree): named here so that `--help` does not import the emulator.
WRITE_REFUSALS = ("access_denied_for_role", "directory_unauthorized", "not_found")
# The emulator's throttle profiles (certnb/emulator/throttle_profiles.py; tests/test_cli.py checks
# they agree).
THROTTLE_PROFILES = ("single", "graph-small", "graph-medium", "graph-large", "outlook-mailbox")

EMULATOR_EPILOG = """\
--fault-rate F is the total rate of transient 5xx answers, split evenly over 500 generalException,
503 serviceNotAvailable and 504 gatewayTimeout (F/3 each); --error-500-rate and friends set one each and
win over it. Rates are per Graph call: every $batch item draws on its own. Faults can be changed while it
runs: POST {url}/_emulator/faults with a JSON object of knobs.
"""


AUDIT_EPILOG = """\
exit status: 0 nothing the --fail-on rule names was found; 1 the --fail-on rule holds (expired
certifications, or error findings); 2 bad arguments or settings; 3 no usable cached sign-in (none, or it
has lapsed): run `certnb signin` with the same --tenant and --client-id, then the audit again; 4 Graph or
the network failed.
"""


def _sign_in_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--tenant", required=True,
                         help="the tenant (domain or id), or an emulator's URL https://host:port/<tenant id>")
    command.add_argument("--client-id",
                         help="the app (client) id to sign in with (default: $CERTNB_CLIENT_ID)")
    command.add_argument("--cloud",
                         help="global, usgov, usgov-dod or china (default: $CERTNB_CLOUD or global)")
    command.add_argument("--token-cache", type=Path,
                         help="MSAL's token cache file (default: $CERTNB_TOKEN_CACHE or ~/.cache/certnb/)")
    command.add_argument("--ca-file", help="CA certificate to trust (an emulator over HTTPS)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `certnb` and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="certnb", description="Audit and bulk-correct Microsoft Graph profile certifications."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    emu = commands.add_parser(
        "emulator",
        help="run the local Graph emulator in the foreground",
        description="Run the local Graph emulator (HTTPS with a generated CA unless --http).",
        epilog=EMULATOR_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    emu.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    emu.add_argument("--allow-remote", action="store_true", help="allow a host other than loopback")
    emu.add_argument("--port", type=int, default=0, help="port to bind (default: any free port)")
    emu.add_argument("--seed", type=Path, help="seed tenant JSON file (default: the built-in sample)")
    emu.add_argument("--http", action="store_true", help="serve plain HTTP instead of HTTPS")
    emu.add_argument("--ca-file", type=Path, help="where to write the CA certificate to trust")
    emu.add_argument("--page-size", type=int, default=10, help="certifications per page (default: 10)")
    emu.add_argument("--strict", action="store_true", help="400 for read-only or unknown properties")
    emu.add_argument("--unknown-error", action="store_true", help="answer 400/404 as UnknownError (fidelity)")
    emu.add_argument(
        "--max-request-bytes",
        type=int,
        default=4 * 1024 * 1024,
        help="request bodies over this are answered 413, as Graph's 4 MB limit (default: %(default)s)",
    )
    emu.add_argument(
        "--max-json-depth",
        type=int,
        default=64,
        help="JSON nested deeper than this is answered 400 (default: %(default)s)",
    )
    identity = emu.add_argument_group("sign-in (contract §9)")
    identity.add_argument(
        "--token-lifetime", type=int, default=3600, metavar="SECONDS",
        help="access token lifetime; an expired one is answered 401 (default: %(default)s, Entra's hour)",
    )
    identity.add_argument(
        "--refresh-token-lifetime", type=int, default=90 * 24 * 3600, metavar="SECONDS",
        help="refresh token lifetime; a lapsed one is refused with invalid_grant AADSTS700082 "
             "(default: %(default)s, 90 days)",
    )
    faults = emu.add_argument_group("faults")
    faults.add_argument("--latency-ms", type=float, default=0.0, help="fixed latency per HTTP request")
    faults.add_argument("--jitter-ms", type=float, default=0.0, help="extra uniform random latency, 0..N ms")
    faults.add_argument("--throttle-rps", type=float, default=0.0, help="token-bucket rate (0 = no throttle)")
    faults.add_argument("--throttle-burst", type=int, default=0, help="token-bucket size (default: rps)")
    faults.add_argument(
        "--throttle-profile", choices=THROTTLE_PROFILES, default="single",
        help="Graph's stacked throttling scopes (contract §8.1): single = the --throttle-rps bucket alone "
             "(default); graph-small/-medium/-large = identity-and-access limits; outlook-mailbox = per "
             "mailbox, 4 at once and 10,000 per 10 min",
    )
    faults.add_argument(
        "--throttle-scale", type=float, default=1.0,
        help="multiply every limit of the profile (e.g. 0.01 with --throttle-window-scale 0.01 keeps "
             "its rates and makes its bursts a hundredth)",
    )
    faults.add_argument(
        "--throttle-window-scale", type=float, default=1.0, help="multiply every window of the profile"
    )
    faults.add_argument("--fractional-retry-after", action="store_true", help="Retry-After like 0.35")
    faults.add_argument("--fault-rate", type=float, default=0.0, help="total 5xx rate, split 500/503/504")
    for status in (500, 503, 504):
        faults.add_argument(f"--error-{status}-rate", type=float, help=f"rate of {status} answers")
    faults.add_argument("--drop-rate", type=float, default=0.0, help="rate of dropped connections")
    faults.add_argument(
        "--applied-but-429-rate", type=float, default=0.0, help="rate of writes applied but answered 429"
    )
    faults.add_argument("--random-seed", type=int, help="seed of the fault draws, for reproducible runs")
    sources = emu.add_argument_group("profile sources (contract §13)")
    sources.add_argument(
        "--source-owned-writes", choices=("refuse", "revert"), default="refuse",
        help="a write to a value an admin-controlled source owns: refused with 403 (default), or accepted "
             "and put back by the next import (POST /_emulator/import)",
    )
    sources.add_argument(
        "--refuse-writes", action="append", default=[], metavar="PERSON=REFUSAL",
        help="refuse writes to PERSON's profile (an id, a UPN, or * for everyone) as real tenants do: "
             f"REFUSAL is one of {', '.join(WRITE_REFUSALS)}; repeatable",
    )

    seed = commands.add_parser(
        "seed",
        help="write a generated seed tenant (JSON)",
        description="Generate a seed tenant (contract §10 format) with N users and write it as JSON.",
    )
    seed.add_argument("--users", type=int, required=True, help="number of users")
    seed.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    seed.add_argument("-o", "--output", type=Path, required=True, help="file to write ('-' = stdout)")

    demo = commands.add_parser(
        "demo",
        help="audit the sample tenant on the emulator, commit a bulk correction, write an HTML report",
        description="Start the emulator with the sample tenant, sign in, load, audit, stage a bulk "
        "correction, dry-run and commit it, read it back, and write report.html (plus summary.json and "
        "tenant-after.json) into --out. Loopback only.",
    )
    demo.add_argument(
        "--out", type=Path, default=Path("certnb-demo"), help="output folder (default: %(default)s)"
    )
    demo.add_argument("--seed", type=Path, help="seed tenant JSON file (default: the sample tenant)")
    demo.add_argument("--asof", default="2026-11-30", help="the audit's day (default: %(default)s)")
    demo.add_argument("--issuer", help="whose expiring certifications to extend (default: the most frequent)")

    signin = commands.add_parser(
        "signin",
        help="sign in once (device code) and cache it for `certnb audit`",
        description="Sign in with the device code (delegated, User.Read.All) and keep the sign-in in MSAL's "
        "token cache, so that scheduled `certnb audit` runs can renew it silently.",
    )
    _sign_in_options(signin)

    run = commands.add_parser(
        "audit",
        help="audit every certification headlessly; write report.html, report.xlsx and summary.json",
        description="Sign in from the cached delegated sign-in (never interactively), load every "
        "certification, audit them as of --asof, and write report.html, report.xlsx and summary.json "
        "(counts per rule and severity, expired and expiring, tenant, asof, account) into --out.",
        epilog=AUDIT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _sign_in_options(run)
    run.add_argument("--asof", help="the audit's day, YYYY-MM-DD (default: today)")
    run.add_argument("--out", type=Path, required=True, help="folder for the reports and the summary")
    run.add_argument("--fail-on", choices=("expired", "error"),
                     help="exit 1 when any certification has expired (expired) or any finding is an error")
    run.add_argument("--snapshot", type=Path,
                     help="also keep this run for certnb.history: a folder, or a file ending .duckdb")
    return parser


def _person_refusal(text: str) -> tuple[str, str]:
    person, sep, refusal = text.rpartition("=")
    if not sep or not person or refusal not in WRITE_REFUSALS:
        raise SystemExit(f"certnb emulator: --refuse-writes {text!r}: expected PERSON=REFUSAL, REFUSAL one "
                         f"of {', '.join(WRITE_REFUSALS)}")
    return person, refusal


def emulator_knobs(args: argparse.Namespace) -> dict[str, Any]:
    """The `Emulator(**knobs)` keywords the `emulator` subcommand's options stand for."""
    split = args.fault_rate / 3
    knobs: dict[str, Any] = {
        "page_size": args.page_size,
        "strict": args.strict,
        "unknown_error_fidelity": args.unknown_error,
        "max_request_bytes": args.max_request_bytes,
        "max_json_depth": args.max_json_depth,
        "latency_ms": args.latency_ms,
        "jitter_ms": args.jitter_ms,
        "throttle_rps": args.throttle_rps,
        "throttle_burst": args.throttle_burst,
        "throttle_profile": args.throttle_profile,
        "throttle_scale": args.throttle_scale,
        "throttle_window_scale": args.throttle_window_scale,
        "fractional_retry_after": args.fractional_retry_after,
        "drop_rate": args.drop_rate,
        "applied_but_429_rate": args.applied_but_429_rate,
        "random_seed": args.random_seed,
        "source_owned_writes": args.source_owned_writes,
        "token_lifetime_s": args.token_lifetime,
        "refresh_token_lifetime_s": args.refresh_token_lifetime,
        "write_refusals": dict(_person_refusal(text) for text in args.refuse_writes),
    }
    for status in (500, 503, 504):
        own = getattr(args, f"error_{status}_rate")
        knobs[f"error_{status}_rate"] = split if own is None else own
    return knobs


def run_emulator(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C or SIGTERM; print the ready line first."""
    from certnb.emulator.server import Emulator, describe

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        emu = Emulator(
            seed=args.seed,
            host=args.host,
            port=args.port,
            https=not args.http,
            ca_file=args.ca_file,
            allow_remote=args.allow_remote,
            **emulator_knobs(args),
        )
        with emu:
            print(describe(emu), flush=True)
            # A timed wait keeps the main thread responsive to Ctrl-C (KeyboardInterrupt) on every platform.
            while not stop.wait(0.5):
                pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0


def write_seed(args: argparse.Namespace) -> int:
    """Generate a tenant with D's generator and write it as JSON."""
    from certnb.emulator.generate import generate_tenant

    if args.users < 1:
        raise ValueError(f"--users must be at least 1, got {args.users}")
    text = json.dumps(generate_tenant(users=args.users, seed=args.seed), indent=2, ensure_ascii=False) + "\n"
    if str(args.output) == "-":
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.users} users to {args.output}", file=sys.stderr)
    return 0


def run_demo(args: argparse.Namespace) -> int:
    """Run `certnb demo` (certnb.demo); exit 0 when every change was applied and read back."""
    from certnb.demo import run_demo as demo

    result = demo(args.out, seed=args.seed, asof=args.asof, issuer=args.issuer)
    return 0 if result.ok else 1


def _session(args: argparse.Namespace, headless: bool) -> Any:
    """Connect as `--tenant` says: a real tenant, or an emulator by URL; headless refuses a device code."""
    from certnb.reports.scheduled import emulator_at, refuse_device_code
    from certnb.session import connect
    from certnb.session.settings import default_token_cache

    cache = args.token_cache or Path(os.environ.get("CERTNB_TOKEN_CACHE") or default_token_cache())
    keywords: dict[str, Any] = {"all_users": True, "token_cache": cache}
    if args.client_id:
        keywords["client_id"] = args.client_id
    if headless:
        renew = f"certnb signin --tenant {args.tenant}" + (f" --client-id {args.client_id}" if args.client_id
                                                             else "")
        keywords["on_device_code"] = refuse_device_code(args.tenant, cache, renew)
    if args.tenant.startswith(("https://", "http://")):
        return connect(emulator_at(args.tenant, args.ca_file), **keywords)
    if args.cloud:
        keywords["cloud"] = args.cloud
    return connect(tenant=args.tenant, **keywords)


def run_signin(args: argparse.Namespace) -> int:
    """Sign in interactively once; the token cache keeps it for `certnb audit`."""
    with _session(args, headless=False) as session:
        print(f"signed in as {session.account}; scheduled `certnb audit --tenant {args.tenant}` runs can "
              "now renew this sign-in from the token cache", file=sys.stderr)
    return 0


def run_audit(args: argparse.Namespace) -> int:
    """Run `certnb audit`; the exit status is one of `AUDIT_EPILOG`'s."""
    from certnb.errors import CertnbError, ConfigError, SignInRequired
    from certnb.frame.audit import as_day
    from certnb.reports.scheduled import run_audit as audit

    try:
        asof = as_day(args.asof).date().isoformat()
    except ValueError as exc:
        print(f"certnb audit: error: --asof {args.asof!r}: {exc}", file=sys.stderr)
        return 2
    try:
        with _session(args, headless=True) as session:
            done = audit(session, asof, args.out, tenant=args.tenant, fail_on=args.fail_on,
                         snapshot=args.snapshot)
    except SignInRequired as exc:
        print(f"certnb audit: {exc}", file=sys.stderr)
        return 3
    except ConfigError as exc:
        print(f"certnb audit: error: {exc}", file=sys.stderr)
        return 2
    except CertnbError as exc:  # Graph, the network, a sign-in that failed otherwise
        print(f"certnb audit: Graph or the network failed: {exc}", file=sys.stderr)
        return 4
    summary = done.summary
    print(f"certnb audit: {summary['certifications']} certifications of {summary['people']} people as of "
          f"{summary['asof']}: {summary['expired']} expired, {summary['findings']} findings "
          f"({summary['by_severity']['error']} errors); wrote {', '.join(str(p) for p in done.files)}")
    if done.status:
        print(f"certnb audit: --fail-on {args.fail_on}: failing (exit 1)", file=sys.stderr)
    return done.status


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `certnb` console script; returns the exit status.

    >>> main(["seed", "--users", "3", "-o", "tiny.json"])  # doctest: +SKIP
    0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "emulator":
            return run_emulator(args)
        if args.command == "demo":
            return run_demo(args)
        if args.command == "audit":
            return run_audit(args)
        if args.command == "signin":
            return run_signin(args)
        return write_seed(args)
    except (ValueError, OSError) as exc:
        # Bad knob values, an unreadable seed, a taken port: one line, not a traceback.
        print(f"certnb {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
