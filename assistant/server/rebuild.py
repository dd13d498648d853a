"""Rebuilding the index while the server runs, then serving the new one.

`rebuild_and_switch` is the one step: an incremental build of the corpus folder (unchanged files
and embedded texts come from the caches; in a worker process, so the server does not keep what the
build held), the new index opened and warmed, then handed to
`switch` — the server replaces the Assistant its requests use, so a request in flight finishes on
the old index and the next one gets the new. `Rebuilder` runs that step in a background thread,
one at a time; a change that arrives during a build queues one more build after it. Its status
(stage, progress, result or error) is what the documents page shows.

A change is durable before it is acknowledged: `Rebuilder.mark` writes ASSISTANT_HOME/
pending-rebuild.json (a temporary file, fsync, os.replace) before the route changes the corpus,
and the record is removed only when a build that began after it (and after the change it stands
for was made) finishes. A server killed during a build finds the record when it starts again
(`resume`) and builds; /health reports it (`pending_rebuild`)."""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from ..config import Settings
# the same durable writes as the uploads (a new file flushed to the disk; the folder's new names synced)
from .uploads import _sync_folder, _write_file as _write_durably
from ..errors import AssistantError
from ..index.backends import backend_for
from ..service import Assistant


def rebuild_and_switch(settings: Settings, switch: Callable[[Assistant], None],
                       progress: Callable[[str, int, int], None] | None = None,
                       warn: Callable[[str], None] = lambda message: None,
                       serving: Assistant | None = None) -> dict:
    """Build the index of `settings.corpus_dir` (and the other collections) incrementally, open it,
    warm it up, and pass the new Assistant to `switch`. Returns what the build did. The previous
    index stays in use when the build fails (the build is written beside it and made current
    atomically). The build runs in a worker process (`build_in_worker`) when that process can load
    the server's embedding model by its name, so what reading, chunking and embedding hold is
    freed when it ends, not kept by the server; `embedder`: the model the server has loaded (a
    model it was handed rather than loaded by name is used in this process instead). `serving`: the
    assistant served now, whose model and constants the new one keeps."""
    embedder = serving.embedder if serving is not None else None
    if worker_can_build(settings, embedder):
        result = build_in_worker(settings, progress, warn)
    else:
        from ..building import build_index

        _, stats = build_index(settings, warn=warn, progress=progress, embedder=embedder)
        result = build_summary(stats)
    if progress:
        progress("switching", 0, 1)
    if serving is not None:
        assistant = serving.over(settings, backend_for(settings).load())
    else:
        assistant = Assistant.open(settings, warn=warn, build_if_missing=False)
    assistant.warm_up()  # build the lazily made state before requests come
    switch(assistant)
    return result


def build_summary(stats) -> dict:
    return {"documents": stats.documents, "chunks": stats.chunks, "files": stats.files,
            "files_processed": stats.files_processed, "files_reused": stats.files_reused,
            "chunks_embedded": stats.chunks_embedded, "skipped": stats.skipped,
            "seconds": round(stats.seconds, 1)}


def worker_can_build(settings: Settings, embedder) -> bool:
    """A worker process builds when it would embed with the same model as the server: the one the
    server loaded by the name in the settings (a test's stand-in model exists in this process only)."""
    from ..index.embedders import loaded_embedder

    return embedder is not None and loaded_embedder(settings.embedding_model) is embedder


def build_in_worker(settings: Settings, progress: Callable[[str, int, int], None] | None = None,
                    warn: Callable[[str], None] = lambda message: None) -> dict:
    """Run the incremental build in a fresh process (spawned: nothing of the server's memory is
    copied) and relay its progress and warnings; its summary, with the worker's pid and peak memory.
    AssistantError with the worker's own message when the build fails, or when the worker dies."""
    import multiprocessing
    import queue as queues

    context = multiprocessing.get_context("spawn")
    messages = context.Queue()
    worker = context.Process(target=_build_worker, args=(settings, messages), name="index-rebuild", daemon=True)
    worker.start()
    try:
        while True:
            try:
                message = messages.get(timeout=0.5)
            except queues.Empty:
                if worker.is_alive():
                    continue
                try:  # it may have put its last message just before it ended
                    message = messages.get(timeout=1)
                except queues.Empty:
                    raise AssistantError(f"the build process ended unexpectedly (exit code {worker.exitcode}); "
                                         f"the previous index is still served") from None
            kind = message[0]
            if kind == "progress" and progress:
                progress(*message[1:])
            elif kind == "warn":
                warn(message[1])
            elif kind == "done":
                return message[1]
            elif kind == "error":
                raise AssistantError(message[1])
    finally:
        worker.join(timeout=30)
        messages.close()


def _build_worker(settings: Settings, messages) -> None:  # runs in the worker process
    import resource

    from ..building import build_index

    try:
        _, stats = build_index(settings, warn=lambda m: messages.put(("warn", m)),
                               progress=lambda stage, done, total: messages.put(("progress", stage, done, total)))
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
        messages.put(("done", dict(build_summary(stats), worker_pid=os.getpid(), worker_peak_mb=round(peak_mb))))
    except AssistantError as exc:
        messages.put(("error", str(exc)))
    except BaseException as exc:  # noqa: BLE001 - said to the server, which keeps the old index
        messages.put(("error", f"the build failed ({type(exc).__name__}: {exc}); the previous index is still served"))


STAGE_NAMES = {"reading files": "读取文件", "embedding": "计算向量", "writing to milvus": "写入 Milvus",
               "switching": "切换到新索引"}


def stage_name(stage: str) -> str:
    """A build stage as the documents page says it ("reading files of laws" → 读取文件(知识库 laws))."""
    if stage.startswith("reading files of "):
        return f"读取文件(知识库 {stage[len('reading files of '):]})"
    return STAGE_NAMES.get(stage, stage)


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


PENDING_FILE = "pending-rebuild.json"


class PendingRecord:
    """ASSISTANT_HOME/pending-rebuild.json: changes to the corpus whose rebuild has not finished
    (`{"generation", "since", "updated", "reasons"}`), written atomically and flushed to disk."""

    def __init__(self, home: Path):
        self.path = Path(home) / PENDING_FILE

    def read(self) -> dict | None:
        """The record, None when there is none; a damaged one still means a rebuild is pending."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("generation", 0), int):
            return {"generation": 0, "since": None, "reasons": [f"{PENDING_FILE} could not be read"]}
        return data

    def write(self, record: dict) -> None:
        """Replace the record atomically (temporary file, fsync, os.replace, fsync of the folder);
        an OSError (disk full…) leaves the previous record as it was."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{PENDING_FILE}.{uuid.uuid4().hex}.tmp")
        try:
            _write_durably(temporary, json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8"))
            os.replace(temporary, self.path)
        except BaseException:
            try:
                temporary.unlink(missing_ok=True)
            except OSError:
                pass
            raise
        _sync_folder(self.path.parent)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
        _sync_folder(self.path.parent)


class Rebuilder:
    """Background rebuilds for one server: at most one at a time, changes during a build queued;
    the pending changes recorded on disk until a build covering them has finished."""

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
        self.pending = PendingRecord(settings.home)
        self._record_lock = threading.Lock()  # taken after self._lock, never before it
        self._record = self.pending.read()  # a record left by a server that stopped mid-build
        self._generation = int(self._record.get("generation", 0)) if self._record else 0
        self._changing: dict[int, bool] = {}  # marks whose change is being made → no record before them

    def mark(self, reason: str) -> int:
        """Record on disk that a rebuild is pending (`reason`: the change about to be made), before
        the change is made; the token to pass to `request` once it is made, or to `unmark` when it
        was not. An OSError (disk full, no permission) means the change must not be made."""
        with self._record_lock:
            previous = self._record
            now = time.strftime("%Y-%m-%dT%H:%M:%S")
            generation = self._generation + 1
            reasons = list(previous.get("reasons") or []) if previous else []
            record = {"generation": generation, "since": (previous or {}).get("since") or now, "updated": now,
                      "reasons": (reasons + [reason])[-20:]}
            self.pending.write(record)
            self._generation, self._record = generation, record
            self._changing[generation] = previous is None
            return generation

    def unmark(self, token: int) -> None:
        """The change of `mark`'s `token` was not made: forget it (the record goes when nothing
        else was pending)."""
        with self._record_lock:
            fresh = self._changing.pop(token, False)
            if fresh and self._record is not None and self._record.get("generation") == token:
                try:
                    self.pending.clear()
                    self._record = None
                except OSError as exc:  # it stays; the next build clears it
                    self.log(f"cannot remove {self.pending.path} ({exc})")

    def pending_state(self) -> dict:
        """What /health shows: whether a rebuild is pending on disk, why, and since when."""
        with self._record_lock:
            record = self._record
        if record is None:
            return {"pending_rebuild": False, "pending_reason": None, "pending_since": None}
        return {"pending_rebuild": True, "pending_reason": "; ".join(str(r) for r in record.get("reasons") or []) or None,
                "pending_since": record.get("since")}

    def resume(self) -> dict | None:
        """At server start: build when a record says a rebuild was pending (the server stopped
        before it finished); the build status, or None when nothing was pending."""
        with self._record_lock:
            record = self._record
        if record is None:
            return None
        reasons = "; ".join(str(r) for r in record.get("reasons") or []) or "changes"
        self.log(f"a rebuild was pending when the server stopped ({reasons}); rebuilding now")
        return self.request(f"pending since {record.get('since') or 'the last start'}: {reasons}")

    def status(self) -> dict:
        with self._lock:
            return asdict(self._status)

    def request(self, reason: str, token: int | None = None) -> dict:
        """Start a build now, or after the running one (which may have read the folder already).
        `token`: the `mark` of the change just made."""
        with self._lock:
            if token is not None:
                with self._record_lock:
                    self._changing.pop(token, None)
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
        with self._record_lock:  # the records this build covers: those of changes already made
            covers = min(self._changing) - 1 if self._changing else self._generation
        self._thread = threading.Thread(target=self._run, args=(covers,), name="index-rebuild", daemon=True)
        self._thread.start()

    def _progress(self, stage: str, done: int, total: int) -> None:
        with self._lock:
            self._status.stage, self._status.stage_name = stage, stage_name(stage)
            self._status.done, self._status.total = done, total

    def _warn(self, message: str) -> None:
        self.log(message)
        with self._lock:
            if len(self._status.warnings) < 50:
                self._status.warnings.append(message)

    def _run(self, covers: int = 0) -> None:
        started = time.perf_counter()
        result, error = None, None
        try:
            current = self.serving()
            result = rebuild_and_switch(self.settings, self.switch, self._progress, self._warn, serving=current)
        except AssistantError as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 - reported on the page and in the log, never lost
            error = f"the build failed ({type(exc).__name__}: {exc}); the previous index is still served"
            self.log(error)
        if error is None:
            self._cleared(covers)
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

    def _cleared(self, covers: int) -> None:
        """A build that covers the records up to `covers` finished: remove the record unless a
        later change wrote it."""
        with self._record_lock:
            if self._record is None or int(self._record.get("generation", 0)) > covers:
                return
            try:
                self.pending.clear()
                self._record = None
            except OSError as exc:  # it stays: the next start builds once more, which is harmless
                self.log(f"cannot remove {self.pending.path} ({exc}); the next start will rebuild")

    def busy(self) -> bool:
        """A build runs or is queued."""
        return not self._idle.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until no build runs or is queued (tests, shutdown); False on timeout."""
        return self._idle.wait(timeout)
