"""certnb inside a real Jupyter kernel: the sync API under the kernel's running event loop, rich output.

The kernel (ipykernel) runs an asyncio loop while it executes a cell, as in JupyterLab; certnb must sign in,
load and show its device code there without the user touching asyncio.
"""

from __future__ import annotations

import re
import ssl
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from jupyter_client.manager import KernelManager


@pytest.fixture(scope="module")
def kernel() -> Iterator[Any]:
    manager = KernelManager(kernel_name="python3")
    manager.kernel_cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    try:
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def messages(client: Any, msg_id: str, timeout: float = 60) -> Iterator[dict[str, Any]]:
    """The output messages of one execution, until the kernel is idle again (raises on a cell error)."""
    while True:
        msg = client.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if kind == "status" and msg["content"]["execution_state"] == "idle":
            return
        if kind == "error":
            raise AssertionError("\n".join(msg["content"]["traceback"]))
        if kind in ("display_data", "execute_result", "stream"):
            yield msg


def printed(outputs: list[dict[str, Any]]) -> str:
    return "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream")


def test_device_code_is_rich_output_and_the_sync_api_works_under_the_kernel_loop(kernel: Any) -> None:
    setup = kernel.execute(
        "import asyncio, certnb\n"
        "from certnb.emulator import Emulator\n"
        "emu = Emulator(device_code_auto_approve=False).start()\n"
        "print(emu.url, emu.ca_file)\n"
    )
    url, ca_file = printed(list(messages(kernel, setup))).split()

    cell = kernel.execute(
        "graph = certnb.connect(emulator=emu, sign_in_timeout=60)\n"
        "df = graph.load()\n"
        "print(len(df), graph.me()['userPrincipalName'])\n"
    )
    outputs: list[dict[str, Any]] = []
    for msg in messages(kernel, cell):
        outputs.append(msg)
        html = msg["content"].get("data", {}).get("text/html")
        if html:
            # What a person does: open the link, enter the code shown, pick a user, approve.
            assert 'To sign in, open <a href="' in html and "user-select:all" in html
            code = re.search(r"<code[^>]*>([^<]+)</code>", html)
            assert code is not None
            link = re.search(r'href="([^"]+)"', html)
            assert link is not None and link.group(1).startswith(url)
            answer = httpx.post(
                link.group(1),
                data={"code": code.group(1), "user": "zoe.angstrom@contoso.example", "action": "approve"},
                verify=_context(ca_file),
            )
            assert answer.status_code == 200
    assert any("text/html" in m["content"].get("data", {}) for m in outputs), "the code was not shown"
    count, upn = printed(outputs).split()
    assert int(count) > 0 and upn == "zoe.angstrom@contoso.example"
    assert "eyJ" not in str(outputs)  # no token in any output


def _context(ca_file: str) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ca_file)
