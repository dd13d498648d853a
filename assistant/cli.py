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
    formats = ", ".join(f"{n} {fmt}" for fmt, n in sorted(stats.formats.items()))
    out.print(f"indexed {stats.documents} documents from {stats.files} files ({formats}) into {stats.chunks} chunks "
              f"in {stats.seconds:.1f}s; embedding model: {stats.embedding_model or 'none (lexical only)'}")
    if stats.skipped:
        out.print(f"skipped {len(stats.skipped)} files:")
        for skipped in stats.skipped:
            out.print(f"  {escape(skipped['reason'])}")


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
    out.print(f"embedding model: {manifest.get('embedding_model') or 'none (lexical only)'}"
              f" (setting: {manifest.get('embedding_setting')})")
    skipped = manifest.get("skipped") or []
    out.print(f"skipped files: {len(skipped)}")
    for item in skipped:
        out.print(f"  {escape(item['reason'])}")


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


def main() -> None:  # pragma: no cover - console-script entry
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
