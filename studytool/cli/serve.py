"""`studytool serve`: the app in a web browser (phone, tablet) through textual-serve.

textual-serve starts one app process per browser tab and streams it over a WebSocket to its own
xterm.js page. It has no access control, so off loopback every request must carry a random
token: the URL printed holds it (`?token=...`), the first page load turns it into a cookie, and
the page's scripts, styles and WebSocket then send the cookie. Anything else gets 403.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import shlex
import socket
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from studytool.cli.common import fail

if TYPE_CHECKING:
    from aiohttp import web

serve_app = typer.Typer()

TITLE = "studytool"
# cookies ignore ports: one name per port keeps two servers on one machine apart
COOKIE = "studytool_token_{port}"
# a small flash card, as an inline SVG favicon: no file to ship or serve
ICON = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E"
    "%3Crect x='3' y='7' width='26' height='18' rx='3' fill='%232b6cb0'/%3E"
    "%3Crect x='7' y='12' width='18' height='2.5' fill='white'/%3E"
    "%3Crect x='7' y='17.5' width='12' height='2.5' fill='white'/%3E%3C/svg%3E"
)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def lan_address() -> str:
    """This machine's address on the local network, as a phone would reach it. Connecting a
    UDP socket sends nothing: it only picks the interface a packet would leave by."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.254.254.254", 1))
            return str(s.getsockname()[0])
        except OSError:
            return socket.gethostname()


def token_middleware(token: str, cookie_name: str) -> Callable[..., Any]:
    from aiohttp import web

    @web.middleware
    async def check(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        given = request.query.get("token")
        if given is not None and hmac.compare_digest(given, token):
            response = await handler(request)
            if not response.prepared:  # a WebSocket's headers are gone by now
                response.set_cookie(cookie_name, token, httponly=True, samesite="Strict")
            return response
        cookie = request.cookies.get(cookie_name, "")
        if cookie and hmac.compare_digest(cookie, token):
            return await handler(request)
        raise web.HTTPForbidden(text="studytool: this address needs the token from its URL\n")

    return check


def page_templates(dest: Path) -> Path:
    """textual-serve's page with a title and an icon that say studytool."""
    import textual_serve

    page = (Path(textual_serve.__file__).parent / "templates" / "app_index.html").read_text(
        encoding="utf-8"
    )
    head = f'<head>\n    <title>{TITLE}</title>\n    <link rel="icon" href="{ICON}" />'
    (dest / "app_index.html").write_text(page.replace("<head>", head, 1), encoding="utf-8")
    return dest


def make_server(command: str, host: str, port: int, token: str | None, templates: Path) -> Any:
    from textual_serve.server import Server

    class StudyServer(Server):  # type: ignore[misc]
        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            if token is not None:
                app.middlewares.append(token_middleware(token, COOKIE.format(port=port)))
            return app

        async def handle_index(self, request: web.Request) -> Any:
            # the page's WebSocket and files live where the browser found the page (a phone
            # knows this machine by its LAN address, not by the 0.0.0.0 it listens on)
            self.public_url = f"{request.scheme}://{request.host}"
            return await super().handle_index(request)

        async def on_startup(self, app: web.Application) -> None:
            pass  # the command prints its own lines

    return StudyServer(command, host=host, port=port, title=TITLE, templates_path=templates)


@serve_app.command(rich_help_panel="Study")
def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (0.0.0.0: every network).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", help="Port to listen on.")] = 8000,
    token: Annotated[
        bool,
        typer.Option("--token", help="Require an access token (always on off loopback addresses)."),
    ] = False,
) -> None:
    """Open the app in a web browser, e.g. on a phone or tablet on the same network."""
    if not 0 < port < 65536:
        fail(f"--port must be between 1 and 65535, not {port}")
    secret = secrets.token_urlsafe(16) if token or not is_loopback(host) else None
    root = ctx.find_root().params
    args = [sys.executable, "-m", "studytool"]
    for directory in root.get("content") or []:
        args += ["--content", str(directory)]
    if root.get("data") is not None:
        args += ["--data", str(root["data"])]
    shown = lan_address() if host in ("0.0.0.0", "::") else host
    shown = f"[{shown}]" if ":" in shown else shown
    url = f"http://{shown}:{port}/" + (f"?token={secret}" if secret else "")
    with tempfile.TemporaryDirectory(prefix="studytool-serve-") as tmp:
        server = make_server(shlex.join(args), host, port, secret, page_templates(Path(tmp)))
        typer.echo(f"studytool in a browser: open {url}")
        if secret:
            typer.echo("anyone with this URL can use the app: share it only with your devices")
        typer.echo("press Ctrl+C to stop")
        try:
            server.serve()
        except OSError as e:
            fail(f"cannot listen on {host}:{port}: {e.strerror or e}")
