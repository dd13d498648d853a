"""`assistant` command line: a thin shell over assistant.service.Assistant."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .config import load_settings
from .errors import AssistantError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Answers, search and drafting over compulsory-education balanced-development documents.")
index_app = typer.Typer(no_args_is_help=True, help="Build and inspect the index.")
app.add_typer(index_app, name="index")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _warn(message: str) -> None:
    err.print(f"[yellow]{escape(message)}[/yellow]")


def user_errors(fn):
    """Library errors become one line on stderr and exit code 1, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except AssistantError as exc:
            err.print(f"[red]error:[/red] {escape(str(exc))}")
            raise typer.Exit(1)
        except KeyboardInterrupt:
            err.print("interrupted; the previous index (if any) is still in use")
            raise typer.Exit(130)

    return wrapper


class _Bar:
    """Progress callback (stage, done, total) drawn as a rich progress bar on stderr."""

    def __init__(self):
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                                 TimeElapsedColumn(), console=err, transient=True)
        self.tasks: dict[str, int] = {}

    def __enter__(self):
        self.progress.start()
        return self

    def __exit__(self, *exc):
        self.progress.stop()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total)
        self.progress.update(self.tasks[stage], completed=done, total=total)


def _open(corpus: Optional[Path] = None):
    from .service import Assistant

    settings = load_settings(corpus_dir=corpus)
    with _Bar() as bar:
        return Assistant.open(settings, warn=_warn, progress=bar)


def _print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _location(item: dict) -> str:
    where = f"{item['source']}:{item['start_line']}-{item['end_line']}"
    if item.get("page"):
        where += f", p.{item['page']}"
    return where


@index_app.command("build")
@user_errors
def index_build(corpus: Optional[Path] = typer.Option(None, "--corpus", help="Corpus folder (default: ASSISTANT_CORPUS or the shipped corpus/).")):
    """Build the index of the corpus folder, replacing the current one atomically."""
    from .service import Assistant

    settings = load_settings(corpus_dir=corpus)
    with _Bar() as bar:
        stats = Assistant.build(settings, warn=_warn, progress=bar)
    out.print(f"indexed {stats.documents} documents from {stats.files} files into {stats.chunks} chunks "
              f"in {stats.seconds:.1f}s; embedding model: {stats.embedding_model or 'none (lexical only)'}")
    out.print(f"documents by format: {_by_format(stats.document_formats, stats.formats)}")
    _print_skipped(stats.skipped)


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
    """Show what the current index holds and how it was built."""
    from .index import store

    settings = load_settings()
    index = store.load_current(settings.index_root)
    manifest = dict(index.manifest)
    manifest["index_path"] = str(store.current_path(settings.index_root).resolve())
    if as_json:
        _print_json(manifest)
        return
    out.print(f"index: {manifest['index_path']}")
    out.print(f"built: {manifest['built_at']} from {manifest['corpus']}")
    out.print(f"documents: {manifest['documents']}, chunks: {manifest['chunks']}, files: {len(manifest['files'])}")
    if manifest.get("document_formats"):
        out.print(f"documents by format: {_by_format(manifest['document_formats'], manifest.get('formats') or {})}")
    out.print(f"embedding model: {manifest.get('embedding_model') or 'none (lexical only)'}"
              f" (setting: {manifest.get('embedding_setting')})")
    _print_skipped(manifest.get("skipped") or [])


@app.command()
@user_errors
def search(query: str = typer.Argument(..., help="What to look for, in Chinese or English."),
           top_k: int = typer.Option(5, "--top-k", "-k", help="How many passages (1-50)."),
           as_json: bool = typer.Option(False, "--json", help="Print JSON.")):
    """Find the passages that match a query, each cited to document, section and lines."""
    from .retrieval.search import check_question
    from .service import check_top_k

    check_top_k(top_k)
    check_question(query)
    assistant = _open()
    result = assistant.search(query, top_k)
    if as_json:
        _print_json(result)
        return
    if not result["results"]:
        out.print("no passages found")
    for item in result["results"]:
        out.print(f"[bold][{item['rank']}][/bold] {escape(item['title'])} — [cyan]{escape(item['section'] or '(start)')}[/cyan]"
                  f"  [dim]{escape(_location(item))}  score {item['score']:.4f}[/dim]")
        text = item["text"] if len(item["text"]) <= 400 else item["text"][:400] + "…"
        out.print("    " + escape(text).replace("\n", "\n    "))
        out.print()


@app.command("eval")
@user_errors
def evaluate_cmd(questions: Path = typer.Argument(..., help="JSON-lines questions with keys (and also)."),
                 top_k: int = typer.Option(5, "--top-k", "-k", help="Passages per question."),
                 as_json: bool = typer.Option(False, "--json", help="Print JSON.")):
    """Measure hit@1, hit@k, MRR and completeness on a question set."""
    from .evaluation import evaluate, read_questions
    from .service import check_top_k

    check_top_k(top_k)
    rows = read_questions(questions)
    assistant = _open()
    report = evaluate(rows, lambda q, k: assistant.search(q, k)["results"], top_k)
    if as_json:
        _print_json(report)
        return
    table = Table(title=f"{questions} (k={top_k})")
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


def main() -> None:  # pragma: no cover - console-script entry
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
