"""One writer at a time on an ASSISTANT_HOME: builds take `BuildLock` for everything they write
(the caches, builds/, `current`).

The lock is an OS file lock (filelock: flock on POSIX, LockFileEx on Windows), released by the
system when the holding process ends, however it ends, so a crashed build never leaves it
held. Beside it `build.lock.json` says who holds it (pid, host, command, since when), so a second
build says whom it waits for."""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from pathlib import Path
from typing import Callable

from filelock import FileLock, Timeout

from ..errors import AssistantError

LOCK_NAME = "build.lock"
HOLDER_NAME = "build.lock.json"


class BuildBusyError(AssistantError):
    """Another build holds the home and did not finish within the wait."""


def holder(home: Path) -> dict | None:
    """Who holds (or last held) the build lock of `home`, as it wrote it; None when unknown."""
    try:
        return json.loads((Path(home) / HOLDER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def describe(info: dict | None) -> str:
    if not info:
        return "another build"
    return (f"the build of pid {info.get('pid')} on {info.get('host')} (started {info.get('since')}: "
            f"{info.get('command')})")


class BuildLock:
    """`with BuildLock(home, say=print):` — waits (saying for whom) while another build holds
    `home`; `wait` seconds at most (None: as long as it takes; Ctrl-C stops)."""

    def __init__(self, home: Path, say: Callable[[str], None] = print, wait: float | None = None):
        self.home = Path(home)
        self.say = say
        self.wait = wait
        self._lock: FileLock | None = None

    def __enter__(self) -> "BuildLock":
        self.home.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.home / LOCK_NAME), thread_local=False)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            self.say(f"waiting: {describe(holder(self.home))} is writing the index in {self.home}; "
                     f"this build starts when it ends (Ctrl-C stops)")
            try:
                lock.acquire(timeout=-1 if self.wait is None else self.wait)
            except Timeout:
                raise BuildBusyError(f"{describe(holder(self.home))} still holds {self.home} after "
                                     f"{self.wait:g} s; try again when it has finished") from None
        self._lock = lock
        info = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:200]}
        tmp = self.home / f".{HOLDER_NAME}.{os.getpid()}.tmp"
        try:
            tmp.write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.home / HOLDER_NAME)
        except OSError:  # who holds it is only said to a waiting build: a full disk must not keep the
            tmp.unlink(missing_ok=True)  # lock held (the build's own writes then say what failed)
        return self

    def __exit__(self, *exc) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None
