"""The message a worker posts as its long work moves on: a stage started, so many steps behind it."""

from __future__ import annotations

from textual.message import Message


class Progressed(Message):
    """A worker's long work started a stage, `done` of its `total` steps behind it (0 in all: unknown)."""

    def __init__(self, stage: str, done: int, total: int) -> None:
        super().__init__()
        self.stage = stage
        self.done = done
        self.total = total

    def text(self) -> str:
        """The stage as a person reads it: "proving remedies (2 of 5)"."""
        return f"{self.stage} ({self.done + 1} of {self.total})" if self.total else self.stage
