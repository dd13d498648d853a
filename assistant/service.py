"""The one Python API: open (or build) the index, search, and report status. The CLI and the
HTTP app are thin shells over `Assistant`."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from .config import Settings
from .errors import QuestionError
from .index import store
from .index.build import BuildStats, ProgressFn, build_index
from .index.embedders import load_embedder
from .retrieval.search import Searcher

MAX_TOP_K = 50


def check_top_k(top_k: int) -> int:
    if not isinstance(top_k, int) or isinstance(top_k, bool) or not 1 <= top_k <= MAX_TOP_K:
        raise QuestionError(f"top_k must be a whole number from 1 to {MAX_TOP_K} (got {top_k!r})")
    return top_k


class Assistant:
    def __init__(self, settings: Settings, index: store.IndexData, warn: Callable[[str], None] = print):
        self.settings = settings
        self.index = index
        self.warn = warn
        model = index.manifest.get("embedding_model")
        embedder = load_embedder(model, warn) if model else None
        if embedder is not None and index.dense is not None and embedder.dim != index.dense.dim:
            warn(f"warning: model '{embedder.name}' gives {embedder.dim}-d vectors but the index has "
                 f"{index.dense.dim}-d; dense retrieval is off until `assistant index build`")
            embedder = None
        self.embedder = embedder
        self.searcher = Searcher(index, embedder)
        self._finder = None  # the drafting aid's example finder, built on first use

    @classmethod
    def open(cls, settings: Settings, warn: Callable[[str], None] = print,
             progress: ProgressFn | None = None, build_if_missing: bool = True) -> "Assistant":
        """Load the current index; build it first when there is none or when the embedding-model
        setting differs from the one the index was built with."""
        root = settings.index_root
        if store.exists(root):
            index = store.load_current(root)
            if index.manifest.get("embedding_setting") == settings.embedding_model or not build_if_missing:
                return cls(settings, index, warn)
            warn(f"the embedding model setting changed ({index.manifest.get('embedding_setting')} → "
                 f"{settings.embedding_model}); rebuilding the index")
        elif not build_if_missing:
            store.load_current(root)  # raises IndexMissingError with the fix in its message
        warn(f"building the index of {settings.corpus_dir} (first use)")
        index, _ = build_index(settings, warn=warn, progress=progress)
        return cls(settings, index, warn)

    @staticmethod
    def build(settings: Settings, warn: Callable[[str], None] = print, progress: ProgressFn | None = None,
              corpus_dir: Path | None = None) -> BuildStats:
        _, stats = build_index(settings, warn=warn, progress=progress, corpus_dir=corpus_dir)
        return stats

    def search(self, query: str, top_k: int = 5) -> dict:
        check_top_k(top_k)
        hits = self.searcher.search(query, top_k)
        return {"query": query, "results": [hit.to_dict() for hit in hits]}

    def draft(self, kind: str, school: str, facts: dict | None = None, focus: list[str] | None = None):
        """An outline (assistant.drafting.Outline) of a new document of `kind` (English or Chinese
        name) for `school`: sections with suggested points, 【placeholders】 filled from `facts`
        ({"学生数": 650, ...}) where given, and cited example passages from the corpus. `focus`
        narrows or extends the areas of work. `.to_dict()` is the JSON of `POST /draft`."""
        from .drafting import ExampleFinder, build_outline

        if self._finder is None:
            self._finder = ExampleFinder(self.searcher)
        return build_outline(self._finder, kind, school, facts=facts, focus=focus)

    def status(self) -> dict:
        manifest = dict(self.index.manifest)
        manifest["embedding_model_in_use"] = self.embedder.name if self.embedder else None
        return manifest
