"""Writing a file or folder so that readers never see half of it: write beside it, then rename over it."""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from psninv.errors import PsninvError, file_error


@contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """A temporary file beside target that replaces it on success and vanishes on failure.

    The file is one the user named, so an OSError (no such folder, no permission, a full disk)
    becomes an InputError naming it, never the temporary file. Temporary files that a killed
    psninv left beside the same target are removed first.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_parts(target)
        # mkstemp's owner-only mode is kept on purpose: an inventory and its findings are sensitive.
        handle, name = tempfile.mkstemp(prefix=_part_prefix(target), suffix=".part", dir=target.parent)
    except OSError as error:
        raise file_error(target, error, "write it") from None
    os.close(handle)
    temporary = Path(name)
    try:
        with _named(target):
            yield temporary
            os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


@contextmanager
def replacing_folder(target: Path) -> Iterator[Path]:
    """A temporary folder beside target, renamed into its place on success, removed on failure.

    A reader of the target sees the old folder or the new one, never a mixture; an existing
    target (the caller has decided it may go) is swapped out and removed after the rename.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_parts(target)
        temporary = Path(tempfile.mkdtemp(prefix=_part_prefix(target), suffix=".part", dir=target.parent))
    except OSError as error:
        raise file_error(target, error, "write it") from None
    old = target.with_name(f"{_part_prefix(target)}old.part")
    try:
        with _named(target):
            yield temporary
            if target.exists():
                os.replace(target, old)
            os.replace(temporary, target)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def _named(target: Path) -> Iterator[None]:
    # The user named the target, not the temporary file: an OSError is told as theirs.
    try:
        yield
    except PsninvError:
        raise
    except OSError as error:
        raise file_error(target, error, "write it") from error


def _part_prefix(target: Path) -> str:
    # The writer's process id is in the name, so a later run can tell a dead writer's leftovers.
    return f".{target.name}.{os.getpid()}."


def remove_stale_parts(target: Path) -> list[Path]:
    """Remove the temporary files and folders that writers now dead left beside target; return them."""
    removed = []
    for leftover in target.parent.glob(f".{glob.escape(target.name)}.*.part"):
        pid = leftover.name[len(target.name) + 2 :].split(".", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
        removed.append(leftover)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: not ours to judge
    return True
