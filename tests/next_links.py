"""A transport seam that makes the emulator answer chosen list pages with another `@odata.nextLink`.

The emulator always sends good nextLinks; a server that repeats one, or sends a malformed one, is what the
client must survive. `NextLinks` wraps the real transport to the emulator (TLS, a real socket) and, for
every certification list page it passes back — a plain GET or a `$batch` item — asks `link_for(url)` (the
page's absolute URL) for the nextLink to answer instead (None keeps the emulator's).

After `limit` pages whose link was replaced, the "server" recovers and ends the list (no nextLink), so code
without a loop guard finishes (and fails its test's assertions) instead of hanging.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from certnb.emulator.server import Emulator

NEXT_LINK = "@odata.nextLink"
_DROPPED = {"content-length", "content-encoding", "transfer-encoding"}


class NextLinks(httpx.AsyncBaseTransport):
    """The emulator, answering `link_for(page url)` as the nextLink of certification list pages."""

    def __init__(self, emu: Emulator, link_for: Callable[[str], str | None], limit: int = 50) -> None:
        self.inner = httpx.AsyncHTTPTransport(verify=emu.verify())
        self.graph_url = emu.graph_url
        self.link_for = link_for
        self.limit = limit
        self.replaced: list[str] = []  # the page URLs whose nextLink was replaced, in order
        self.alone: list[str] = []  # list pages asked for by a plain GET (not inside a `$batch`)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        response = await self.inner.handle_async_request(request)
        await response.aread()
        if request.method == "GET" and _is_list(request.url.path):
            self.alone.append(str(request.url))
            if response.status_code == 200:
                return _answer(response, self._page(str(request.url), response.json()))
        if request.method == "POST" and request.url.path.endswith("/$batch") and response.status_code == 200:
            asked = {str(i["id"]): i for i in json.loads(request.content)["requests"]}
            envelope = response.json()
            for item in envelope.get("responses", []):
                sent = asked.get(str(item.get("id")), {})
                listed = sent.get("method") == "GET" and _is_list(sent["url"].split("?")[0])
                if listed and item["status"] == 200:
                    item["body"] = self._page(self.graph_url + sent["url"], item["body"])
            return _answer(response, envelope)
        return response

    def _page(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        link = self.link_for(url)
        if link is None:
            return body
        self.replaced.append(url)
        if len(self.replaced) > self.limit:
            return {**{k: v for k, v in body.items() if k != NEXT_LINK}, "value": []}
        return {**body, NEXT_LINK: link}

    async def aclose(self) -> None:
        await self.inner.aclose()


def _is_list(path: str) -> bool:
    return path.endswith("/profile/certifications")


def _answer(original: httpx.Response, body: Any) -> httpx.Response:
    headers = {k: v for k, v in original.headers.items() if k.lower() not in _DROPPED}
    return httpx.Response(original.status_code, headers=headers, json=body)
