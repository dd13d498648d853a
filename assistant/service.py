"""The one Python API: open (or build) the index, search, and report status. The CLI and the
HTTP app are thin shells over `Assistant`."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .answer import Answer, compose
from .answer import summary, synthesis
from .answer.config import AnswerConfig
from .answer.learned import AnswerModel
from .retrieval.filters import Filters
from .config import Settings
from .conversation import Turn, resolve
from .errors import BackendError, CorpusError, IndexCorruptError, QuestionError, RequestTimeout
from .index import store
from .index.backends import backend_for
from .index.cache import stale_reason
from .index.embedders import load_embedder
from .retrieval.assembly import SectionTrees, assemble
from .retrieval.names import name_groups, names_any
from .retrieval.question import Question
from .retrieval.rerank import load_reranker
from .retrieval.ranking import RankingConfig
from .retrieval.search import Ranking, Searcher, check_question

if TYPE_CHECKING:  # the build (ingest, chunking) is imported only when an index is built
    from .building import BuildStats, ProgressFn

MAX_TOP_K = 50
#: Earlier turns read from a history (the newest), and the characters of their text read at most
#: (newest first; older turns beyond either are left out). A turn given only as its question is
#: resolved as text (conversation.resolve), never answered again: a request does one answer's work.
MAX_HISTORY = 20
HISTORY_CHARS = 8000


@dataclass
class Case:
    """What an answer is made from: the question, its one ranking, the hits and passages."""

    question: Question
    ranking: Ranking
    hits: list
    passages: list
    missing: list  # articles the question looks up that its law does not have
    owners: list  # the laws that have the article a question asks for without naming a law


class Deadline:
    """A time budget: `check()` raises RequestTimeout once `seconds` have passed. The work of a
    request checks it between its stages (and between history turns), so a request past its
    budget stops at the next stage instead of holding a worker."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise RequestTimeout(f"the request took longer than its {self.seconds:g} s budget and was stopped; "
                                 f"ask a shorter question or send less history")


#: The answer when a question's filters let no document through.
NO_MATCH = {"zh": "没有符合筛选条件({filters})的文档,所以无法回答;请放宽条件,或用 assistant index documents 查看有哪些文档。",
            "en": "No document matches the filters ({filters}), so the question cannot be answered from them; widen "
                  "them, or list the documents with `assistant index documents`."}


def check_top_k(top_k: int) -> int:
    if not isinstance(top_k, int) or isinstance(top_k, bool) or not 1 <= top_k <= MAX_TOP_K:
        raise QuestionError(f"top_k must be a whole number from 1 to {MAX_TOP_K} (got {top_k!r})")
    return top_k


def _carries_turn(item) -> bool:
    """A history object that says what its turn was about (its section), as `turn` gives it."""
    return isinstance(item, dict) and ("topic" in item or "title" in item)


def _within_limit(resolved: str, question: str) -> str:
    """A follow-up read against a long earlier question can grow past the question limit; then
    the question is taken as it was typed."""
    from .retrieval.search import MAX_QUESTION_CHARS

    return resolved if len(resolved) <= MAX_QUESTION_CHARS else question.strip()


def _text(value) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


class Assistant:
    def __init__(self, settings: Settings, index: store.IndexData, warn: Callable[[str], None] = print,
                 ranking: RankingConfig | None = None, answering: AnswerConfig | None = None):
        """`ranking` and `answering`: the constants that order passages and choose what is quoted (their
        defaults unless given)."""
        self.settings = settings
        self.answering = answering or AnswerConfig()
        self.index = index
        self.warn = warn
        model = index.manifest.get("embedding_model")
        embedder = load_embedder(model, warn) if model else None
        if embedder is not None and index.dense is not None and embedder.dim != index.dense.dim:
            warn(f"warning: model '{embedder.name}' gives {embedder.dim}-d vectors but the index has "
                 f"{index.dense.dim}-d; dense retrieval is off until `assistant index build`")
            embedder = None
        self.embedder = embedder
        self.searcher = Searcher(index, embedder, ranking, reranker=load_reranker(settings.rerank_model, warn))
        self.answer_model = AnswerModel.load()  # what to quote and whether it answers (answer/learned.py)
        self.trees = SectionTrees(index)
        self.llm = None  # an OpenAI-compatible model (llm.py), or None: extractive answers
        if settings.llm_base_url or settings.llm_model:
            from .llm import load_model

            self.llm = load_model(settings, warn)
        self._finder = None  # the drafting aid's example finder, built on first use
        self._finder_lock = threading.Lock()

    @classmethod
    def open(cls, settings: Settings, warn: Callable[[str], None] = print,
             progress: ProgressFn | None = None, build_if_missing: bool = True,
             ranking: RankingConfig | None = None, answering: AnswerConfig | None = None) -> "Assistant":
        """Load the current index; build it first when there is none, when the embedding-model
        setting differs from the one the index was built with, or when this version of the
        assistant would process the files differently (pipeline version, tokenizer data).
        A shared (Milvus) index is never rebuilt by opening it: another embedding model is a
        BackendError naming the setting, an outdated pipeline a warning. A damaged local index is
        rebuilt (cached files and embeddings are reused)."""
        backend = backend_for(settings)
        if backend.exists():
            try:
                index = backend.load()
            except IndexCorruptError as exc:
                if not build_if_missing or backend.name != "local":
                    raise
                warn(f"{exc}; rebuilding it now (cached files and embeddings are reused)")
                from .building import build_index

                index, _ = build_index(settings, warn=warn, progress=progress)
                return cls(settings, index, warn, ranking, answering)
            stale = stale_reason(index.manifest)
            same_model = index.manifest.get("embedding_setting") == settings.embedding_model
            shared = backend.name != "local"  # rebuilt on purpose (`index build`), never by a query
            if shared and not same_model:
                raise BackendError(
                    f"the index at {backend.location()} was built with embedding model "
                    f"{index.manifest.get('embedding_setting')!r}, this process is set to {settings.embedding_model!r}; "
                    f"set ASSISTANT_EMBEDDING_MODEL={index.manifest.get('embedding_setting')} or run `assistant index build`")
            if (same_model and stale is None) or not build_if_missing:
                return cls(settings, index, warn, ranking, answering)
            if shared:
                warn(f"warning: the index was {stale}; answering from it until `assistant index build`")
                return cls(settings, index, warn, ranking, answering)
            if not same_model:
                warn(f"the embedding model setting changed ({index.manifest.get('embedding_setting')} → "
                     f"{settings.embedding_model}); rebuilding the index")
            else:
                warn(f"the index was {stale}; rebuilding it (cached embeddings are reused)")
        elif not build_if_missing:
            backend.load()  # raises IndexMissingError with the fix in its message
        else:
            warn(f"building the index of {settings.corpus_dir} (first use)")
        from .building import build_index

        index, _ = build_index(settings, warn=warn, progress=progress)
        return cls(settings, index, warn, ranking, answering)

    @staticmethod
    def build(settings: Settings, warn: Callable[[str], None] = print, progress: ProgressFn | None = None,
              corpus_dir: Path | None = None, fresh: bool = False) -> BuildStats:
        """Build (incrementally: unchanged files and texts come from the caches; `fresh` ignores them)."""
        from .building import build_index

        _, stats = build_index(settings, warn=warn, progress=progress, corpus_dir=corpus_dir, fresh=fresh)
        return stats

    @staticmethod
    def index_status(settings: Settings) -> dict:
        """The current index's manifest (read alone, without loading the index), its path, and
        what changed in its corpus folder since it was built."""
        backend = backend_for(settings)
        root = settings.index_root
        manifest = backend.load_manifest()
        if (backend.name == "local" and manifest is None and store.current_path(root).is_symlink()
                and store.current_path(root).exists()):
            raise IndexCorruptError(f"damaged: {store.current_path(root).resolve() / 'manifest.json'} cannot be "
                                    f"read; run `assistant index build`")
        if manifest is None:
            backend.load()  # raises IndexMissingError with the fix in its message
        manifest["index_path"] = backend.location()
        manifest["stale"] = stale_reason(manifest)
        if backend.name == "local":  # the files' sizes and checksums (a Milvus server keeps its own)
            from .index import integrity

            manifest["damaged"] = integrity.check(store.current_path(root), manifest, full=True)
            manifest["verified"] = bool(manifest.get("checksums")) and not manifest["damaged"]
        manifest.pop("checksums", None)
        from .collection import all_collections
        from .index.changes import changes_since  # reads the corpus folder (ingest); not needed to answer

        try:
            others = {c.name: c.corpus for c in all_collections(settings)[1:]}
            manifest["changes"] = changes_since(manifest, Path(manifest["corpus"]), others).to_dict()
        except CorpusError as exc:
            manifest["changes"] = {"error": str(exc)}
        return manifest

    def scoped(self, filters: Filters | None) -> Filters | None:
        """The request's filters, with the settings' collections where the request names none (a
        collection that does not exist is a filter no document matches: `unmatched` says so)."""
        if not self.settings.collections:
            return filters
        return (filters or Filters()).merged(Filters(collections=frozenset(self.settings.collections)))

    def over(self, settings: Settings, index: store.IndexData) -> "Assistant":
        """An assistant over another build of the index, with this one's constants and warnings."""
        return type(self)(settings, index, self.warn, self.searcher.config, self.answering)

    def warm_up(self) -> None:
        """Build the lazily made state (segmenter, pinyin names, caches) before the first question."""
        self.search("义务教育均衡发展 guarantee", 1)

    def search(self, query: str, top_k: int = 5, filters: Filters | None = None) -> dict:
        check_top_k(top_k)
        question = self.searcher.understand(query, filters=self.scoped(filters))
        none = self.unmatched(question)
        hits = [] if none else self.searcher.rank(question).hits(top_k)
        out = {"query": query, "results": [hit.to_dict() for hit in hits]}
        if question.filters:
            out["filters"] = question.filters.describe()
        if none:
            out["note"] = none
        return out

    def unmatched(self, question: Question) -> str | None:
        """What to say when the question's filters let no document through (None when some match)."""
        if question.filters and not any(question.filters.matches(d) for d in self.index.documents):
            if question.filters.collections:
                from .collection import names

                return (f"no document matches the filters ({question.filters.describe()}); the collections are "
                        f"{', '.join(names(self.settings))} (a new one holds documents once they are added and indexed)")
            return (f"no document matches the filters ({question.filters.describe()}); "
                    f"`assistant index documents` lists the kinds, dates and bodies there are")
        return None

    def ask(self, question: str, top_k: int = 5, history: list | None = None,
            deadline: Deadline | None = None, filters: Filters | None = None) -> Answer:
        """Answer `question` with cited passages; `history` holds the earlier turns of a
        conversation (strings, {"question": ...} objects, the `turn` of earlier answers, or
        Turns), oldest first. With a language model configured, the model writes the answer from
        the passages (checked: synthesis.py). Past the `deadline` it raises RequestTimeout."""
        answer = self.extractive(question, top_k, history, deadline, filters)
        if deadline is not None:
            deadline.check()
        return synthesis.synthesize(answer, self.llm, answer.across_documents)

    def ask_events(self, question: str, top_k: int = 5, history: list | None = None,
                   deadline: Deadline | None = None, filters: Filters | None = None):
        """The answer as it is written: ("passages", dict) first, then ("delta", text) pieces of
        checked text, then ("done", the JSON of ask). The question is checked and the passages
        are found before this returns, so a bad question raises here, not while streaming."""
        answer = self.extractive(question, top_k, history, deadline, filters)
        head = {key: value for key, value in answer.to_dict().items()
                if key in ("question", "resolved_question", "lang", "found", "sure", "citations")}

        def stream():
            yield "passages", head
            for kind, value in synthesis.events(answer, self.llm, answer.across_documents):
                yield kind, self.answer_json(value) if kind == "done" else value

        return stream()

    def extractive(self, question: str, top_k: int = 5, history: list | None = None,
                   deadline: Deadline | None = None, filters: Filters | None = None) -> Answer:
        """The extractive answer (quoted lines), whatever model is configured; `filters`: the
        documents it may come from (besides those the question itself names: retrieval/filters.py)."""
        question = check_question(question)
        check_top_k(top_k)
        turns = self.turns(history, deadline)
        resolved = _within_limit(resolve(question, turns), question)
        understood = self.searcher.understand(resolved, asked=question, filters=self.scoped(filters))
        none = self.unmatched(understood)
        if none:  # said plainly, not answered from other documents
            said = NO_MATCH["zh" if understood.lang == "zh" else "en"].format(
                filters=understood.filters.describe(understood.lang))
            return Answer(question, resolved, understood.lang, False, said)
        return self._answer(understood, top_k, deadline)

    def case(self, question: Question, top_k: int = 5) -> Case:
        """Rank once, and the passages an answer is made from (assembled sections, a passage of each
        place a question names, the article of each law for a bare article number)."""
        ranking = self.searcher.rank(question)
        hits = ranking.hits(max(top_k, 8))
        passages = assemble(self.index, self.trees, question, hits, self.answering.section_limit, max_passages=top_k)
        passages += self.place_passages(ranking, passages, top_k)
        owners = self.searcher.article_owners(question)
        if len(owners) > 1:  # "第二十九条" alone: that article of each law that has one
            passages = self.article_passages(owners, question.intent.articles[0], top_k) or passages
        return Case(question, ranking, hits, passages, self.searcher.missing_articles(question), owners)

    def _answer(self, question: Question, top_k: int, deadline: Deadline | None = None) -> Answer:
        """Rank once; assemble, select and decide from that one order."""
        check = deadline.check if deadline is not None else (lambda: None)
        check()
        case = self.case(question, top_k)
        check()
        answer = compose(question, case.hits, case.passages, self.index, self.answer_model, case.missing, case.owners,
                         self.searcher.similarities, self.answering)
        if answer.found and len(case.owners) < 2 and question.summary:
            return self.across_documents(answer, case.ranking, top_k)
        return answer

    def place_passages(self, ranking: Ranking, passages: list, top_k: int) -> list:
        """For a question about two or more places or schools, the best passage of the documents of
        each one the passages do not name (in ranking order, from the first `place_depth` hits)."""
        groups = name_groups(ranking.question.names)
        if len(groups) < 2:
            return []
        wanted = [g for g in groups if not any(names_any(g, f"{p.title} {p.text}") for p in passages)]
        if not wanted:
            return []
        chosen = []
        for hit in ranking.hits(self.answering.place_depth):
            text = self.searcher.document_text(hit.chunk.doc_id)
            for group in [g for g in wanted if names_any(g, text)]:
                chosen.append(hit)
                wanted.remove(group)
            if not wanted:
                break
        if not chosen:
            return []
        return assemble(self.index, self.trees, ranking.question, chosen, self.answering.section_limit, max_passages=top_k)

    def across_documents(self, answer: Answer, ranking: Ranking, top_k: int) -> Answer:
        """A summary question ("各学校…的做法"): the best passage of each document instead (when
        more than one document has one), listed, each cited; found / not found stays compose's."""
        chosen = summary.one_per_document(ranking.hits(max(40, 8 * top_k)), top_k)
        if len(chosen) < 2:
            return answer
        passages = assemble(self.index, self.trees, ranking.question, chosen, self.answering.section_limit, max_passages=top_k)
        text = summary.listing(passages, answer.lang)
        text = answer.unsure_note() + text
        return replace(answer, text=text, passages=passages, pages={}, across_documents=True)

    def article_passages(self, doc_ids: list[str], number: int, limit: int):
        """The article `number` of each document, as passages (reading order within each)."""
        from .retrieval.assembly import Passage, chunk_lines

        names = self.searcher.law_names()
        out = []
        for doc_id in doc_ids[:limit]:
            positions = names.article_chunks(doc_id, number)
            if not positions:
                continue
            chunks = [self.index.chunks[p] for p in positions]
            meta = self.index.doc_by_id[doc_id]
            lines = [line for chunk in chunks for line in chunk_lines(self.index, chunk)]
            out.append(Passage(doc_id, meta["title"], meta["source"], chunks[0].section_path, lines, 0.0,
                               chunks[0].section_id, False, [c.id for c in chunks], kind=meta.get("kind")))
        return out

    def turns(self, history: list | None, deadline: Deadline | None = None) -> list[Turn]:
        """Earlier turns as Turns. The newest MAX_HISTORY turns are read, up to HISTORY_CHARS
        characters of their text. A turn that carries what it was about (`resolved_question`,
        `topic`, `title`: the `turn` of an answer) is taken as it is; one given only as its
        question is resolved against the turns before it (text only: nothing is searched)."""
        if history is None:
            return []
        if not isinstance(history, list):
            raise QuestionError("history must be a list of earlier questions (strings or {\"question\": ...})")
        items = []
        for number, item in enumerate(history, start=1):
            if isinstance(item, Turn):
                items.append((item.question, item))
                continue
            if isinstance(item, dict):
                item = item.get("turn") if isinstance(item.get("turn"), dict) else item
                text = item.get("question")
            else:
                text = item
            if not isinstance(text, str) or not text.strip():
                raise QuestionError(f"history item {number} needs a non-empty question string")
            items.append((text, item))
        kept, budget = [], HISTORY_CHARS
        for text, item in reversed(items[-MAX_HISTORY:]):
            size = len(text) + (sum(len(v) for k, v in item.items() if k in ("resolved_question", "topic", "title")
                                    and isinstance(v, str)) if isinstance(item, dict) else 0)
            if size > budget:
                break
            kept.append((text, item))
            budget -= size
        kept.reverse()
        turns: list[Turn] = []
        for text, item in kept:
            if deadline is not None:
                deadline.check()
            if isinstance(item, Turn):
                turns.append(item)
                continue
            if _carries_turn(item):
                resolved = item.get("resolved_question")
                resolved = resolved.strip() if isinstance(resolved, str) and resolved.strip() else resolve(text, turns)
                turns.append(Turn(text.strip(), resolved, _text(item.get("topic")), _text(item.get("title"))))
                continue
            turns.append(Turn(text.strip(), _within_limit(resolve(text, turns), text)))
        return turns

    def answer_json(self, answer: Answer) -> dict:
        """The JSON of `ask --json` and POST /ask: the answer, and its `turn` (what to send back
        in `history` with the next question)."""
        turn = self.turn(answer)
        return dict(answer.to_dict(), turn={"question": turn.question, "resolved_question": turn.resolved,
                                            "topic": turn.topic, "title": turn.title})

    @staticmethod
    def turn(answer: Answer) -> Turn:
        top = answer.passages[0] if answer.found and answer.passages else None
        topic = top.section_path[-1] if top and top.section_path else None
        return Turn(answer.question, answer.resolved_question, topic, top.title if top else None)

    def draft(self, kind: str, school: str, facts: dict | None = None, focus: list[str] | None = None):
        """An outline (assistant.drafting.Outline) of a new document of `kind` (English or Chinese
        name) for `school`: sections with suggested points, 【placeholders】 filled from `facts`
        ({"学生数": 650, ...}) where given, and cited example passages from the corpus. `focus`
        narrows or extends the areas of work. `.to_dict()` is the JSON of `POST /draft`."""
        from .drafting import ExampleFinder, build_outline

        with self._finder_lock:  # concurrent first drafts (HTTP) build one finder, not several
            if self._finder is None:
                self._finder = ExampleFinder(self.searcher)
        return build_outline(self._finder, kind, school, facts=facts, focus=focus)

    def status(self) -> dict:
        manifest = dict(self.index.manifest)
        manifest["embedding_model_in_use"] = self.embedder.name if self.embedder else None
        return manifest
