"""The server behind `psninv serve`: textual-serve with a token, origin checks, a session cap, a fast stop."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import signal
from pathlib import Path
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

log = logging.getLogger("psninv.serve")

TEMPLATES = Path(__file__).resolve().parent / "web_templates"
"""psninv's copy of textual-serve's page: the same page, with no font or script from elsewhere."""

COOKIE = "psninv_token"
SECRET_ENVIRONMENT = ("PSNINV_SERVE_TOKEN",)
"""Never handed to the TUI processes a browser starts."""

STOP_SECONDS = 1.0
"""How long a stopping session's TUI may take to quit before it is killed."""


class Session(AppService):
    """One browser's TUI process, which never sees the server's token and always ends when asked."""

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width=width, height=height)
        for name in SECRET_ENVIRONMENT:
            environment.pop(name, None)
        return environment

    async def stop(self) -> None:
        """Ask the TUI to quit; kill it if it has not within STOP_SECONDS."""
        with contextlib.suppress(TimeoutError, ConnectionError, RuntimeError):
            await asyncio.wait_for(super().stop(), STOP_SECONDS)
        process = self._process
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()


class GuardedServer(Server):
    """textual-serve's server with access control: every page and websocket needs the launch's token.

    The token comes as ``?token=`` on the first page (then as a cookie, as Jupyter does); the
    Host header must name the address the server was started for (no DNS rebinding); a
    websocket's Origin must be this server's own; at most `max_sessions` browsers at once;
    a browser that stops answering heartbeats loses its session.
    """

    def __init__(
        self,
        command: str,
        *,
        host: str,
        port: int,
        token: str,
        max_sessions: int = 8,
        heartbeat: float = 15.0,
        public_url: str | None = None,
        allowed_hosts: set[str] | None = None,
    ) -> None:
        self.explicit_public_url = public_url
        super().__init__(
            command, host=host, port=port, title="psninv", public_url=public_url, templates_path=TEMPLATES
        )
        self.token = token
        self.max_sessions = max_sessions
        self.heartbeat = heartbeat
        self.sessions: set[Session] = set()
        self.allowed_hosts = allowed_hosts
        self.allowed_origins = (
            None
            if allowed_hosts is None
            else {f"{scheme}://{name}" for name in allowed_hosts for scheme in ("http", "https")}
        )

    # ---- the guard on every request -------------------------------------------------------------

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._guard)
        app.on_shutdown.append(self._stop_sessions)
        return app

    @web.middleware
    async def _guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if self.allowed_hosts is not None and request.host.lower() not in self.allowed_hosts:
            return _refusal(403, "This server answers only to the address it was started on.")
        if request.path.startswith("/static/"):
            return await handler(request)  # textual-serve's own scripts and styles: nothing of ours
        offered = request.query.get("token") or request.cookies.get(COOKIE, "")
        if not hmac.compare_digest(offered.encode(), self.token.encode()):
            return _refusal(
                403, "This page needs the link with its token, as `psninv serve` printed it."
            )
        if request.path == "/ws":
            origin = request.headers.get("Origin", "").lower()
            allowed = self.allowed_origins or {f"http://{request.host}", f"https://{request.host}"}
            if origin not in allowed:
                return _refusal(403, "A page from another site may not open this inventory.")
        elif request.path == "/" and len(self.sessions) >= self.max_sessions:
            return _refusal(
                503,
                f"psninv is already serving {self.max_sessions} browser sessions, the most it allows "
                "(--max-sessions). Close another tab, or try again in a minute.",
            )
        if "token" in request.query:
            # The token moves to a cookie and out of the address bar, its history and its bookmarks.
            response: web.StreamResponse = web.HTTPFound(request.rel_url.with_query(None).path)
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict", path="/")
            return response
        return await handler(request)

    # ---- the page -------------------------------------------------------------------------------

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        """The page, its websocket at the address the browser used (the token's cookie is per host)."""
        base = self.explicit_public_url or f"{request.scheme}://{request.host}"
        socket = ("wss:" if base.startswith("https") else "ws:") + base.split(":", 1)[1]
        return {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{socket}/ws",
            "config": {"static": {"url": f"{base}/static/"}},
            "application": {"name": self.title},
        }

    # ---- sessions ------------------------------------------------------------------------------

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One browser's session: its TUI process lives as long as the websocket answers heartbeats."""
        if len(self.sessions) >= self.max_sessions:
            raise web.HTTPServiceUnavailable(text="psninv: too many browser sessions (--max-sessions)")
        # autoclose and heartbeat: a browser that leaves (or sleeps in a back/forward cache) stops
        # answering pings, the socket closes, and its TUI process is stopped.
        websocket = web.WebSocketResponse(heartbeat=self.heartbeat, autoclose=True)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        session: Session | None = None
        try:
            await websocket.prepare(request)
            session = Session(
                self.command,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            self.sessions.add(session)
            await session.start(width, height)
            await self._process_messages(websocket, session)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # noqa: BLE001 - one browser's failure must not stop the server
            log.exception(error)
        finally:
            if session is not None:
                self.sessions.discard(session)
                await session.stop()
        return websocket

    async def _stop_sessions(self, _app: web.Application) -> None:
        await asyncio.gather(*(session.stop() for session in list(self.sessions)), return_exceptions=True)
        self.sessions.clear()

    async def on_startup(self, app: web.Application) -> None:
        """Print nothing: `psninv serve` says where it listens, with the token, itself."""

    # ---- running ---------------------------------------------------------------------------------

    def serve(self, debug: bool = False) -> None:
        """Serve until SIGINT or SIGTERM, then stop every session and return within about two seconds."""
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.request_exit)
        try:
            web.run_app(
                self._make_app(),
                host=self.host,
                port=self.port,
                handle_signals=False,
                loop=loop,
                print=lambda *args: None,
                shutdown_timeout=STOP_SECONDS,
                access_log=None,
            )
        finally:
            if not loop.is_closed():
                loop.close()


def _refusal(status: int, message: str) -> web.Response:
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>psninv</title></head>"
        "<body style='font-family: monospace; background: #0c181f; color: #e0e0e0; padding: 2em'>"
        f"<h1>psninv</h1><p>{message}</p></body></html>"
    )
    return web.Response(status=status, text=page, content_type="text/html")


def allowed_hosts(host: str, port: int, public_url: str | None) -> set[str] | None:
    """The Host header values this server answers to: the bound address (and its loopback names).

    None for a wildcard address (0.0.0.0, ::) without --public-url: any name of this machine may
    reach it, and the token alone guards it.
    """
    if host in ("0.0.0.0", "::") and not public_url:
        return None
    names = {host.lower().strip("[]")}
    if host in ("127.0.0.1", "localhost", "::1"):
        names |= {"127.0.0.1", "localhost", "::1"}
    hosts = {f"[{name}]" if ":" in name else name for name in names}
    allowed = {f"{name}:{port}" for name in hosts}
    if port == 80:
        allowed |= hosts
    if public_url:
        from urllib.parse import urlsplit

        allowed.add(urlsplit(public_url).netloc.lower())
    return allowed

