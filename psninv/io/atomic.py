"""Writing a file so that readers never see half of it: write beside it, then rename over it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from psninv.errors import PsninvError, file_error


@contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """A temporary file beside target that replaces it on success and vanishes on failure.

    The file is one the user named, so an OSError (no such folder, no permission, a full disk)
    becomes an InputError naming it, never the temporary file.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # mkstemp's owner-only mode is kept on purpose: an inventory and its findings are sensitive.
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as error:
        raise file_error(target, error, "write it") from None
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, target)
    except PsninvError:
        raise
    except OSError as error:
        raise file_error(target, error, "write it") from error
    finally:
        temporary.unlink(missing_ok=True)
