"""Documents over HTTP: the list, uploads (safe names, no overwrite, refusals with reasons), deletion
(kept in ASSISTANT_HOME/deleted), the background rebuild and the switch to the new index; writing
off by default, the key when one is set; drafting downloads (.docx, .md) and pasted facts."""

import io
import time

import pytest
from docx import Document
from fastapi.testclient import TestClient

from assistant.server.app import create_app
from assistant.config import load_settings
from assistant.server.uploads import UploadError, check_upload, safe_name, save_upload
from assistant.building import build_index
from fakes import FakeEmbedder
from tinycorpus import TINY_PLAN, write_tiny

KEY = "s3cret-key"
AUTH = {"Authorization": f"Bearer {KEY}"}


def word_file(*paragraphs: str) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    root = tmp_path_factory.mktemp("docs-api")
    corpus = write_tiny(root / "corpus")
    embedder = FakeEmbedder()
    with pytest.MonkeyPatch.context() as mp:
        for name in ("ASSISTANT_EMBEDDING_MODEL", "ASSISTANT_ALLOW_UPLOAD", "ASSISTANT_API_KEY"):
            mp.delenv(name, raising=False)
        settings = load_settings(corpus_dir=corpus, home=root / "home").with_(chunk_chars=120)
        build_index(settings, warn=lambda m: None, embedder=embedder)
        mp.setattr("assistant.service.load_embedder", lambda name, warn: embedder)
        yield settings


def wait_for_build(client, timeout=60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get("/documents/build").json()
        if status["state"] != "building":
            return status
        time.sleep(0.1)
    raise AssertionError("the rebuild did not finish")


def test_writing_is_off_by_default(env):
    with TestClient(create_app(env)) as client:
        listing = client.get("/documents").json()
        assert listing["writable"] is False and listing["key_required"] is False
        assert {d["source"]: d["format"] for d in listing["documents"]} == {"plan.txt": "txt", "summary.txt": "txt"}
        assert listing["skipped"] == [] and listing["build"]["state"] == "idle"
        refused = client.post("/documents", files={"files": ("a.txt", "文本".encode())})
        assert refused.status_code == 403 and "ASSISTANT_ALLOW_UPLOAD=1" in refused.json()["detail"]
        assert client.delete("/documents/plan-txt-01").status_code == 403
        assert (env.corpus_dir / "plan.txt").exists() and not (env.corpus_dir / "a.txt").exists()


def test_upload_ask_cite_delete_and_the_key(env):
    settings = env.with_(allow_upload=True, api_key=KEY)
    docx = word_file("青山镇中心小学整改方案", "一、存在的问题", "学校图书馆藏书不足,生均图书只有十八册。",
                     "二、整改措施", "年底前补充图书4000册,由副校长王红梅负责。")
    with TestClient(create_app(settings)) as client:
        assert client.get("/documents").json()["key_required"] is True
        files = {"files": ("青山镇整改方案.docx", docx)}
        assert client.post("/documents", files=files).status_code == 401
        wrong = client.post("/documents", files=files, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and "Authorization: Bearer" in wrong.json()["detail"]

        sent = [("files", ("../../青山镇整改方案.docx", docx)), ("files", ("setup.exe", b"MZ...")),
                ("files", ("plan.txt", "另一份计划,内容不同。".encode()))]
        response = client.post("/documents", files=sent, headers=AUTH)
        assert response.status_code == 200, response.text
        data = response.json()
        assert data["saved"] == [{"file": "青山镇整改方案.docx", "bytes": len(docx), "sent_as": "../../青山镇整改方案.docx"},
                                 {"file": "plan (2).txt", "bytes": len("另一份计划,内容不同。".encode()), "sent_as": "plan.txt"}]
        assert [r["file"] for r in data["refused"]] == ["setup.exe"] and ".exe files are not read" in data["refused"][0]["reason"]
        assert (env.corpus_dir / "plan.txt").read_text(encoding="utf-8") == TINY_PLAN  # never overwritten
        assert data["build"]["state"] == "building"
        status = wait_for_build(client)
        assert status["state"] == "done" and status["result"]["documents"] == 4 and status["result"]["files_processed"] == 2

        again = client.post("/documents", files={"files": ("copy.docx", docx)}, headers=AUTH)
        assert again.status_code == 422 and "already in the corpus as 青山镇整改方案.docx" in again.json()["detail"]

        listing = client.get("/documents").json()
        row = next(d for d in listing["documents"] if d["source"] == "青山镇整改方案.docx")
        assert row["format"] == "docx" and row["chunks"] >= 1
        answer = client.post("/ask", json={"question": "青山镇中心小学要补充多少册图书?"}).json()
        assert "4000册" in answer["answer"] and answer["citations"][0]["source"] == "青山镇整改方案.docx"
        assert client.get("/health").json()["documents"] == 4  # the server switched to the new index

        assert client.delete(f"/documents/{row['id']}").status_code == 401
        gone = client.delete(f"/documents/{row['id']}", headers=AUTH)
        assert gone.status_code == 200 and gone.json()["deleted"] == "青山镇整改方案.docx"
        kept = gone.json()["kept_at"]
        assert not (env.corpus_dir / "青山镇整改方案.docx").exists() and open(kept, "rb").read() == docx
        assert wait_for_build(client)["state"] == "done"
        assert "青山镇整改方案.docx" not in {d["source"] for d in client.get("/documents").json()["documents"]}
        assert client.delete(f"/documents/{row['id']}", headers=AUTH).status_code == 404
        extra = next(d for d in listing["documents"] if d["source"] == "plan (2).txt")
        assert client.delete(f"/documents/{extra['id']}", headers=AUTH).json()["documents"] == [extra["id"]]
        assert wait_for_build(client)["result"]["documents"] == 2
        assert sorted(p.name for p in env.corpus_dir.iterdir()) == ["plan.txt", "summary.txt"]


def test_bad_uploads_get_a_reason(env):
    settings = env.with_(allow_upload=True)
    with TestClient(create_app(settings)) as client:
        not_multipart = client.post("/documents", json={"files": []})
        assert not_multipart.status_code == 415 and "multipart/form-data" in not_multipart.json()["detail"]
        empty = client.post("/documents", files={"other": ("a.txt", b"x")})
        assert empty.status_code == 422 and "files: is required" in empty.json()["detail"]
        fake = client.post("/documents", files={"files": ("方案.docx", b"not a zip")})
        assert fake.status_code == 422 and "not a Word .docx file" in fake.json()["detail"]
        assert client.delete("/documents/nope-01").status_code == 404


def test_safe_names_and_no_overwrite(tmp_path, monkeypatch):
    assert safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert safe_name("..\\..\\Windows\\整改 方案.DOCX") == "整改 方案.docx"
    assert safe_name("CON.txt") == "_CON.txt" and safe_name("a<b>:c?.md") == "a_b__c_.md"
    assert safe_name(".hidden.txt") == "hidden.txt" and safe_name("\x00\x01.txt") == "" and safe_name("...") == ""
    long_name = safe_name("长" * 300 + ".pdf")  # at most 240 bytes of UTF-8, the suffix kept
    assert len(long_name.encode("utf-8")) <= 240 and long_name.endswith(".pdf") and long_name.startswith("长")
    with pytest.raises(UploadError, match="no usable characters"):
        check_upload("///", b"x")
    with pytest.raises(UploadError, match="not a PDF"):
        check_upload("a.pdf", b"hello")
    monkeypatch.setattr("assistant.server.uploads.MAX_UPLOAD_BYTES", 10)
    with pytest.raises(UploadError, match="the limit is 0 MB per file|the limit is"):
        check_upload("a.txt", b"x" * 11)
    monkeypatch.undo()
    first = save_upload(tmp_path, "a.txt", "一".encode())
    second = save_upload(tmp_path, "a.txt", "二".encode())
    assert (first.name, second.name) == ("a.txt", "a (2).txt")
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "一"
    with pytest.raises(UploadError, match="already in the corpus as a.txt"):
        save_upload(tmp_path, "b.txt", "一".encode())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a (2).txt", "a.txt"]  # no temporary file left


def test_draft_downloads_and_pasted_facts(env):
    with TestClient(create_app(env)) as client:
        options = client.get("/draft/options").json()
        assert {"kind": "rectification", "name": "整改方案"} in options["kinds"] and "师资队伍" in options["focus"]
        body = {"kind": "rectification", "school": "青山镇中心小学", "facts_text": "学生数: 650\n专任教师数: 54"}
        docx = client.post("/draft", json=dict(body, format="docx"))
        assert docx.status_code == 200
        assert docx.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
        assert "filename*=UTF-8''%E9%9D%92" in docx.headers["content-disposition"]  # 青山镇中心小学-整改方案提纲.docx
        document = Document(io.BytesIO(docx.content))
        assert document.paragraphs[0].text == "青山镇中心小学义务教育\n均衡发展工作整改方案"  # 公文 title in balanced lines
        assert document.sections[0].page_width == 7560310  # A4 (210 mm)
        md = client.post("/draft", json=dict(body, format="md"))
        assert md.status_code == 200 and md.text.startswith("# 青山镇中心小学") and "attachment" in md.headers["content-disposition"]
        data = client.post("/draft", json=dict(body, facts={"学生数": 700})).json()
        assert data["filled"]["学生数"] == "700" and data["filled"]["专任教师数"] == "54"
        bad = client.post("/draft", json=dict(body, facts_text="学生数: [650"))
        assert bad.status_code == 422 and "facts_text is not valid YAML" in bad.json()["detail"]
        for page in ("/library", "/drafting", "/"):
            response = client.get(page)
            assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
