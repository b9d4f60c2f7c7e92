"""The `psninv` command group, its shared options and the one place errors become one clear line."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

import click

from psninv import __version__
from psninv.display import clean
from psninv.errors import PsninvError
from psninv.inventory import Inventory
from psninv.store import Store, open_store
from psninv.store.fingerprint import fingerprint

EXIT_DATA = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE of sysexits.h: psninv itself went wrong
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a tool the reader stopped reading would end
DEBUG_ENV = "PSNINV_DEBUG"


class UserError(click.ClickException):
    """A problem the user can fix, shown as one line with exit status 1."""

    exit_code = EXIT_DATA

    def show(self, file: Any = None) -> None:
        # The message may quote a cell of a partner's file: shown through the sanitiser.
        click.secho(f"psninv: {clean(self.format_message())}", err=True, fg="red")


class InternalError(UserError):
    """A bug in psninv, shown as what it is (exit 70), never as the user's fault."""

    exit_code = EXIT_INTERNAL


def internal_error(error: BaseException) -> InternalError:
    """The one line for an unexpected exception; with $PSNINV_DEBUG set its traceback goes first."""
    what = f"internal error: {type(error).__name__}: {error}"
    if os.environ.get(DEBUG_ENV, "").strip() not in ("", "0"):
        traceback.print_exception(error, file=sys.stderr)
        return InternalError(what)
    return InternalError(f"{what} ({DEBUG_ENV}=1 shows the traceback)")


def quiet_broken_pipe() -> click.exceptions.Exit:
    """End quietly when the reader of stdout has gone (`psninv sites | head -1`).

    As the Python docs advise: point stdout at devnull, so that the interpreter's last flush
    cannot fail again, and exit as a tool that SIGPIPE ended would.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):
        pass  # no file descriptor behind stdout (a test runner's buffer): nothing will flush
    return click.exceptions.Exit(EXIT_BROKEN_PIPE)


class PsninvGroup(click.Group):
    """A command group that never shows a traceback: a PsninvError is one line (exit 1), a bug exit 70."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except PsninvError as exc:
            raise UserError(str(exc)) from None
        except BrokenPipeError:
            raise quiet_broken_pipe() from None
        except KeyboardInterrupt:
            raise click.Abort() from None
        except Exception as exc:  # noqa: BLE001 - anything else is a bug, and said to be one
            raise internal_error(exc) from None


def db_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --db, --actor and --read-only to a command that opens the inventory."""
    command = click.option(
        "--read-only", is_flag=True, help="Refuse every write (safe for shared inventories)."
    )(command)
    command = click.option(
        "--actor", metavar="NAME", help="Who the change log names (default: $PSNINV_ACTOR or your OS user)."
    )(command)
    return click.option(
        "--db",
        envvar="PSNINV_DB",
        metavar="PATH|URL",
        help="SQLite file or SQLAlchemy URL (default: $PSNINV_DB, else ./psninv.db).",
    )(command)


def open_for(db: str | None, actor: str | None, read_only: bool, *, create: bool = False) -> Store:
    """Open the inventory a command that may write names, with a clear message if there is none yet."""
    return open_store(db, actor=actor, read_only=read_only, create=create)


def open_to_read(db: str | None) -> Store:
    """Open the inventory for a command that only reads: read-only in the database, never upgraded."""
    return open_store(db, read_only=True, create=False)


def load_inventory(db: str | None, actor: str | None, read_only: bool, tenant: str | None) -> Inventory:
    """Read the whole inventory, or only a tenant's part of it (--tenant)."""
    with open_to_read(db) as store:
        inventory = store.load()
    return scope_to_tenant(inventory, tenant)


def read_stamped(store: Store, tenant: str | None = None) -> tuple[tuple[Any, ...], Inventory]:
    """The store's fingerprint, then its whole inventory; an unknown --tenant is refused at once.

    The fingerprint comes first: a write in between is then never kept as the state read.
    """
    stamp = fingerprint(store)
    inventory = store.load()
    if tenant is not None and tenant not in inventory.tenants:
        raise click.BadParameter(f"no tenant with code {tenant!r}", param_hint="--tenant")
    return stamp, inventory


def scope_to_tenant(inventory: Inventory, tenant: str | None) -> Inventory:
    """A tenant's part of an inventory (--tenant), or all of it for None."""
    if tenant is None:
        return inventory
    if tenant not in inventory.tenants:
        raise click.BadParameter(f"no tenant with code {tenant!r}", param_hint="--tenant")
    return inventory.for_tenant(tenant)


@click.group(cls=PsninvGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="psninv")
def cli() -> None:
    """psninv: inventory and analysis of a shared public services network.

    Start with `psninv demo`, or `psninv import your.xlsx` and `psninv analyse`.
    """


def _register() -> None:
    # Commands live in modules of their own; importing them here attaches them to the group.
    from psninv.cli import (  # noqa: F401
        analyse_cmd,
        backup_cmds,
        diagram_cmd,
        history_cmds,
        inventory_cmds,
        listing_cmds,
        plan_cmd,
        report_cmd,
        serve_cmd,
        ui_cmds,
    )


def main(argv: list[str] | None = None) -> None:
    """Run the command line (the `psninv` console script)."""
    _register()
    try:
        try:
            cli.main(args=argv, prog_name="psninv")
        finally:
            # Output still buffered would otherwise fail at exit, after every handler has gone.
            sys.stdout.flush()
    except BrokenPipeError:
        sys.exit(quiet_broken_pipe().exit_code)


def get_cli() -> click.Group:
    """The command group with every command attached, for CliRunner tests."""
    _register()
    return cli


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
