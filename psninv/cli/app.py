"""The `psninv` command group, its shared options and the one place errors become one clear line."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError

from psninv import __version__
from psninv.inventory import Inventory
from psninv.store import ReadOnlyError, Store, open_store
from psninv.store.engine import is_lock_timeout, lock_timeout_message

EXIT_DATA = 1
EXIT_USAGE = 2


class UserError(click.ClickException):
    """A problem the user can fix, shown as one line with exit status 1."""

    exit_code = EXIT_DATA

    def show(self, file: Any = None) -> None:
        click.secho(f"psninv: {self.format_message()}", err=True, fg="red")


class PsninvGroup(click.Group):
    """A command group that never shows a traceback: known errors become one line, exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except ReadOnlyError as exc:
            raise UserError(str(exc)) from None
        except FileNotFoundError as exc:
            raise UserError(str(exc) if exc.filename is None else f"{exc.filename}: no such file") from None
        except (PermissionError, IsADirectoryError) as exc:
            raise UserError(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")) from None
        except ValueError as exc:
            raise UserError(str(exc)) from None
        except SQLAlchemyError as exc:
            if is_lock_timeout(exc):
                raise UserError(lock_timeout_message()) from None
            detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            raise UserError(f"database error: {detail}") from None
        except KeyboardInterrupt:
            raise click.Abort() from None
        except Exception as exc:  # noqa: BLE001 - the user must never see a traceback
            if os.environ.get("PSNINV_DEBUG"):
                raise
            raise UserError(
                f"internal error: {type(exc).__name__}: {exc} (set PSNINV_DEBUG=1 for details)"
            ) from None


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
    """Open the inventory a command names, with a clear message if there is none yet."""
    return open_store(db, actor=actor, read_only=read_only, create=create)


def load_inventory(db: str | None, actor: str | None, read_only: bool, tenant: str | None) -> Inventory:
    """Read the whole inventory, or only a tenant's part of it (--tenant)."""
    with open_for(db, actor, read_only) as store:
        inventory = store.load()
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
        history_cmds,
        inventory_cmds,
        listing_cmds,
        serve_cmd,
        ui_cmds,
    )


def main(argv: list[str] | None = None) -> None:
    """Run the command line (the `psninv` console script)."""
    _register()
    cli.main(args=argv, prog_name="psninv")


def get_cli() -> click.Group:
    """The command group with every command attached, for CliRunner tests."""
    _register()
    return cli


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
