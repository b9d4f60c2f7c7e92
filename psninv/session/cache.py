"""Analyses kept on disk between runs, keyed by what was analysed: a large network reopens at once.

An analysis is stored under a key made of the inventory's fingerprint (which moves on every write,
psninv's or another engineer's), the database it came from, the options it ran with, and the
psninv code that ran it; a different inventory, option or release never finds it. Only analyses
that took a while are kept, a few at a time, in the user's own cache folder (owner-only files).
Plans are kept the same way (psninv.session.kept_plan), fewer of them: they are larger.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import pickle
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from psninv._gc import collector_paused
from psninv.analysis import Analysis, Policy, Progress, Tariff
from psninv.atomic import replacing
from psninv.inventory import Inventory
from psninv.store import Store
from psninv.store.fingerprint import fingerprint

CACHE_ENV = "PSNINV_CACHE_DIR"
"""Where analyses are kept; empty or "off" keeps none. Default: $XDG_CACHE_HOME/psninv, ~/.cache/psninv."""

MIN_SECONDS = 2.0
"""Analyses quicker than this are run again rather than kept: reading them back would save little."""

KEEP = 6
"""How many analyses the cache holds; the least recently used go first."""

_FORMAT = 1
_PACKAGE = Path(__file__).resolve().parent.parent

Kept = TypeVar("Kept")


def analysis_options(**chosen: Any) -> dict[str, Any]:
    """The keyword arguments of `analyse` an analysis ran with, defaults filled in (a key's options)."""
    options: dict[str, Any] = {
        "only": None,
        "policy": Policy(),
        "tariff": Tariff(),
        "include_hidden": False,
        "events": False,
        "remedies": False,
        "planned": False,
    }
    unknown = set(chosen) - set(options)
    if unknown:
        raise TypeError(f"not an option of a kept analysis: {', '.join(sorted(unknown))}")
    options.update(chosen)
    return options


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is off."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "no") else Path(chosen).expanduser()
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no home folder (a service account): keep nothing rather than fail
            return None
    return Path(base) / "psninv"


@functools.cache
def _code_stamp() -> str:
    # The analysers' own source: a new release or a local change never reads an older analysis.
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(_PACKAGE)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()


def analysis_key(database: str, stamp: tuple[Any, ...], options: Mapping[str, Any]) -> str:
    """The cache key of an analysis of `database` at fingerprint `stamp` with these options."""
    text = json.dumps(
        [_FORMAT, _code_stamp(), database, list(stamp), dict(sorted(options.items()))], default=repr
    )
    return hashlib.sha256(text.encode()).hexdigest()


def load_cached(
    key: str, kind: type[Kept] = Analysis, *, suffix: str = ".analysis"  # type: ignore[assignment]
) -> Kept | None:
    """What is kept under this key (an Analysis, or a `kind` in `suffix` files), or None if nothing is.

    An entry that cannot be read, or holds something else, is forgotten.
    """
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / f"{key}{suffix}"
    try:
        # Our own file, written owner-only into the user's own cache folder by this code. The
        # collector would rescan the findings again and again as they are made: paused.
        with path.open("rb") as stream, collector_paused():
            analysis = pickle.load(stream)  # noqa: S301
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a damaged or unreadable cache entry is only a cache miss
        _forget(path)
        return None
    if not isinstance(analysis, kind):
        _forget(path)
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept longest
    return analysis


def is_cached(key: str, *, suffix: str = ".analysis") -> bool:
    """Whether the cache holds something under this key (without reading it)."""
    folder = cache_dir()
    return folder is not None and (folder / f"{key}{suffix}").is_file()


def _forget(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def worth_keeping(seconds: float, min_seconds: float | None = None) -> bool:
    """Whether something that took `seconds` to make is kept (a cache, and at least `min_seconds`).

    `min_seconds` defaults to MIN_SECONDS.
    """
    return seconds >= (MIN_SECONDS if min_seconds is None else min_seconds) and cache_dir() is not None


def store_cached(
    key: str,
    analysis: object,
    seconds: float,
    *,
    min_seconds: float | None = None,
    suffix: str = ".analysis",
    keep: int = KEEP,
) -> bool:
    """Keep an analysis that took `seconds` under this key; False if not worth keeping, or if it failed.

    `min_seconds` is the least an analysis must have taken to be kept (default MIN_SECONDS); other
    things (a plan) are kept in their own `suffix` files, `keep` of them at most.
    """
    folder = cache_dir()
    if folder is None or not worth_keeping(seconds, min_seconds):
        return False
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with replacing(folder / f"{key}{suffix}") as part, part.open("wb") as stream, collector_paused():
            pickle.dump(analysis, stream, protocol=pickle.HIGHEST_PROTOCOL)
        entries = sorted(folder.glob(f"*{suffix}"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in entries[keep:]:
            old.unlink(missing_ok=True)
    except Exception:  # noqa: BLE001 - a full disk or a read-only home must not fail the analysis
        return False
    return True


@dataclass(frozen=True, slots=True)
class CachedRun:
    """An analysis, the inventory it was run on (None when it came from the cache), and where it came from."""

    analysis: Analysis
    inventory: Inventory | None
    from_cache: bool
    kept: bool = False
    """Whether the cache holds it now (read from it, or kept after running)."""


def analyse_store(
    store: Store,
    options: Mapping[str, Any],
    run: Callable[[Inventory], Analysis],
    load: Callable[[], Inventory] | None = None,
    *,
    min_seconds: float | None = None,
    stamp: tuple[Any, ...] | None = None,
    progress: Progress | None = None,
) -> CachedRun:
    """The analysis of the store's inventory with these options: from the cache, or run and kept.

    `run` analyses an inventory with exactly the `options` (which make up the key); `load` reads
    the inventory (default: the whole of it). Where the caller read the inventory already, `stamp`
    is the store's fingerprint taken before it did. An inventory written to while it was analysed
    is not kept: the analysis may mix the two states. `progress` hears when the analysis is kept.
    """
    stamp = fingerprint(store) if stamp is None else stamp
    key = analysis_key(store.url, stamp, options)
    cached = load_cached(key)
    if cached is not None:
        return CachedRun(cached, None, True, kept=True)
    inventory = load() if load is not None else store.load()
    started = time.perf_counter()
    analysis = run(inventory)
    seconds = time.perf_counter() - started
    kept = False
    if worth_keeping(seconds, min_seconds) and fingerprint(store) == stamp:
        if progress is not None:
            progress("keeping the analysis for the next run", 0, 0)
        kept = store_cached(key, analysis, seconds, min_seconds=min_seconds)
    return CachedRun(analysis, inventory, False, kept=kept)
