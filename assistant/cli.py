"""`assistant` command line: a thin shell over assistant.service.Assistant."""

from __future__ import annotations

import functools
import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .chat import ChatSession, location, print_answer, stream_answer
from .config import load_settings as _load_settings, old_home_notice
from .errors import AssistantError, os_error_message

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Answers, search and drafting over compulsory-education balanced-development documents.")
index_app = typer.Typer(no_args_is_help=True, help="Build and inspect the index.")
app.add_typer(index_app, name="index")
collection_app = typer.Typer(no_args_is_help=True, help="Keep several knowledge bases (collections), each its own folder.")
app.add_typer(collection_app, name="collection")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _warn(message: str) -> None:
    err.print(f"[yellow]{escape(message)}[/yellow]")


def _home():
    """ASSISTANT_HOME, named in a disk error that carries no path of its own (None if unknown)."""
    try:
        return _load_settings().home
    except Exception:  # noqa: BLE001 - only for a message
        return None


def _stdout_gone() -> bool:
    """Whether stdout's reader went away; then stdout is pointed at /dev/null, so Python's flush at
    exit does not report it again."""
    try:
        sys.stdout.flush()
        return False
    except OSError:
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return True


def user_errors(fn):
    """Library errors become one line on stderr and exit code 1, never a traceback; so do the
    faults of the disk (OSError: full, permissions, read-only, I/O; SQLite's and faiss's reports of
    them), as a line naming the path and what to do. Builds write a new index beside the current
    one, so the index in use is still the old one after such a fault."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        import sqlite3

        try:
            return fn(*args, **kwargs)
        except AssistantError as exc:
            err.print(f"[red]error:[/red] {escape(str(exc))}")
            raise typer.Exit(1)
        except KeyboardInterrupt:
            err.print("interrupted; the previous index (if any) is still in use")
            raise typer.Exit(130)
        except (typer.Exit, typer.Abort):  # RuntimeErrors too, but the command's own way out
            raise
        except (OSError, sqlite3.OperationalError, RuntimeError) as exc:
            if isinstance(exc, BrokenPipeError) and _stdout_gone():  # `assistant search … | head`: no message
                raise typer.Exit(141)
            line = os_error_message(exc, _home())
            if line is None:  # an SQLite or faiss error that is no disk fault: a bug, shown as one
                raise
            err.print(f"[red]error:[/red] {escape(line)}")
            raise typer.Exit(1)

    return wrapper


class _Bar:
    """Progress callback (stage, done, total) drawn as a rich progress bar on stderr; the bar
    appears only when there is progress to show. When stderr is not a terminal (a log, a pipe, a
    service), a line per stage as it starts, at each tenth of it and when it ends, with the time."""

    def __init__(self):
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                                 TimeElapsedColumn(), console=err, transient=True)
        self.tasks: dict[str, int] = {}
        self.started = False
        self.lines = not err.is_terminal
        self.tenths: dict[str, int] = {}
        self.clock = time.monotonic()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.started:
            self.progress.stop()

    def _line(self, stage: str, done: int, total: int) -> None:
        tenth = 10 if total and done >= total else (10 * done // total if total else 0)
        if self.tenths.get(stage) == tenth:
            return
        self.tenths[stage] = tenth
        share = f" ({100 * done // total}%)" if total else ""
        err.print(f"{stage}: {done}/{total}{share}, {time.monotonic() - self.clock:.0f} s", highlight=False)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.lines:
            self._line(stage, done, total)
            return
        if not self.started:
            self.progress.start()
            self.started = True
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total)
        self.progress.update(self.tasks[stage], completed=done, total=total)


def load_settings(**overrides):
    """Settings, with a note when the working folder holds an index in the old place (./.assistant)."""
    settings = _load_settings(**overrides)
    notice = old_home_notice(settings)
    if notice:
        _warn(notice)
    return settings


def _open(corpus: Optional[Path] = None, collections: Optional[list[str]] = None):
    from .collection import check_known
    from .service import Assistant

    settings = load_settings(corpus_dir=corpus, collections=tuple(collections) if collections else None)
    check_known(settings, settings.collections)  # a misspelt --collection is one line, before any build
    with _Bar() as bar:
        return Assistant.open(settings, warn=_warn, progress=bar)


def _print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@index_app.command("build")
@user_errors
def index_build(corpus: Optional[Path] = typer.Option(None, "--corpus", help="Corpus folder (default: ASSISTANT_CORPUS or the shipped corpus/)."),
                fresh: bool = typer.Option(False, "--fresh", help="Ignore the caches: process and embed every file again.")):
    """Build the index of the corpus folder, replacing the current one atomically. Only added or
    changed files are processed and embedded again; removed files are dropped."""
    from .service import Assistant

    settings = load_settings(corpus_dir=corpus)
    with _Bar() as bar:
        stats = Assistant.build(settings, warn=_warn, progress=bar, fresh=fresh)
    if corpus is not None and not os.environ.get("ASSISTANT_CORPUS"):
        from .collection import remember_default

        if remember_default(settings, corpus):
            out.print(f"{corpus} is now the default collection's folder: later builds (a collection added, an "
                      f"upload, an upgrade) read it too (ASSISTANT_CORPUS, when set, names another)")
    out.print(f"indexed {stats.documents} documents from {stats.files} files into {stats.chunks} chunks "
              f"in {stats.seconds:.1f}s; embedding model: {stats.embedding_model or 'none (lexical only)'}")
    out.print(f"documents by format: {_by_format(stats.document_formats, stats.formats)}")
    changes = f"; since the last build: {stats.changes.summary()}" if stats.changes is not None else ""
    out.print(f"files processed: {stats.files_processed}, reused from cache: {stats.files_reused}; "
              f"chunks embedded: {stats.chunks_embedded}, vectors from cache: {stats.chunks_cached}{changes}")
    _print_skipped(stats.skipped)


def _build_after(change: str) -> None:
    """Rebuild the index after a collection was added or deleted (only its files cost time)."""
    from .service import Assistant

    with _Bar() as bar:
        stats = Assistant.build(load_settings(), warn=_warn, progress=bar)
    out.print(f"{change}; the index now holds {stats.documents} documents from {stats.files} files "
              f"({stats.files_processed} read now, {stats.files_reused} from the cache) in {stats.seconds:.1f}s")


@collection_app.command("list")
@user_errors
def collection_list(as_json: bool = typer.Option(False, "--json", help="Print JSON.")):
    """The collections: name, folder, and the files of each the current index holds."""
    from .collection import DEFAULT, all_collections
    from .index.backends import backend_for

    settings = load_settings()
    manifest = backend_for(settings).load_manifest() or {}
    rows = []
    for collection in all_collections(settings):
        record = {"files": manifest.get("files")} if collection.name == DEFAULT else \
            (manifest.get("collections") or {}).get(collection.name)
        rows.append(dict(collection.to_dict(), indexed_files=len(record["files"] or {}) if record else None))
    if as_json:
        _print_json({"collections": rows})
        return
    table = Table(header_style="bold")
    for name in ("name", "folder", "indexed files"):
        table.add_column(name, overflow="fold")
    for row in rows:
        indexed = "not yet (run `assistant index build`)" if row["indexed_files"] is None else str(row["indexed_files"])
        table.add_row(escape(row["name"]), escape(row["corpus"]), indexed)
    out.print(table)


@collection_app.command("create")
@user_errors
def collection_create(name: str = typer.Argument(..., help="Its name: letters (Chinese too), digits, - and _."),
                      folder: Optional[Path] = typer.Option(None, "--from", help="An existing folder of files, read where "
                                                            "it is (default: a new empty folder under ASSISTANT_HOME)."),
                      build: bool = typer.Option(True, "--build/--no-build", help="Rebuild the index now.")):
    """Add a collection, then index it (the other collections' files come from the cache)."""
    from .collection import create

    made = create(load_settings(), name, folder)
    change = f"collection {made.name} created over {made.corpus}"
    if build and any(made.corpus.iterdir()):
        _build_after(change)
    else:
        out.print(change + ("; put files there and run `assistant index build`" if build else
                            "; run `assistant index build` to index it"))


@collection_app.command("delete")
@user_errors
def collection_delete(name: str = typer.Argument(..., help="The collection to delete."),
                      build: bool = typer.Option(True, "--build/--no-build", help="Rebuild the index now.")):
    """Delete a collection: a folder the assistant made is moved to ASSISTANT_HOME/deleted/collections/,
    a folder given with --from stays where it is; its documents leave the index."""
    from .collection import delete

    done = delete(load_settings(), name)
    change = (f"collection {name} deleted; its files were moved to {done['kept_at']}" if done["moved"] else
              f"collection {name} deleted; its folder {done['corpus']} was left as it is")
    if build:
        _build_after(change)
    else:
        out.print(change + "; run `assistant index build` to drop its documents from the index")


def _by_format(documents: dict[str, int], files: dict[str, int]) -> str:
    """Documents by format, with the files they came from: 2 docx (from 1 file), 23 txt (from 5 files)."""
    parts = []
    for fmt in sorted(documents):
        n_files = files.get(fmt, 0)
        parts.append(f"{documents[fmt]} {fmt} (from {n_files} file{'s' if n_files != 1 else ''})")
    return ", ".join(parts) or "none"


def _print_skipped(skipped: list[dict]) -> None:
    out.print(f"skipped files: {len(skipped)}")
    for item in skipped:
        out.print(f"  {escape(item['reason'])}")


@index_app.command("status")
@user_errors
def index_status(as_json: bool = typer.Option(False, "--json", help="Print JSON.")):
    """Show what the current index holds, how it was built, and what changed in the corpus since."""
    from .service import Assistant

    manifest = Assistant.index_status(load_settings())
    if as_json:
        _print_json(manifest)
        if manifest.get("damaged"):
            raise typer.Exit(1)
        return
    out.print(f"index: {manifest['index_path']}")
    if manifest.get("damaged"):
        err.print(f"[red]damaged:[/red] run `assistant index build` to repair it "
                  f"({escape('; '.join(manifest['damaged']))})")
        raise typer.Exit(1)
    out.print(f"built: {manifest['built_at']} from {manifest['corpus']}")
    out.print(f"documents: {manifest['documents']}, chunks: {manifest['chunks']}, files: {len(manifest['files'])}")
    for name, record in (manifest.get("collections") or {}).items():
        out.print(f"collection {escape(name)}: {len(record.get('files') or {})} files from {escape(record.get('corpus') or '')}")
    if manifest.get("document_formats"):
        out.print(f"documents by format: {_by_format(manifest['document_formats'], manifest.get('formats') or {})}")
    out.print(f"embedding model: {manifest.get('embedding_model') or 'none (lexical only)'}"
              f" (setting: {manifest.get('embedding_setting')}); dense index: {manifest.get('dense_index') or 'flat'}")
    _print_skipped(manifest.get("skipped") or [])
    if "verified" in manifest:  # local files (a Milvus server keeps its own data safe)
        out.print("integrity: every file matches the sizes and checksums recorded at build time" if manifest["verified"]
                  else "integrity: not recorded (built by an older version); `assistant index build` records it")
    changes = manifest["changes"]
    if manifest.get("stale"):
        out.print(f"out of date: the index was {manifest['stale']}; run `assistant index build`")
    if "error" in changes:
        out.print(f"changes since the build: cannot tell ({escape(changes['error'])})")
    elif not changes["any"]:
        out.print("changes since the build: none" + ("" if manifest.get("stale") else "; the index is up to date"))
    else:
        out.print("changes since the build (run `assistant index build` to take them in):")
        for label in ("added", "changed", "removed"):
            for name in changes[label]:
                out.print(f"  {label}: {escape(name)}")
        if changes["manifest_changed"]:
            out.print("  changed: manifest.json (titles, kinds or dates)")


@index_app.command("documents")
@user_errors
def index_documents(as_json: bool = typer.Option(False, "--json", help="Print JSON.")):
    """List the indexed documents: file, title, kind, date, issuing body and document number."""
    from rich.table import Table

    from .server.documents_routes import document_rows
    from .index.backends import backend_for

    rows = document_rows(backend_for(load_settings()).load())
    if as_json:
        _print_json({"documents": rows})
        return
    table = Table(header_style="bold")
    for name in ("file", "title", "kind", "date", "organisation", "number"):
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*(escape(str(row.get(k) or "")) for k in ("source", "title", "kind", "date", "organisation", "number")))
    out.print(table)
    out.print(f"{len(rows)} documents")


_KIND_HELP = "Only documents of this kind (repeatable): summary, plan, self-inspection, rectification, notice, law… (`index documents` shows them)."
#: The filter options `ask` and `search` share (retrieval/filters.py).
KindOption = Annotated[Optional[list[str]], typer.Option("--kind", help=_KIND_HELP)]
SinceOption = Annotated[Optional[str], typer.Option("--since", help="Only documents dated this or later (2023, 2023-09).")]
UntilOption = Annotated[Optional[str], typer.Option("--until", help="Only documents dated this or earlier.")]
OrgOption = Annotated[Optional[str], typer.Option("--org", help="Only documents whose issuing body or school contains this.")]
TitleOption = Annotated[Optional[str], typer.Option("--title", help="Only documents whose title contains this.")]
CollectionOption = Annotated[Optional[list[str]], typer.Option(
    "--collection", "-c", help="Only this collection (repeatable; default: all, or ASSISTANT_COLLECTIONS); "
                               "`assistant collection list` shows them.")]


def _filters(kind: Optional[list[str]], since: Optional[str], until: Optional[str], org: Optional[str],
             title: Optional[str]):
    from .errors import QuestionError
    from .retrieval.filters import Filters

    try:
        return Filters.given(kind, since, until, org, title)
    except ValueError as exc:
        raise QuestionError(f"--{exc}") from exc


@app.command()
@user_errors
def search(query: str = typer.Argument(..., help="What to look for, in Chinese or English."),
           top_k: int = typer.Option(5, "--top-k", "-k", help="How many passages (1-50)."),
           as_json: bool = typer.Option(False, "--json", help="Print JSON."),
           kind: KindOption = None, since: SinceOption = None, until: UntilOption = None, org: OrgOption = None,
           title: TitleOption = None, collection: CollectionOption = None):
    """Find the passages that match a query, each cited to document, section and lines."""
    from .retrieval.search import check_question
    from .service import check_top_k

    check_top_k(top_k)
    check_question(query)
    filters = _filters(kind, since, until, org, title)
    assistant = _open(collections=collection)
    result = assistant.search(query, top_k, filters)
    if as_json:
        _print_json(result)
        return
    if not result["results"]:
        out.print("no passages found")
    for item in result["results"]:
        out.print(f"[bold][{item['rank']}][/bold] {escape(item['title'])} — [cyan]{escape(item['section'] or '(start)')}[/cyan]"
                  f"  [dim]{escape(location(item))}  score {item['score']:.4f}[/dim]")
        text = item["text"] if len(item["text"]) <= 400 else item["text"][:400] + "…"
        out.print("    " + escape(text).replace("\n", "\n    "))
        out.print()


@app.command()
@user_errors
def ask(question: str = typer.Argument(..., help="A question in Chinese or English."),
        top_k: int = typer.Option(5, "--top-k", "-k", help="How many passages to cite (1-50)."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
        show_sources: bool = typer.Option(False, "--sources", help="Print the full text of every cited passage."),
        kind: KindOption = None, since: SinceOption = None, until: UntilOption = None, org: OrgOption = None,
        title: TitleOption = None, collection: CollectionOption = None):
    """Answer a question with the passages that support it, each cited. The question may say which
    documents to use ("只看整改方案", "2023年以后的总结", "in the self-inspection reports"); so may the options."""
    from .retrieval.search import check_question
    from .service import check_top_k

    check_top_k(top_k)
    check_question(question)
    filters = _filters(kind, since, until, org, title)
    assistant = _open(collections=collection)
    if assistant.llm is not None and not as_json:  # the model's answer printed as it is written
        stream_answer(out, assistant.ask_events(question, top_k, filters=filters), full=show_sources)
        return
    answer = assistant.answer_json(assistant.ask(question, top_k, filters=filters))
    if as_json:
        _print_json(answer)
        return
    print_answer(out, answer, full=show_sources)


@app.command()
@user_errors
def chat(top_k: int = typer.Option(5, "--top-k", "-k", help="How many passages to cite (1-50)."),
         collection: CollectionOption = None):
    """Hold a conversation: ask, then ask follow-ups (/help inside lists the commands)."""
    from .service import check_top_k

    check_top_k(top_k)
    ChatSession(_open(collections=collection), top_k, out, err).run()


@app.command("eval")
@user_errors
def evaluate_cmd(questions: Path = typer.Argument(..., help="JSON-lines questions with keys (and also, answer, absent)."),
                 top_k: int = typer.Option(5, "--top-k", "-k", help="Passages per question."),
                 as_json: bool = typer.Option(False, "--json", help="Print JSON."),
                 mode: str = typer.Option("search", "--mode", help="search: the search results; ask: the answer's "
                                          "cited passages; answer: the answer text (correct, complete, not found)."),
                 collection: CollectionOption = None):
    """Measure retrieval (hit@1, hit@k, MRR, completeness) or answers (--mode answer) on a question set."""
    from .evaluation import evaluate, evaluate_answers, read_questions
    from .service import check_top_k

    check_top_k(top_k)
    if mode not in ("search", "ask", "answer"):
        raise AssistantError(f"--mode must be 'search', 'ask' or 'answer' (got {mode!r})")
    rows = read_questions(questions)
    assistant = _open(collections=collection)
    if mode == "answer":
        report = evaluate_answers(rows, lambda q, k: assistant.ask(q, k).to_dict(), top_k)
        report["mode"] = mode
        if as_json:
            _print_json(report)
            return
        _print_answer_report(questions, report, top_k)
        return
    if mode == "ask":
        retrieve = lambda q, k: assistant.ask(q, k).citations()  # noqa: E731
    else:
        retrieve = lambda q, k: assistant.search(q, k)["results"]  # noqa: E731
    report = evaluate(rows, retrieve, top_k)
    report["mode"] = mode
    if as_json:
        _print_json(report)
        return
    table = Table(title=f"{questions} ({mode}, k={top_k})")
    for column in ("set", "n", "hit@1", f"hit@{top_k}", "MRR", "completeness"):
        table.add_column(column)
    for name, summary in [("all", report), *report["by_lang"].items()]:
        completeness = "-" if summary["completeness"] is None else f"{summary['completeness']:.3f}"
        table.add_row(name, str(summary["n"]), f"{summary['hit@1']:.3f}", f"{summary['hit@k']:.3f}",
                      f"{summary['mrr']:.3f}", completeness)
    out.print(table)
    misses = [r for r in report["questions"] if r["rank"] != 1]
    for row in misses:
        out.print(f"  {row['id']} rank {row['rank'] or '-'}: {escape(row['q'])}")


def _print_answer_report(questions: Path, report: dict, top_k: int, details: bool = True) -> None:
    def cell(value) -> str:
        return "-" if value is None else f"{value:.3f}"

    table = Table(title=f"{questions} (answer, k={top_k})")
    for column in ("set", "n", "correct", "complete", "false not found", "absent refused", "sure right",
                   "right sure", "mean length", "hit@1", f"hit@{top_k}", "MRR"):
        table.add_column(column)
    groups = [("all", report), *report["by_lang"].items()]
    groups += [(f"kind: {kind}", summary) for kind, summary in report.get("by_kind", {}).items()]
    for name, s in groups:
        table.add_row(name, f"{s['answerable']}+{s['absent']}", cell(s["correct"]), cell(s["complete"]),
                      cell(s["false_not_found"]), cell(s["absent_refused"]), cell(s.get("sure_right")),
                      cell(s.get("sure_share")),
                      "-" if s["mean_length"] is None else f"{s['mean_length']:.0f}",
                      cell(s["hit@1"]), cell(s["hit@k"]), cell(s["mrr"]))
    out.print(table)
    out.print("n is answerable+absent; correct, complete and false not found are shares of the answerable "
              "questions, absent refused of the absent ones; sure right: of the answers given as sure, the "
              "share that is right; right sure: of the right answers, the share given as sure.")
    if not details:
        return
    for row in report["questions"]:
        if row["correct"]:
            continue
        if row["absent"]:
            why = "answered, though the documents do not answer it"
        elif row["false_not_found"]:
            why = f"said not found (answering passage at {row['rank'] or '-'})"
        else:
            why = "missing " + ", ".join(row["missing"])
        out.print(f"  {row['id']}: {why}: {escape(row['q'])}")


def _draft_format(fmt: Optional[str], output: Optional[Path]) -> str:
    from .drafting import FORMATS
    from .errors import DraftError

    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output else ""
        return {"markdown": "md", "doc": "docx"}.get(suffix, suffix) if suffix in (*FORMATS, "markdown") else "md"
    fmt = fmt.strip().lower()
    if fmt == "markdown":
        return "md"
    if fmt not in FORMATS:
        raise DraftError(f"unknown format {fmt!r}; use md, docx or json")
    return fmt


def _default_docx_name(school: str, kind_name: str) -> Path:
    import re

    return Path(re.sub(r'[\\/:*?"<>|\s]+', "_", f"{school}-{kind_name}提纲") + ".docx")


@app.command()
@user_errors
def draft(kind: str = typer.Option(..., "--kind", help="summary (工作总结), plan (工作方案), self-inspection (自查报告), "
                                                       "rectification (整改方案) or inspection-prep (迎检工作方案)."),
          school: str = typer.Option(..., "--school", help="The school (or unit) the document is for."),
          facts: Optional[Path] = typer.Option(None, "--facts", help="JSON or YAML file of the school's figures, "
                                                                     "e.g. {\"学生数\": 650, \"教职工数\": 54}."),
          focus: Optional[list[str]] = typer.Option(None, "--focus", help="Area of work to cover (repeatable): 办学条件, "
                                                    "师资队伍, 教育质量, 入学机会与关爱弱势群体, 保障机制, 校园安全, 德育与校园文化."),
          fmt: Optional[str] = typer.Option(None, "--format", help="md (default), docx or json; "
                                                                   "taken from -o's extension when not given."),
          output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file (md/json go to "
                                                "stdout otherwise; docx defaults to <school>-<kind>提纲.docx).")):
    """Outline a new summary or plan for a school: sections with suggested points, 【placeholders】
    for its own figures, and cited examples of how other schools wrote each part."""
    from .drafting import check_school, read_facts, resolve_focus, resolve_kind, to_json, to_markdown, write_docx
    from .errors import DraftError

    template = resolve_kind(kind)
    school = check_school(school)
    areas = resolve_focus(focus)
    fmt = _draft_format(fmt, output)
    school_facts = read_facts(facts) if facts is not None else {}
    assistant = _open()
    outline = assistant.draft(template.kind, school, facts=school_facts, focus=areas)
    for warning in outline.warnings:
        _warn(warning if facts is None else warning.replace("warning:", f"warning: {facts}:", 1))
    if fmt == "docx":
        target = output or _default_docx_name(school, outline.kind_name)
    else:
        target = output
    try:
        if fmt == "docx":
            write_docx(outline, target)
        elif target is not None:
            target.write_text(to_markdown(outline) if fmt == "md" else to_json(outline), encoding="utf-8")
        else:
            sys.stdout.write(to_markdown(outline) if fmt == "md" else to_json(outline))
            return
    except OSError as exc:
        raise DraftError(f"cannot write {target}: {exc.strerror or exc}") from exc
    err.print(f"wrote {escape(str(target))} ({outline.kind_name}, {sum(1 for _ in outline.walk())} sections, "
              f"{len(outline.examples())} examples, {len(outline.placeholders())} placeholders to fill)")


@app.command()
@user_errors
def serve(host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (0.0.0.0: every interface)."),
          port: int = typer.Option(8000, "--port", help="Port to listen on."),
          log_level: str = typer.Option("info", "--log-level", help="uvicorn log level: warning, info, debug."),
          log_queries: bool = typer.Option(False, "--log-queries", help="Record query strings (what /search was "
                                           "asked) in the access log; off by default (or ASSISTANT_LOG_QUERIES=1)."),
          collection: CollectionOption = None):
    """Serve the HTTP API and the chat page (GET /) with uvicorn; the index loads once, here. With
    uploads on (ASSISTANT_ALLOW_UPLOAD=1), a --host other machines can reach needs ASSISTANT_API_KEY."""
    from .server.app import check_exposure, check_listen, run

    check_exposure(host, _load_settings())  # refused before anything starts: one line, exit code 1
    check_listen(host, port, log_level)  # before the slow start, so a busy port is one line
    assistant = _open(collections=collection)
    err.print(f"serving {assistant.index.manifest.get('documents')} documents on http://{host}:{port}/ "
              f"(API docs: /docs); Ctrl-C stops")
    run(assistant, host, port, log_level, log_queries or None)


def main() -> None:  # pragma: no cover - console-script entry
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
