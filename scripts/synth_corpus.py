"""Synthesise a larger corpus from the shipped one, for benchmarks: scale N = the original files
plus N-1 variants of each, in folders v001/, v002/, ... Each variant renames the schools and
places (高桥 → 青河, consistently within the variant), shifts the years and shuffles the figures
(every number scaled by a random factor), so its documents differ from the original and from
each other, while headings, list numbering, indicator codes (A2, C7-C15) and document numbers
(总结3, 第三篇) stay as they are, so the structure the pipeline parses is the same.

    python scripts/synth_corpus.py --scale 10 --out /tmp/corpus-10x
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "corpus"

#: School and place names of the shipped corpus (two characters each).
NAMES = ("高桥 德胜 曹集 昭阳 新庄 阳信 微山 遥墙 城西 黄屯 马山 王寺 琚湾 德新 灞桥 坡坞 良庆 德新 "
         "城关 山东").split()
_FIRST = "东西南北青白金石安永长清和平兴福柳桃枫松云龙凤鹤"
_SECOND = "河山桥湖溪林园庄坪岭塘湾口集店屯寨堡坡营"

# A number, unless it is part of a code (A2, C7-C15), a list marker (1. 1、 (1) （1）), a document
# number (总结3, 第3篇) or a line-leading heading number.
_NUMBER = re.compile(r"(?<![A-Za-z0-9.．])(\d+\.\d{1,2}|\d+)(?![0-9])")
_PROTECTED_BEFORE = re.compile(r"(?:总结|方案|报告|篇|第|[（(]|^\s*)$")
_SENTENCE = re.compile(r"(?<=。)")
_PROTECTED_AFTER = re.compile(r"^(?:[.、．](?!\d{1,2}(?!\d))|[)）]|篇)")


def variant_names(rng: random.Random) -> dict[str, str]:
    pool = [a + b for a in _FIRST for b in _SECOND if a + b not in NAMES]
    chosen = rng.sample(pool, len(set(NAMES)))
    return dict(zip(dict.fromkeys(NAMES), chosen))


def shuffle_number(text: str, rng: random.Random, year_shift: int) -> str:
    if "." in text:
        whole, fraction = text.split(".")
        value = float(text) * rng.uniform(0.8, 1.25)
        return f"{value:.{len(fraction)}f}"
    number = int(text)
    if 1950 <= number <= 2030 and len(text) == 4:
        return str(number + year_shift)
    if number in (0, 1, 100) or len(text) > 7:
        return text  # 100%, 1:19 and long identifiers keep their meaning
    return str(max(1, round(number * rng.uniform(0.8, 1.25)))).zfill(len(text) if text.startswith("0") else 0)


def vary_line(line: str, names: dict[str, str], rng: random.Random, year_shift: int) -> str:
    for old, new in names.items():
        line = line.replace(old, new)
    out, last = [], 0
    for match in _NUMBER.finditer(line):
        before, after = line[:match.start()], line[match.end():]
        if _PROTECTED_BEFORE.search(before) or _PROTECTED_AFTER.match(after):
            continue
        out.append(line[last:match.start()])
        out.append(shuffle_number(match.group(1), rng, year_shift))
        last = match.end()
    out.append(line[last:])
    return "".join(out)


def shuffle_sentences(line: str, rng: random.Random) -> str:
    """The sentences (。-ended) after a line's first one, in another order; the first stays, so
    a heading or list marker that opens the line keeps its place."""
    sentences = [s for s in _SENTENCE.split(line) if s]
    if len(sentences) < 3 or not all(s.endswith("。") for s in sentences[1:-1]):
        return line
    rest = sentences[1:]
    rng.shuffle(rest)
    if not rest[-1].endswith("。") and sentences[-1] != rest[-1]:
        return line  # the unterminated tail stays last
    return sentences[0] + "".join(rest)


def vary_text(text: str, seed: str) -> str:
    """One variant of a file's text: renamed places, shifted years, shuffled figures, and the
    sentences of long paragraphs in another order."""
    rng = random.Random(seed)
    names = variant_names(rng)
    year_shift = rng.randint(-3, 3)
    return "\n".join(shuffle_sentences(vary_line(line, names, rng, year_shift), rng) for line in text.split("\n"))


def synthesise(out: Path, scale: int, source: Path = SHIPPED) -> dict:
    """Write the corpus of `scale` × the source into `out` (replaced); returns its manifest."""
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    entries = {entry["file"]: entry for entry in manifest.get("documents", [])}
    files = sorted(p for p in source.iterdir() if p.is_file() and p.name != "manifest.json")
    documents = []
    for variant in range(scale):
        folder = out if variant == 0 else out / f"v{variant:03d}"
        folder.mkdir(exist_ok=True)
        for path in files:
            text = path.read_text(encoding="utf-8")
            seed = f"{variant}:{path.name}"
            relative = path.name if variant == 0 else f"v{variant:03d}/{path.name}"
            (folder / path.name).write_text(text if variant == 0 else vary_text(text, seed), encoding="utf-8")
            if path.name in entries:
                entry = dict(entries[path.name], file=relative)
                if variant:
                    entry["title"] = vary_text(entry["title"], seed)
                documents.append(entry)
    result = {"about": f"synthesised by scripts/synth_corpus.py: {scale} x {source}", "documents": documents}
    (out / "manifest.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, required=True, help="how many times the shipped corpus")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (replaced)")
    parser.add_argument("--source", type=Path, default=SHIPPED)
    args = parser.parse_args()
    synthesise(args.out, args.scale, args.source)
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"wrote {args.out}: {args.scale} x {args.source.name}, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
