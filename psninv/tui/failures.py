"""How the TUI tells a failure: a PsninvError is the user's to fix; anything else is a logged bug."""

from __future__ import annotations

import traceback
from typing import Any

from textual import constants

from psninv.errors import PsninvError


def failure_text(node: Any, error: BaseException) -> str:
    """The line a user sees for an error: a PsninvError's own message, else an internal error.

    An internal error's traceback goes to the Textual log (devtools, or the file $TEXTUAL_LOG
    names), so that a bug is reported as psninv's, never as the user's fault.
    """
    if isinstance(error, PsninvError):
        return str(error)
    node.log.error("".join(traceback.format_exception(error)))
    where = f"its traceback is in {constants.LOG_FILE}" if constants.LOG_FILE else (
        "TEXTUAL_LOG=FILE keeps its traceback"
    )
    return f"internal error: {type(error).__name__}: {error} (a bug in psninv; {where})"
