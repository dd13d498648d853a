"""The labelled set of eval/ (README there): build its two indexes and measure the answers on one split.

    python scripts/labelled.py build                 # the school index (corpus/ + eval/documents/) and the laws index
    python scripts/labelled.py run --split train     # every figure, and each wrong answer with its question
    python scripts/labelled.py run --split dev       # figures and the kinds of failure only (no question is shown)
    python scripts/labelled.py run --split test --final   # figures only; run once, at the end of an issue

The school index holds the shipped corpus and every document of eval/documents/ (all splits: the split
says which questions may be read, not which documents are indexed); the laws index holds
../shared/realworld/laws. Indexes live under --home (default /tmp/assistant-labelled) and are built
incrementally."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.evaluation import evaluate_answers  # noqa: E402

EVAL = ROOT / "eval"
LAWS = ROOT.parent / "shared" / "realworld" / "laws"


def questions(split: str | None) -> list[dict]:
    rows = [json.loads(line) for line in (EVAL / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    split_of = {r["doc"]: r["split"] for r in rows}
    from importlib.util import module_from_spec, spec_from_file_location

    spec = spec_from_file_location("split", EVAL / "split.py")
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    out = []
    for path in sorted((EVAL / "questions").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                q = json.loads(line)
                q["split"] = split_of[q["docs"][0]] if q["docs"] else module.bucket(q["id"])
                if split is None or q["split"] == split:
                    out.append(q)
    return out


def school_corpus(home: Path) -> Path:
    """The shipped corpus (with its manifest) and eval/documents/* copied into one folder."""
    folder = home / "school-corpus"
    wanted: dict[Path, Path] = {}
    for path in (ROOT / "corpus").iterdir():
        wanted[folder / path.name] = path
    for sub in (EVAL / "documents").iterdir():
        for path in sub.iterdir():
            wanted[folder / sub.name / path.name] = path
    for target, source in wanted.items():
        if not target.exists() or target.read_bytes() != source.read_bytes():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    for path in folder.rglob("*"):
        if path.is_file() and path not in wanted:
            path.unlink()
    return folder


def open_assistants(home: Path, build: bool = False) -> dict:
    from assistant.config import load_settings
    from assistant.service import Assistant

    assistants = {}
    for name, corpus in (("school", school_corpus(home)), ("laws", LAWS)):
        os.environ["ASSISTANT_HOME"] = str(home / name)
        settings = load_settings(corpus_dir=corpus)
        if build:
            print(f"building {name} from {corpus}", file=sys.stderr)
            Assistant.build(settings, warn=lambda m: print(m, file=sys.stderr))
        assistants[name] = Assistant.open(settings, warn=lambda m: print(m, file=sys.stderr))
    return assistants


def evaluate(assistants: dict, rows: list[dict], top_k: int = 5) -> dict:
    collection = {q["q"]: q["collection"] for q in rows}
    return evaluate_answers(rows, lambda q, k: assistants[collection[q]].ask(q, k).to_dict(), top_k)


def failure_kinds(report: dict) -> dict:
    """Counts of what went wrong, by kind of question (no question text)."""
    out: dict[str, dict[str, int]] = {}
    for row in report["questions"]:
        if row["correct"]:
            continue
        why = ("absent answered" if row["absent"] else "said not found" if row["false_not_found"]
               else "answer string missing, answering passage cited" if row["rank"] else
               "answer string missing, answering passage not cited")
        out.setdefault(row["kind"], {}).setdefault(why, 0)
        out[row["kind"]][why] += 1
    return out


def table_figures(rows: list[dict], report: dict) -> dict:
    """Correct answers to questions about a table's cells (`"table": true`), by the format of the file."""
    by_id = {r["id"]: r for r in report["questions"]}
    out: dict[str, dict] = {}
    for q in rows:
        if not q.get("table"):
            continue
        fmt = Path(q["docs"][0]).suffix.lstrip(".") if q.get("docs") else "other"
        for key in (fmt, "all"):
            cell = out.setdefault(key, {"n": 0, "correct": 0})
            cell["n"] += 1
            cell["correct"] += bool(by_id[q["id"]]["correct"])
    return {k: {"n": v["n"], "correct": round(v["correct"] / v["n"], 3)} for k, v in sorted(out.items())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=("build", "run"))
    parser.add_argument("--split", choices=("train", "dev", "test"))
    parser.add_argument("--final", action="store_true", help="needed for the test split")
    parser.add_argument("--home", type=Path, default=Path("/tmp/assistant-labelled"))
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    if args.action == "build":
        open_assistants(args.home, build=True)
        return 0
    if args.split is None:
        parser.error("run needs --split")
    if args.split == "test" and not args.final:
        parser.error("the test split is run once, at the end of an issue: add --final")
    from assistant.cli import _print_answer_report

    rows = questions(args.split)
    report = evaluate(open_assistants(args.home), rows)
    report["split"] = args.split
    report["failures"] = failure_kinds(report)
    report["table_questions"] = table_figures(rows, report)
    if args.split != "train":  # dev and test: aggregates only
        report["questions"] = [{k: r[k] for k in ("kind", "lang", "correct", "absent", "found", "sure")}
                               for r in report["questions"]]
    _print_answer_report(Path(f"eval ({args.split})"), report, 5, details=args.split == "train")
    print(json.dumps(report["failures"], ensure_ascii=False, indent=1))
    print("questions about table cells:", json.dumps(report["table_questions"], ensure_ascii=False))
    if args.json_out:
        args.json_out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
