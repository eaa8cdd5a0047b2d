"""`studytool serve`: the token guard over HTTP, and one review in a real headless Chromium.

Only loopback addresses are used. The browser test drives Chromium with a few lines of the
DevTools protocol over aiohttp (textual-serve's own dependency), and reads what the app draws
from the WebSocket frames the page receives: xterm.js paints on a canvas, not into the DOM.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from studytool.cli.serve import is_loopback, page_templates
from studytool.config import Settings
from studytool.store.repo import Store

ROOT = Path(__file__).resolve().parents[1]
ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, cookie: str | None = None) -> tuple[int, str, str]:
    """(status, body, Set-Cookie) of a GET; errors are statuses, not exceptions."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, r.read().decode("utf-8"), r.headers.get("Set-Cookie", "")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8"), ""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`studytool serve --token` on a free loopback port: (the URL it printed, data dir)."""
    port, data = free_port(), tmp_path / "data"
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "studytool", "--data", str(data), "serve"),
            *("--host", "127.0.0.1", "--port", str(port), "--token"),
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        match = re.search(r"open (http://\S+)", first)
        assert match, first + proc.stdout.read()
        url = match.group(1)
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "serve did not start listening"
                time.sleep(0.2)
        yield url, data
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the server and the app processes it started
        proc.wait(timeout=20)


def test_loopback_check() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.20")


def test_page_says_studytool(tmp_path: Path) -> None:
    page = (page_templates(tmp_path) / "app_index.html").read_text(encoding="utf-8")
    assert "<title>studytool</title>" in page and 'rel="icon"' in page


def test_token_guards_every_request(served: tuple[str, Path]) -> None:
    url, _ = served
    base, _, token = url.partition("?token=")
    assert len(token) >= 16 and url.startswith("http://127.0.0.1:")
    for path in ("", "static/js/textual.js", "ws"):
        status, body, _ = get(base + path)
        assert status == 403, path
        assert "needs the token" in body
    assert get(f"{base}?token=wrong{token}")[0] == 403
    status, page, cookie = get(url)
    assert status == 200
    assert "<title>studytool</title>" in page
    assert f"ws://{base.removeprefix('http://')}ws" in page  # the WebSocket where the page is
    port = base.rstrip("/").rsplit(":", 1)[1]
    assert cookie.startswith(f"studytool_token_{port}={token}")
    assert get(base + "static/js/textual.js", cookie.split(";")[0])[0] == 200


# ---- a real browser ---------------------------------------------------------------------------


class Browser:
    """Just enough of the Chrome DevTools Protocol: commands, and events kept in a list."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.next_id = 0
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.screen = ""  # what the app drew, escape sequences removed
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            data = json.loads(msg.data)
            if "id" in data:
                self.pending.pop(data["id"]).set_result(data)
            elif data.get("method") == "Network.webSocketFrameReceived":
                frame = data["params"]["response"]
                payload = frame["payloadData"]
                raw = base64.b64decode(payload) if frame["opcode"] == 2 else payload.encode()
                self.screen += ANSI.sub("", raw.decode("utf-8", "ignore"))

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = future
        await self.ws.send_json({"id": self.next_id, "method": method, "params": params})
        reply = await asyncio.wait_for(future, 30)
        assert "error" not in reply, reply
        return dict(reply.get("result", {}))

    async def wait_for(self, text: str, since: int, timeout: float = 60) -> None:
        """Until the app draws `text` after the first `since` characters it drew."""
        deadline = time.monotonic() + timeout
        while text not in self.screen[since:]:
            assert time.monotonic() < deadline, f"{text!r} never drawn: {self.screen[-800:]!r}"
            await asyncio.sleep(0.2)

    async def key(self, key: str) -> None:
        """One key press in the focused terminal (xterm's hidden textarea)."""
        text, code = {"Enter": ("\r", 13), " ": (" ", 32)}.get(key) or (key, ord(key.upper()))
        event = {"key": key, "text": text, "windowsVirtualKeyCode": code}
        await self.call("Input.dispatchKeyEvent", type="keyDown", **event)
        await self.call("Input.dispatchKeyEvent", type="keyUp", key=key)

    async def press(self, key: str, then: str) -> None:
        since = len(self.screen)
        await self.key(key)
        await self.wait_for(then, since)


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
@pytest.mark.skipif(chromium() is None, reason="Chromium is not installed (apt install chromium)")
def test_one_review_in_chromium(served: tuple[str, Path], tmp_path: Path) -> None:
    url, data = served
    profile = tmp_path / "chromium"
    browser = subprocess.Popen(
        [
            *(chromium() or "chromium", "--headless=new", "--no-sandbox", "--disable-gpu"),
            *("--remote-debugging-port=0", f"--user-data-dir={profile}", "--window-size=1280,800"),
            *("--no-first-run", "--no-default-browser-check", "about:blank"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        port_file = profile / "DevToolsActivePort"
        while not port_file.exists() or not port_file.read_text().strip():
            assert time.monotonic() < deadline, "Chromium did not start"
            time.sleep(0.2)
        debug_port = port_file.read_text().split()[0]
        asyncio.run(drive(debug_port, url, tmp_path))
    finally:
        browser.terminate()
        browser.wait(timeout=20)
    assert (tmp_path / "review.png").stat().st_size > 1000
    assert (tmp_path / "second-tab.png").stat().st_size > 1000

    settings = Settings(content_dirs=(), data_dir=data)
    with Store.open(settings) as store:
        counts = store.answer_counts()
    assert sum(total for total, _ in counts.values()) == 2, counts  # one from each tab


async def drive(debug_port: str, url: str, shots: Path) -> None:
    """One review in a tab, then one more in a second tab while the first stays open: two app
    processes on the same progress."""
    import aiohttp

    async with aiohttp.ClientSession() as http:
        devtools = f"http://127.0.0.1:{debug_port}/json"
        pages = await (await http.get(f"{devtools}/list")).json()
        first = next(p for p in pages if p["type"] == "page")
        await review_in_tab(http, first["webSocketDebuggerUrl"], url, shots / "review.png")
        second = await (await http.put(f"{devtools}/new?about:blank")).json()
        await review_in_tab(http, second["webSocketDebuggerUrl"], url, shots / "second-tab.png")


async def review_in_tab(http: Any, target: str, url: str, shot: Path) -> None:
    async with http.ws_connect(target, max_msg_size=0) as ws:
        b = Browser(ws)
        await b.call("Network.enable")
        await b.call("Page.enable")
        await b.call("Page.navigate", url=url)
        await b.wait_for("Review all", since=0)  # Home's footer
        # the terminal's input is xterm's hidden textarea: focus it as a tap would
        focus = "document.querySelector('.xterm-helper-textarea').focus()"
        await b.call("Runtime.evaluate", expression=focus)
        # review all (the first card's footer says "Show answer"); while the progress database
        # is still opening the app says so and a person presses again
        for _ in range(15):
            since = len(b.screen)
            await b.key("r")
            with contextlib.suppress(AssertionError):
                await b.wait_for("Show answer", since, timeout=4)
                break
        else:
            raise AssertionError(f"the review never started: {b.screen[-800:]!r}")
        await b.press(" ", then="Good")  # the answer, and the grade buttons
        await b.press("3", then="1 done")  # Good (an unanswered quiz card proposes none)
        await asyncio.sleep(1)
        result = await b.call("Page.captureScreenshot", format="png")
        shot.write_bytes(base64.b64decode(result["data"]))
        b.reader.cancel()


def test_off_loopback_a_token_is_always_made(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    import studytool.cli.serve as serve_mod
    from studytool.cli import app

    made: list[tuple[str, int, str | None]] = []

    class Fake:
        def serve(self) -> None:
            pass

    def fake_server(command: str, host: str, port: int, token: str | None, _t: Path) -> Fake:
        made.append((host, port, token))
        return Fake()

    monkeypatch.setattr(serve_mod, "make_server", fake_server)
    monkeypatch.setattr(serve_mod, "lan_address", lambda: "192.168.1.20")
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "8123"])
    assert result.exit_code == 0, result.output
    ((host, port, token),) = made
    assert (host, port) == ("0.0.0.0", 8123) and token
    assert f"open http://192.168.1.20:8123/?token={token}" in result.stdout
    made.clear()
    result = CliRunner().invoke(app, ["serve"])
    assert made[0][2] is None and "open http://127.0.0.1:8000/\n" in result.stdout
    assert CliRunner().invoke(app, ["serve", "--port", "0"]).exit_code == 2
