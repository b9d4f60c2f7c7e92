"""`psninv serve`: the same terminal UI in a web browser, through textual-serve, on localhost by default."""

from __future__ import annotations

import ipaddress
import os
import secrets
import shlex
import sys
from pathlib import Path

import click

from psninv.cli.app import EXIT_USAGE, UserError, cli, db_options, open_for, open_to_read
from psninv.store.engine import resolve_url

SENSITIVE_WARNING = (
    "psninv: warning: serving on {host}, reachable from other machines. The inventory is sensitive "
    "(sites, circuits and addresses of police, health and council networks): serve it only on a "
    "trusted network, behind authentication."
)


def is_loopback(host: str) -> bool:
    """Whether a host name or address only ever reaches this machine (localhost, 127.0.0.0/8, ::1)."""
    if host.strip().lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # another host name: it may resolve to anything


def app_command(read_only: bool, actor: str | None) -> str:
    """The shell command textual-serve runs for each browser: `psninv tui` with this Python."""
    words = [sys.executable, "-m", "psninv", "tui"]
    if read_only:
        words.append("--read-only")
    if actor:
        words += ["--actor", actor]
    return shlex.join(words)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port.")
@click.option("--public", is_flag=True, help="Allow an address other machines can reach (prints a warning).")
@click.option(
    "--allow-writes", is_flag=True, help="Let browser users change the inventory (read-only otherwise)."
)
@click.option(
    "--import-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="With --allow-writes: the only folder browser users may import from (no import without it).",
)
@click.option(
    "--token",
    envvar="PSNINV_SERVE_TOKEN",
    metavar="TEXT",
    help="The access token (default: a new random one each launch; or $PSNINV_SERVE_TOKEN).",
)
@click.option(
    "--max-sessions", default=8, show_default=True, type=click.IntRange(1, 1000), help="Browsers at once."
)
@click.option(
    "--public-url",
    metavar="URL",
    help="The address browsers use, behind a reverse proxy (https://psn.example.gov.uk).",
)
@click.option("--heartbeat", default=15.0, hidden=True, type=click.FloatRange(0.5, 600))
@db_options
def serve(
    host: str,
    port: int,
    public: bool,
    allow_writes: bool,
    import_dir: Path | None,
    token: str | None,
    max_sessions: int,
    public_url: str | None,
    heartbeat: float,
    db: str | None,
    actor: str | None,
    read_only: bool,
) -> None:
    """Serve the terminal UI to web browsers (read-only unless --allow-writes), behind a token."""
    if not is_loopback(host) and not public:
        click.secho(
            f"psninv: {host} is not a loopback address: "
            "add --public to serve the inventory beyond this machine",
            err=True,
            fg="red",
        )
        sys.exit(EXIT_USAGE)
    if read_only and allow_writes:
        click.secho("psninv: --read-only and --allow-writes contradict each other", err=True, fg="red")
        sys.exit(EXIT_USAGE)
    if import_dir is not None and not allow_writes:
        click.secho("psninv: --import-dir needs --allow-writes (a read-only viewer imports nothing)",
                    err=True, fg="red")
        sys.exit(EXIT_USAGE)
    if token is not None and len(token) < 16:
        click.secho("psninv: --token must be at least 16 characters", err=True, fg="red")
        sys.exit(EXIT_USAGE)
    if not is_loopback(host):
        click.secho(SENSITIVE_WARNING.format(host=host), err=True, fg="yellow")
    read_only = not allow_writes
    # Open once here so that a missing or unreadable inventory is one line now, not a broken page later.
    with open_to_read(db) if read_only else open_for(db, actor, read_only):
        pass
    # The database and the import folder travel in the environment, never on a command line where
    # `ps` would show them; the token stays in this process only.
    os.environ["PSNINV_DB"] = resolve_url(db)
    from psninv.cli.web_server import GuardedServer, allowed_hosts
    from psninv.tui.paths import IMPORT_DIR_ENV

    os.environ.pop(IMPORT_DIR_ENV, None)
    if import_dir is not None:
        os.environ[IMPORT_DIR_ENV] = str(import_dir.resolve())

    token = token or secrets.token_urlsafe(24)
    server = GuardedServer(
        app_command(read_only, actor),
        host=host,
        port=port,
        token=token,
        max_sessions=max_sessions,
        heartbeat=heartbeat,
        public_url=public_url,
        allowed_hosts=allowed_hosts(host, port, public_url),
    )
    mode = "read-only" if read_only else "writes allowed"
    base = public_url or f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    click.echo(f"Serving the psninv TUI ({mode}). Open this link (it holds the access token):", err=True)
    click.echo(f"    {base.rstrip('/')}/?token={token}", err=True)
    click.echo("Ctrl+C stops.", err=True)
    try:
        server.serve()
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
