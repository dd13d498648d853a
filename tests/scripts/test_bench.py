"""scripts/synth_corpus.py and a tiny run of scripts/bench.py (the full benchmark is not run here)."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.ingest.pipeline import load_corpus
from assistant.structure import extract_codes

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def load_script(name):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


synth = load_script("synth_corpus")


def test_variant_keeps_structure_and_changes_names_and_figures():
    text = "3.A2保障机制组 组长:王一\n责任指标:C7-C15 1.高桥中学有学生320人,生均图书30.5册。2.2014年完成。\n学校均衡发展工作总结3"
    variant = synth.vary_text(text, "1:x.txt")
    assert variant == synth.vary_text(text, "1:x.txt"), "deterministic"
    assert variant != text and "高桥" not in variant
    assert variant.startswith("3.A2保障机制组") and "C7-C15 1." in variant and "。2." in variant
    assert variant.endswith("工作总结3")
    assert extract_codes(variant) == extract_codes(text)


def test_synthesised_corpus_scales_and_loads(tmp_path):
    manifest = synth.synthesise(tmp_path / "c", 2)
    files = sorted(p.relative_to(tmp_path / "c").as_posix() for p in (tmp_path / "c").rglob("*.txt"))
    assert len(files) == 10 and sum(f.startswith("v001/") for f in files) == 5
    assert len(manifest["documents"]) == 10
    original = load_corpus(synth.SHIPPED)
    scaled = load_corpus(tmp_path / "c")
    assert len(scaled.documents) == 2 * len(original.documents)
    texts = {d.text for d in scaled.documents}
    assert len(texts) == len(scaled.documents), "variants differ from the originals"


@pytest.mark.real_model
def test_quick_bench_run_reports_json(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, str(SCRIPTS / "bench.py"), "--quick", "--queries", "3",
                           "--json-out", str(out)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    one = report["scales"]["1"]
    assert one["build"]["chunks"] > 100 and one["build"]["peak_mb"] > 0 and one["build"]["index_bytes"] > 0
    assert one["query"]["search"]["p50_ms"] > 0 and one["query"]["search"]["n"] == 3
    assert report["incremental"]["one_file_changed_wall_seconds"] > 0
    assert report["recall"]["recall@10"] >= 0.95
    assert "| 1x |" in done.stdout
