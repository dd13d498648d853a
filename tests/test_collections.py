"""Collections (issue 26): several knowledge bases, each its own folder, in one index; a question
scoped to some never cites the others, over several the best passage of each can win; deleting one
moves its folder aside and its documents leave the index; CLI, HTTP and the OpenAI endpoint."""

import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from assistant import collection
from assistant.server.app import create_app
from assistant.cli import app as cli_app
from assistant.errors import AssistantError
from assistant.building import build_index
from assistant.retrieval.filters import Filters
from assistant.service import Assistant
from lawtexts import write_laws

SHARED_LAWS = Path(__file__).resolve().parents[1].parent / "shared" / "realworld" / "laws"
OTHER_SUMMARY = """城关小学工作总结
一、基本情况
本校有学生860人,教职工52人。
二、存在的问题
功能室不足,音乐室与美术室合用。
"""


@pytest.fixture
def two(settings, tmp_path, fake_embedder, monkeypatch):
    """The tiny corpus as `default` and a second folder (laws, and a summary.txt of its own) as `laws`."""
    folder = write_laws(tmp_path / "法规")
    (folder / "summary.txt").write_text(OTHER_SUMMARY, encoding="utf-8")
    collection.create(settings, "laws", folder)
    monkeypatch.setattr("assistant.service.load_embedder", lambda name, warn: fake_embedder)
    data, _ = build_index(settings, warn=lambda m: None, embedder=fake_embedder)
    return Assistant(settings, data, warn=lambda m: None)


def sources(answer_or_result) -> set[tuple[str, str]]:
    rows = answer_or_result.citations() if hasattr(answer_or_result, "citations") else answer_or_result["results"]
    return {(row["collection"], row["source"]) for row in rows}


def test_names_are_checked_and_the_list_is_kept(settings, tmp_path):
    for bad in ("", "a/b", "-x", "_x", "has space", "x" * 41, "..", "default"):
        with pytest.raises(AssistantError):
            collection.create(settings, bad)
    made = collection.create(settings, "学校资料")
    assert made.managed and made.corpus == settings.home / "collections" / "学校资料" / "corpus" and made.corpus.is_dir()
    with pytest.raises(AssistantError, match="already a collection"):
        collection.create(settings, "学校资料")
    with pytest.raises(AssistantError, match="not a folder"):
        collection.create(settings, "laws", tmp_path / "missing")
    with pytest.raises(AssistantError, match="already the collection 'default'"):
        collection.create(settings, "again", settings.corpus_dir)
    assert collection.names(settings) == ["default", "学校资料"]
    with pytest.raises(AssistantError, match="cannot be deleted"):
        collection.delete(settings, "default")
    with pytest.raises(AssistantError, match="no collection 'nope'; there are: default, 学校资料"):
        collection.delete(settings, "nope")
    with pytest.raises(AssistantError, match="collection: nope is not a collection"):
        collection.check_known(settings, ["nope"])


def test_two_folders_in_one_index_with_apart_ids(two):
    by_collection = {}
    for doc in two.index.documents:
        by_collection.setdefault(doc["collection"], set()).add(doc["source"])
    assert by_collection["default"] == {"plan.txt", "summary.txt"}
    assert "summary.txt" in by_collection["laws"] and len(by_collection["laws"]) >= 3
    ids = [doc["id"] for doc in two.index.documents]
    assert len(ids) == len(set(ids))  # the two summary.txt files keep apart
    assert all(i.startswith("laws~") for i, d in zip(ids, two.index.documents) if d["collection"] == "laws")
    assert all(collection.of_id(i) == d["collection"] for i, d in zip(ids, two.index.documents))
    assert set(two.index.manifest["files"]) == {"plan.txt", "summary.txt"}
    assert "summary.txt" in two.index.manifest["collections"]["laws"]["files"]


def test_scoped_questions_never_cite_the_other_collection(two):
    law_question, school_question = "设立学校应当具备哪些条件?", "A2保障机制组组长是谁?"
    # over both, the best passage of each collection wins its own question
    assert two.ask(law_question).citations()[0]["collection"] == "laws"
    assert two.ask(school_question).citations()[0]["collection"] == "default"
    only_laws, only_default = Filters.given(collections=["laws"]), Filters.given(collections=["default"])
    for question in (law_question, school_question, "学校有多少学生?"):
        assert {c for c, _ in sources(two.ask(question, filters=only_laws))} <= {"laws"}
        assert {c for c, _ in sources(two.ask(question, filters=only_default))} <= {"default"}
        assert {c for c, _ in sources(two.search(question, 8, only_laws))} == {"laws"}
    students = two.ask("学校有多少学生?", filters=only_laws)
    assert "860" in students.text and "320" not in students.text
    unknown = two.ask(law_question, filters=Filters.given(collections=["nope"]))  # a filter no document matches
    assert not unknown.found and not unknown.citations() and "知识库 nope" in unknown.text
    assert "the collections are default, laws" in two.search(law_question, 5, Filters.given(collections=["nope"]))["note"]


def test_the_settings_scope_every_request_unless_one_names_others(two):
    scoped = Assistant(two.settings.with_(collections=("laws",)), two.index, warn=lambda m: None)
    assert {c for c, _ in sources(scoped.ask("A2保障机制组组长是谁?"))} <= {"laws"}
    named = scoped.ask("A2保障机制组组长是谁?", filters=Filters.given(collections=["default"]))
    assert named.citations()[0]["collection"] == "default" and "李二" in named.text


def test_a_collection_made_since_the_build_answers_that_it_holds_nothing_yet(two):
    collection.create(two.settings, "empty")
    answer = two.ask("设立学校应当具备哪些条件?", filters=Filters.given(collections=["empty"]))
    assert not answer.found and "知识库 empty" in answer.text


def test_deleting_a_collection_moves_its_folder_aside_and_drops_its_documents(settings, fake_embedder, two):
    made = collection.create(settings, "uploads")
    (made.corpus / "note.txt").write_text("城南中学通知\n一、时间\n定于2024年9月1日开学。\n", encoding="utf-8")
    data, _ = build_index(settings, warn=lambda m: None, embedder=fake_embedder)
    assert {d["collection"] for d in data.documents} == {"default", "laws", "uploads"}
    done = collection.delete(settings, "uploads")
    assert done["moved"] and not made.corpus.exists()
    kept = settings.home / "deleted" / "collections"
    assert [p.name for p in kept.glob("*-uploads/corpus/note.txt")] == ["note.txt"]
    external = collection.find(settings, "laws").corpus
    assert not collection.delete(settings, "laws")["moved"] and (external / "summary.txt").exists()  # a given folder stays
    data, stats = build_index(settings, warn=lambda m: None, embedder=fake_embedder)
    assert {d["collection"] for d in data.documents} == {"default"} and data.manifest["collections"] == {}
    assert stats.changes.removed and all(name.startswith(("uploads: ", "laws: ")) for name in stats.changes.removed)


def test_status_sees_changes_in_every_collection(two):
    folder = collection.find(two.settings, "laws").corpus
    (folder / "new.txt").write_text("新增文件\n内容。\n", encoding="utf-8")
    changes = Assistant.index_status(two.settings)["changes"]
    assert changes["added"] == ["laws: new.txt"] and not changes["removed"]


def test_cli_collections(settings, tmp_path):
    runner = CliRunner()
    folder = write_laws(tmp_path / "laws")
    made = runner.invoke(cli_app, ["collection", "create", "laws", "--from", str(folder)])
    assert made.exit_code == 0, made.output
    assert "collection laws created" in made.output and "the index now holds" in made.output
    listed = json.loads(runner.invoke(cli_app, ["collection", "list", "--json"]).output)["collections"]
    assert [(c["name"], c["indexed_files"] > 0) for c in listed] == [("default", True), ("laws", True)]
    asked = runner.invoke(cli_app, ["ask", "设立学校应当具备哪些条件?", "--json", "-c", "default"])
    assert asked.exit_code == 0, asked.output
    assert {c["collection"] for c in json.loads(asked.output)["citations"]} <= {"default"}
    shown = runner.invoke(cli_app, ["ask", "设立学校应当具备哪些条件?", "-c", "laws"])
    assert "laws: " in shown.output  # the citation names its collection
    wrong = runner.invoke(cli_app, ["search", "学校", "--collection", "nope"])
    assert wrong.exit_code == 1 and "nope is not a collection; there are: default, laws" in wrong.output
    gone = runner.invoke(cli_app, ["collection", "delete", "laws"])
    assert gone.exit_code == 0 and f"its folder {folder} was left as it is" in gone.output.replace("\n", "")
    assert (folder / "示范教育法(2020-05-01).md").exists()


def settle(client, seconds: float = 60) -> None:
    """Wait for the background rebuild a change started (polling its status)."""
    deadline = time.monotonic() + seconds
    while client.get("/documents/build").json()["state"] == "building":
        assert time.monotonic() < deadline, "the rebuild did not finish"
        time.sleep(0.1)


def test_http_collections_uploads_and_the_openai_models(settings, fake_embedder, monkeypatch, two):
    writable = Assistant(settings.with_(allow_upload=True, reload_seconds=0), two.index, warn=lambda m: None)
    with TestClient(create_app(writable.settings, writable)) as client:
        listed = client.get("/collections").json()["collections"]
        assert [(c["name"], c["documents"] > 0) for c in listed] == [("default", True), ("laws", True)]
        assert client.post("/collections", json={"name": "laws"}).status_code == 409
        assert client.post("/collections", json={"name": "a/b"}).status_code == 422
        assert client.post("/collections", json={"name": "学校"}).json() == {"created": "学校", "documents": 0}
        sent = client.post("/documents", data={"collection": "学校"},
                           files={"files": ("城南通知.txt", "城南中学通知\n一、开学\n定于2024年9月1日开学。\n".encode())})
        assert sent.status_code == 200 and sent.json()["collection"] == "学校"
        assert client.post("/documents", data={"collection": "nope"},
                           files={"files": ("x.txt", "文本内容一二三\n".encode())}).status_code == 422
        settle(client)
        docs = client.get("/documents").json()["documents"]
        assert {(d["collection"], d["source"]) for d in docs} >= {("学校", "城南通知.txt"), ("laws", "summary.txt")}
        scoped = client.post("/ask", json={"question": "什么时候开学?", "filters": {"collection": ["学校"]}}).json()
        assert scoped["citations"] and {c["collection"] for c in scoped["citations"]} == {"学校"}
        assert "9月1日" in scoped["answer"]
        unknown = client.post("/ask", json={"question": "开学", "filters": {"collection": ["nope"]}}).json()
        assert unknown["found"] is False and "知识库 nope" in unknown["answer"]
        models = [m["id"] for m in client.get("/v1/models").json()["data"]]
        assert models == ["assistant", "assistant:default", "assistant:laws", "assistant:学校"]
        reply = client.post("/v1/chat/completions", json={"model": "assistant:laws", "messages": [
            {"role": "user", "content": "A2保障机制组组长是谁?"}]}).json()
        assert {c["collection"] for c in reply["citations"]} <= {"laws"}
        assert client.delete("/collections/default").status_code == 409
        assert client.delete("/collections/nope").status_code == 404
        removed = client.delete("/collections/学校").json()
        assert removed["moved"] and removed["kept_at"].endswith("-学校/corpus")
        settle(client)
        assert "学校" not in {d["collection"] for d in client.get("/documents").json()["documents"]}


def test_a_law_held_in_another_collection_is_said_to_be_outside_the_scope(two):
    held = two.ask("示范教育法第二条是怎么规定的?")
    assert held.found and "国家实行示范教育制度" in held.text
    outside = two.ask("示范教育法第二条是怎么规定的?", filters=Filters.given(collections=["default"]))
    assert not outside.found and outside.text.startswith("所选范围(知识库 default)的资料中没有《") and "示范教育法》" in outside.text


@pytest.mark.shared
def test_filters_on_the_shipped_corpus_and_the_laws(tmp_path, monkeypatch, fake_embedder):
    """Kind, year, school and collection filters over the shipped corpus (default) with the 42 laws of
    ../shared/realworld/laws as a collection: every citation matches what was asked for."""
    from assistant.config import SHIPPED_CORPUS, load_settings

    monkeypatch.delenv("ASSISTANT_COLLECTIONS", raising=False)
    settings = load_settings(corpus_dir=SHIPPED_CORPUS, home=tmp_path / "home")
    collection.create(settings, "laws", SHARED_LAWS)
    monkeypatch.setattr("assistant.service.load_embedder", lambda name, warn: fake_embedder)
    data, _ = build_index(settings, warn=lambda m: None, embedder=fake_embedder)
    assistant = Assistant(settings, data, warn=lambda m: None)
    meta = data.doc_by_id
    dated = sorted(d["date"] for d in data.documents if d.get("date") and d["collection"] == "default")
    school = next(d["organisation"] for d in data.documents if d.get("organisation") and d["collection"] == "default")
    cases = [(Filters.given(["law"]), lambda d: d["kind"] == "law"),
             (Filters.given(since=dated[len(dated) // 2][:4]), lambda d: (d.get("date") or "") >= dated[len(dated) // 2][:4]),
             (Filters.given(organisation=school), lambda d: school in (d.get("organisation") or "") + d["title"]),
             (Filters.given(collections=["laws"]), lambda d: d["collection"] == "laws"),
             (Filters.given(["plan"], collections=["default"]), lambda d: d["kind"] == "plan" and d["collection"] == "default")]
    for question in ("学校要保障教师的工资待遇吗?", "义务教育阶段学生入学有什么规定?", "How are teachers' salaries guaranteed?"):
        for filters, holds in cases:
            cited = [meta[c["doc_id"]] for c in assistant.ask(question, filters=filters).citations()]
            found = [meta[r["doc_id"]] for r in assistant.search(question, 8, filters)["results"]]
            assert found, (question, filters.describe())
            assert all(holds(d) for d in cited + found), (question, filters.describe(), [d["title"] for d in cited + found])


def test_the_folder_index_build_read_stays_the_default_collection(tmp_path, monkeypatch):
    """`index build --corpus DIR` then `collection create` (or an upload, an upgrade) without
    ASSISTANT_CORPUS: the rebuild reads DIR again, not the shipped corpus; a build that does change
    the default folder says whose documents leave."""
    from assistant.config import load_settings
    from tinycorpus import write_tiny

    monkeypatch.delenv("ASSISTANT_CORPUS", raising=False)
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "home"))
    mine = write_tiny(tmp_path / "mine")
    runner = CliRunner()
    built = runner.invoke(cli_app, ["index", "build", "--corpus", str(mine)])
    assert built.exit_code == 0 and "is now the default collection's folder" in built.output.replace("\n", "")
    assert load_settings().corpus_dir == mine.resolve()
    made = runner.invoke(cli_app, ["collection", "create", "laws", "--from", str(write_laws(tmp_path / "laws"))])
    assert made.exit_code == 0, made.output
    listed = json.loads(runner.invoke(cli_app, ["collection", "list", "--json"]).output)["collections"]
    assert listed[0]["corpus"] == str(mine.resolve()) and listed[0]["indexed_files"] == 2
    monkeypatch.setenv("ASSISTANT_CORPUS", str(write_tiny(tmp_path / "other")))  # named on purpose: it wins, and says so
    switched = runner.invoke(cli_app, ["index", "build"])
    assert switched.exit_code == 0 and f"the last build read {mine.resolve()}" in switched.output.replace("\n", "")
