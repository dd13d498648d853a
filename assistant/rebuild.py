"""Rebuilding the index while the server runs, then serving the new one.

`rebuild_and_switch` is the one step: an incremental build of the corpus folder (unchanged files
and embedded texts come from the caches), the new index opened and warmed, then handed to
`switch` — the server replaces the Assistant its requests use, so a request in flight finishes on
the old index and the next one gets the new. `Rebuilder` runs that step in a background thread,
one at a time; a change that arrives during a build queues one more build after it. Its status
(stage, progress, result or error) is what the documents page shows."""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Callable

from .config import Settings
from .errors import AssistantError
from .service import Assistant


def rebuild_and_switch(settings: Settings, switch: Callable[[Assistant], None],
                       progress: Callable[[str, int, int], None] | None = None,
                       warn: Callable[[str], None] = lambda message: None, embedder=None) -> dict:
    """Build the index of `settings.corpus_dir` incrementally, open it, warm it up, and pass the
    new Assistant to `switch`. Returns what the build did. The previous index stays in use when
    the build fails (the build is written beside it and made current atomically). `embedder`: the
    model the server already has loaded (new texts are embedded with it, not a second copy)."""
    from .index.build import build_index

    _, stats = build_index(settings, warn=warn, progress=progress, embedder=embedder)
    if progress:
        progress("switching", 0, 1)
    assistant = Assistant.open(settings, warn=warn, build_if_missing=False)
    assistant.search("义务教育均衡发展 guarantee", 1)  # build the lazily made state before requests come
    switch(assistant)
    return {"documents": stats.documents, "chunks": stats.chunks, "files": stats.files,
            "files_processed": stats.files_processed, "files_reused": stats.files_reused,
            "chunks_embedded": stats.chunks_embedded, "skipped": stats.skipped,
            "seconds": round(stats.seconds, 1)}


STAGE_NAMES = {"reading files": "读取文件", "embedding": "计算向量", "writing to milvus": "写入 Milvus",
               "switching": "切换到新索引"}


@dataclass
class BuildStatus:
    state: str = "idle"  # idle | building | done | failed
    stage: str | None = None
    stage_name: str | None = None
    done: int = 0
    total: int = 0
    reason: str | None = None  # what asked for the build ("uploaded 2 files")
    queued: bool = False  # another build follows this one
    started_at: str | None = None
    finished_at: str | None = None
    seconds: float | None = None
    result: dict | None = None
    error: str | None = None
    builds: int = 0  # builds finished since the server started
    warnings: list[str] = field(default_factory=list)


class Rebuilder:
    """Background rebuilds for one server: at most one at a time, changes during a build queued."""

    def __init__(self, settings: Settings, switch: Callable[[Assistant], None],
                 log: Callable[[str], None] = lambda message: None,
                 serving: Callable[[], Assistant | None] = lambda: None):
        self.settings = settings
        self.switch = switch
        self.serving = serving  # the Assistant in use, whose loaded model the build reuses
        self.log = log
        self._lock = threading.Lock()
        self._status = BuildStatus()
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()

    def status(self) -> dict:
        with self._lock:
            return asdict(self._status)

    def request(self, reason: str) -> dict:
        """Start a build now, or after the running one (which may have read the folder already)."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                self._status.queued = True
                self._status.reason = f"{self._status.reason}; {reason}" if self._status.reason else reason
                return asdict(self._status)
            self._begin(reason)
            return asdict(self._status)

    def _begin(self, reason: str) -> None:
        self._status = BuildStatus(state="building", reason=reason, started_at=time.strftime("%Y-%m-%dT%H:%M:%S"),
                                   builds=self._status.builds)
        self._idle.clear()
        self._thread = threading.Thread(target=self._run, name="index-rebuild", daemon=True)
        self._thread.start()

    def _progress(self, stage: str, done: int, total: int) -> None:
        with self._lock:
            self._status.stage, self._status.stage_name = stage, STAGE_NAMES.get(stage, stage)
            self._status.done, self._status.total = done, total

    def _warn(self, message: str) -> None:
        self.log(message)
        with self._lock:
            if len(self._status.warnings) < 50:
                self._status.warnings.append(message)

    def _run(self) -> None:
        started = time.perf_counter()
        result, error = None, None
        try:
            current = self.serving()
            result = rebuild_and_switch(self.settings, self.switch, self._progress, self._warn,
                                        embedder=current.embedder if current is not None else None)
        except AssistantError as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 - reported on the page and in the log, never lost
            error = f"the build failed ({type(exc).__name__}: {exc}); the previous index is still served"
            self.log(error)
        with self._lock:
            status = self._status
            status.state = "failed" if error else "done"
            status.error, status.result = error, result
            status.finished_at = time.strftime("%Y-%m-%dT%H:%M:%S")
            status.seconds = round(time.perf_counter() - started, 1)
            status.builds += 1
            if status.queued:  # files changed while this build ran: build once more
                self._begin("changes made during the last build")
                return
            self._idle.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until no build runs or is queued (tests, shutdown); False on timeout."""
        return self._idle.wait(timeout)
