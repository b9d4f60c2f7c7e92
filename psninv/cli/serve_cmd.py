"""`psninv serve`: the same terminal UI in a web browser, through textual-serve, on localhost by default."""

from __future__ import annotations

import ipaddress
import os
import shlex
import sys

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
@db_options
def serve(
    host: str, port: int, public: bool, allow_writes: bool, db: str | None, actor: str | None, read_only: bool
) -> None:
    """Serve the terminal UI to web browsers (read-only unless --allow-writes)."""
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
    if not is_loopback(host):
        click.secho(SENSITIVE_WARNING.format(host=host), err=True, fg="yellow")
    read_only = not allow_writes
    # Open once here so that a missing or unreadable inventory is one line now, not a broken page later.
    with open_to_read(db) if read_only else open_for(db, actor, read_only):
        pass
    # The database travels in the environment, never on a command line where `ps` would show a password.
    os.environ["PSNINV_DB"] = resolve_url(db)
    from textual_serve.server import Server

    server = Server(app_command(read_only, actor), host=host, port=port, title="psninv")
    mode = "read-only" if read_only else "writes allowed"
    click.echo(f"Serving the psninv TUI ({mode}) on http://{host}:{port}/ — Ctrl+C stops.", err=True)
    try:
        server.serve()
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
