"""Typed errors the library raises; the CLI turns them into one-line messages, the HTTP app into 4xx.
`os_error_message` says the same in one line for an OSError (disk full, permissions, read-only, I/O)."""

import re


class AssistantError(Exception):
    """Base class for every error a user can act on. The message says what to do."""


class CorpusError(AssistantError):
    """The corpus folder is missing, empty or holds nothing readable."""


class IndexMissingError(AssistantError):
    """No index has been built yet under ASSISTANT_HOME."""


class IndexCorruptError(AssistantError):
    """The index on disk cannot be read (partial copy, other version)."""


class LoadError(AssistantError):
    """One source file cannot be read; the build skips it with this message."""


class QuestionError(AssistantError):
    """A question or query is empty, too long, or has a bad parameter."""


class DraftError(AssistantError):
    """A draft request names an unknown kind or focus area, a bad school name, or a facts file that
    cannot be read; the message names what to fix (the valid kinds, the file)."""


class BackendError(AssistantError):
    """The index backend cannot be used: an unknown ASSISTANT_BACKEND, a Milvus URI that does not
    answer, a server without a feature the assistant needs, or a collection built with another
    embedding model. The message names the setting to change."""


class RequestTimeout(AssistantError):
    """A request ran past its time budget (the HTTP app answers 503) and was stopped."""


#: What an OS error means for the user, by errno name: (what happened, what to do). The path is put
#: in where the text says {path}.
_OS_ERRORS = {
    "ENOSPC": ("disk full while writing {path}", "free space on that disk or set ASSISTANT_HOME to another disk"),
    "EDQUOT": ("disk quota exceeded while writing {path}",
               "free space in your quota or set ASSISTANT_HOME to another disk"),
    "EFBIG": ("file too large for the file system while writing {path}", "set ASSISTANT_HOME to another disk"),
    "EACCES": ("permission denied on {path}", "give this user access to it or set ASSISTANT_HOME to a folder it can write"),
    "EPERM": ("operation not permitted on {path}", "give this user access to it or set ASSISTANT_HOME to a folder it can write"),
    "EROFS": ("read-only file system at {path}", "set ASSISTANT_HOME to a folder on a writable disk"),
    "EIO": ("input/output error on {path}",
            "the disk may be failing: check it (dmesg, SMART) or set ASSISTANT_HOME to another disk"),
    "ENOENT": ("no such file or folder: {path}", "check the path (and ASSISTANT_HOME, ASSISTANT_CORPUS)"),
    "ENOTDIR": ("not a folder: {path}", "check the path (and ASSISTANT_HOME, ASSISTANT_CORPUS)"),
    "EISDIR": ("is a folder, not a file: {path}", "give the path of a file"),
    "ENAMETOOLONG": ("file name too long: {path}", "use a shorter name or a folder nearer the root"),
    "EMFILE": ("too many open files while opening {path}", "raise the limit (ulimit -n 4096) and try again"),
    "ENFILE": ("too many open files in the system while opening {path}", "close other programs and try again"),
    "ENOMEM": ("out of memory while working on {path}", "close other programs or use a smaller corpus"),
    "ESTALE": ("stale network file handle for {path}", "remount the network disk or set ASSISTANT_HOME to a local disk"),
}
#: Faults of writing where an error without a file name is taken to be about ASSISTANT_HOME.
_DISK_FAULTS = {"ENOSPC", "EDQUOT", "EFBIG", "EACCES", "EPERM", "EROFS", "EIO", "ESTALE"}
#: SQLite's own messages for the same faults (the embedding cache): (words in its message, errno name).
_SQLITE_ERRORS = (("disk is full", "ENOSPC"), ("disk i/o error", "EIO"), ("readonly database", "EROFS"),
                  ("unable to open database", "EACCES"))


_DATABASE = (".sqlite", ".sqlite3", ".db")


def _file_in_traceback(exc: BaseException, database: bool = False) -> str | None:
    """The name of a file open for writing in the innermost frame that has one (an OSError from
    `handle.write` carries no file name); with `database`, of an SQLite file (a local, or the
    `path` of the object whose method failed)."""
    import io
    from pathlib import PurePath

    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    for frame in reversed(frames):
        for value in list(frame.f_locals.values()):
            if database:
                value = getattr(value, "path", value)
                if isinstance(value, (str, PurePath)) and str(value).endswith(_DATABASE):
                    return str(value)
                continue
            name = getattr(value, "name", None)
            if isinstance(value, io.IOBase) and isinstance(name, str) and set(getattr(value, "mode", "")) & set("wax+"):
                return name
    return None


def _nearly_full(path) -> bool:
    """Whether the disk holding `path` (or its nearest existing folder) has less than 1 MB free: an
    "I/O error" there (SQLite says so when it cannot grow its files) is a full disk."""
    import shutil
    from pathlib import Path

    if path is None:
        return False
    folder = Path(path)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder).free < 1 << 20
    except OSError:
        return False


def os_error_message(exc: BaseException, home=None) -> str | None:
    """One line naming the path and what to do for an OSError (or SQLite's and faiss's reports of
    the same faults), e.g.
    "disk full while writing /x/y: free space on that disk or set ASSISTANT_HOME to another disk";
    `home` (ASSISTANT_HOME) is named when the error carries no path. None for other errors."""
    import errno
    import os
    import sqlite3

    if isinstance(exc, OSError):
        code = errno.errorcode.get(exc.errno or 0, "")
        reason = exc.strerror or str(exc) or type(exc).__name__
        path = exc.filename if exc.filename is not None else _file_in_traceback(exc)
        if exc.filename2 is not None:
            path = f"{path} → {exc.filename2}"
    elif isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        code = next((name for words, name in _SQLITE_ERRORS if words in text), "")
        if not code:
            return None
        reason, path = str(exc), _file_in_traceback(exc, database=True)
    elif isinstance(exc, RuntimeError):  # faiss reports a failed open or write as a RuntimeError
        text = str(exc)
        code = next((name for name in _OS_ERRORS if hasattr(errno, name)
                     and os.strerror(getattr(errno, name)).lower() in text.lower()), "")
        if not code:
            return None
        found = re.search(r"(?:could not open|error in|writing|reading) (/\S+?):? (?:for |\d|[A-Z])", text)
        reason, path = text, found.group(1) if found else None
    else:
        return None
    if isinstance(path, bytes):
        path = path.decode("utf-8", "replace")
    if code == "EIO" and _nearly_full(path if path is not None else home):
        code = "ENOSPC"
    if path is None and code in _DISK_FAULTS:
        path = f"a file under {home}" if home is not None else "a file"
    if code in _OS_ERRORS and path is not None:
        what, todo = _OS_ERRORS[code]
        line = f"{what.replace('{path}', str(path))}: {todo}"
    else:
        where = f" ({path})" if path is not None else ""
        line = f"{reason}{where}: check the path and the disk (or the network) and try again"
    return re.sub(r"[\r\n]+", " ", line)  # one line, even for a path with a new line in it
