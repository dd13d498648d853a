"""Uploads and deletes when names, disks and bodies misbehave (issue 27, items 3, 4 and 8):
names limited in UTF-8 bytes and without bidi controls; a batch checked whole and written all or
none, so a retry works; the disk refusing a write is a 507 (full) or 503 with a one-line detail,
and a delete is a rename or nothing; the upload limits stated as enforced, 413 for every
oversize body (also one sent chunked, without Content-Length)."""

import errno
import os
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import assistant.server.uploads as corpus_files
from assistant.server.app import create_app
from assistant.server.documents_routes import MAX_UPLOAD_BODY
from assistant.config import load_settings
from assistant.server.uploads import (MAX_NAME_BYTES, MAX_UPLOAD_BYTES, MAX_UPLOAD_FILES, MAX_UPLOAD_TOTAL_BYTES,
                                    StorageError, fit_name, remove_file, safe_name, save_batch)
from assistant.building import build_index
from assistant.server.rebuild import PENDING_FILE
from fakes import FakeEmbedder
from tinycorpus import write_tiny

LONG = "关于进一步加强义务教育均衡发展督导评估工作中学校标准化建设与教师队伍建设若干问题的整改方案和实施意见及附件材料汇编说明书"


@pytest.fixture
def env(tmp_path, monkeypatch):
    for name in ("ASSISTANT_EMBEDDING_MODEL", "ASSISTANT_ALLOW_UPLOAD", "ASSISTANT_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    embedder = FakeEmbedder()
    settings = load_settings(corpus_dir=write_tiny(tmp_path / "corpus"), home=tmp_path / "home").with_(
        chunk_chars=120, allow_upload=True)
    build_index(settings, warn=lambda m: None, embedder=embedder)
    monkeypatch.setattr("assistant.service.load_embedder", lambda name, warn: embedder)
    return settings


def wait_for_build(client, timeout=60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get("/documents/build").json()
        if status["state"] != "building":
            return status
        time.sleep(0.05)
    raise AssertionError("the rebuild did not finish")


def corpus_names(settings) -> list[str]:
    return sorted(p.name for p in settings.corpus_dir.iterdir())


# --- item 3: names in bytes, bidi controls, batches all or nothing --------------------------------

def test_names_are_limited_in_bytes_and_lose_bidi_controls():
    assert len(LONG) == 60
    name = safe_name(LONG + LONG[:30] + ".docx")  # 90 characters, 270 bytes before the suffix
    assert name.endswith(".docx") and len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert name.startswith(LONG) and len(name.encode("utf-8")) > MAX_NAME_BYTES - 3  # cut at a character
    for sent in ("长" * 300 + ".pdf", "a" * 300 + ".txt", "é" * 200 + ".md", "𠀀" * 100 + ".txt"):
        kept = safe_name(sent)
        assert len(kept.encode("utf-8")) <= MAX_NAME_BYTES and kept.endswith(Path(sent).suffix), sent
        assert kept.encode("utf-8").decode("utf-8") == kept
    assert safe_name("invoice\u202egpj.docx") == "invoicegpj.docx"
    controls = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
    assert safe_name(f"整改{controls}方案.txt") == "整改方案.txt"
    assert safe_name(controls) == "" and safe_name(controls + "a.txt") == "a.txt"
    assert safe_name("名称.\u202etxt") == "名称.txt"
    assert safe_name("bad\ud800name.txt") == "bad_name.txt"  # a lone surrogate cannot be a file name
    # a name in deleted/ gets a prefix: it is cut again to fit 255 bytes
    assert len(fit_name("长" * 90 + ".docx", 230).encode()) <= 230 and fit_name("长" * 90 + ".docx", 230).endswith(".docx")


def test_a_90_character_chinese_name_is_saved_indexed_and_deleted(env):
    name = LONG + LONG[:30] + ".txt"
    text = "青山镇中心小学整改方案\n一、存在的问题\n学校图书馆藏书不足,年底前补充图书4000册。\n"
    with TestClient(create_app(env)) as client:
        sent = [("files", ("a.txt", "甲文件的内容。".encode())), ("files", (name, text.encode()))]
        response = client.post("/documents", files=sent)
        assert response.status_code == 200, response.text
        saved = response.json()["saved"]
        assert [s.get("sent_as") for s in saved] == [None, name]
        assert len(saved[1]["file"].encode()) <= MAX_NAME_BYTES and (env.corpus_dir / saved[1]["file"]).exists()
        assert wait_for_build(client)["state"] == "done"
        row = next(d for d in client.get("/documents").json()["documents"] if d["source"] == saved[1]["file"])
        # the same name again gets " (2)", still within what the disk allows
        again = client.post("/documents", files={"files": (name, (text + "第二版。\n").encode())})
        assert again.status_code == 200 and again.json()["saved"][0]["file"].endswith(" (2).txt")
        wait_for_build(client)
        gone = client.delete(f"/documents/{row['id']}")  # deleted/ adds a prefix to the name
        assert gone.status_code == 200, gone.text
        assert len(Path(gone.json()["kept_at"]).name.encode()) <= 255
        wait_for_build(client)


def test_a_batch_is_all_or_nothing_and_a_retry_works(env, monkeypatch):
    writes = []
    real = corpus_files._write_file

    def second_fails(path, data):
        writes.append(path)
        if len(writes) == 2:
            with open(path, "xb") as handle:
                handle.write(data[:2])
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data)

    sent = [("files", ("一.txt", "第一个文件。".encode())), ("files", ("二.txt", "第二个文件。".encode())),
            ("files", ("三.txt", "第三个文件。".encode()))]
    with TestClient(create_app(env)) as client:
        with monkeypatch.context() as mp:
            mp.setattr("assistant.server.uploads._write_file", second_fails)
            failed = client.post("/documents", files=sent)
        assert failed.status_code == 507, failed.text
        detail = failed.json()["detail"]
        assert "二.txt" in detail and "full" in detail and "free some space" in detail and "\n" not in detail
        assert corpus_names(env) == ["plan.txt", "summary.txt"]  # the first file was taken back, no temporary
        assert client.get("/documents/build").json()["state"] == "idle"
        assert not (env.home / PENDING_FILE).exists()
        retry = client.post("/documents", files=sent)
        assert retry.status_code == 200, retry.text
        assert [s["file"] for s in retry.json()["saved"]] == ["一.txt", "二.txt", "三.txt"]
        wait_for_build(client)


def test_a_batch_is_checked_before_anything_is_written(tmp_path, monkeypatch):
    written = []
    real = corpus_files._write_file
    monkeypatch.setattr("assistant.server.uploads._write_file", lambda path, data: (written.append(data), real(path, data)))
    saved, refused = save_batch(tmp_path, [("a.txt", b"one"), ("b.exe", b"MZ"), ("c.txt", b"one"), ("d.txt", b"")])
    assert [s.name for s in saved] == ["a.txt"] and written == [b"one"]
    assert [r["file"] for r in refused] == ["b.exe", "c.txt", "d.txt"]
    assert "sent twice in this upload" in refused[1]["reason"]


def test_a_name_the_disk_cannot_hold_takes_the_batch_back(tmp_path, monkeypatch):
    real = os.link

    def short_names(source, target):
        if "长" in str(target):
            raise OSError(errno.ENAMETOOLONG, "File name too long")
        real(source, target)

    monkeypatch.setattr("assistant.server.uploads.os.link", short_names)
    with pytest.raises(StorageError) as caught:
        save_batch(tmp_path, [("a.txt", b"one"), ("长" * 40 + ".txt", b"two")])
    assert caught.value.status == 422 and "rename the file shorter" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


# --- item 4: a delete is a rename or nothing; OS errors are 507/503 -----------------------------------

def cross_device(corpus_dir):
    real = os.replace

    def rename(source, target):
        if Path(source).parent == Path(corpus_dir).resolve():
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real(source, target)

    return rename


def test_a_delete_on_a_full_disk_leaves_the_file_and_no_copy(env, monkeypatch):
    def full_copy(source, target):
        with open(target, "xb") as handle:  # what a full disk leaves: a partial (here 0-byte) copy
            handle.write(b"")
        raise OSError(errno.ENOSPC, "No space left on device")

    with TestClient(create_app(env)) as client:
        doc = next(d for d in client.get("/documents").json()["documents"] if d["source"] == "plan.txt")
        with monkeypatch.context() as mp:
            mp.setattr("assistant.server.uploads._rename", cross_device(env.corpus_dir))
            mp.setattr("assistant.server.uploads._copy_file", full_copy)
            response = client.delete(f"/documents/{doc['id']}")
        assert response.status_code == 507, response.text
        detail = response.json()["detail"]
        assert set(response.json()) == {"detail"}
        assert "plan.txt" in detail and "full" in detail and "free some space" in detail and "\n" not in detail
        assert (env.corpus_dir / "plan.txt").exists()
        assert [p.name for p in (env.home / "deleted").iterdir()] == []  # no copy, not even a hidden one
        assert not (env.home / PENDING_FILE).exists() and client.get("/documents/build").json()["state"] == "idle"
        assert client.get("/health").json()["pending_rebuild"] is False


def test_a_delete_without_permission_is_a_503(env, monkeypatch):
    def refused(source, target):
        raise OSError(errno.EACCES, "Permission denied")

    with TestClient(create_app(env)) as client:
        doc = next(d for d in client.get("/documents").json()["documents"] if d["source"] == "summary.txt")
        with monkeypatch.context() as mp:
            mp.setattr("assistant.server.uploads._rename", refused)
            response = client.delete(f"/documents/{doc['id']}")
        assert response.status_code == 503, response.text
        assert "summary.txt" in response.json()["detail"] and "writable" in response.json()["detail"]
        assert (env.corpus_dir / "summary.txt").exists()


def test_a_delete_across_devices_copies_then_removes(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "方案.txt").write_text("内容", encoding="utf-8")
    monkeypatch.setattr("assistant.server.uploads._rename", cross_device(corpus))
    kept = remove_file(corpus, "方案.txt", tmp_path / "trash")
    assert kept.read_text(encoding="utf-8") == "内容" and not (corpus / "方案.txt").exists()
    assert [p.name for p in (tmp_path / "trash").iterdir()] == [kept.name]

    (corpus / "b.txt").write_text("b", encoding="utf-8")
    monkeypatch.setattr("assistant.server.uploads.Path.unlink", _unlink_refusing(corpus))
    with pytest.raises(StorageError):
        remove_file(corpus, "b.txt", tmp_path / "trash")
    assert (corpus / "b.txt").exists() and [p.name for p in (tmp_path / "trash").iterdir()] == [kept.name]


def _unlink_refusing(folder):
    real = Path.unlink

    def unlink(self, missing_ok=False):
        if self.parent == Path(folder).resolve():
            raise OSError(errno.EACCES, "Permission denied")
        real(self, missing_ok=missing_ok)

    return unlink


# --- item 8: limits stated as enforced; 413 for every oversize body --------------------------------

def test_the_limits_are_stated_as_enforced(env):
    assert MAX_UPLOAD_TOTAL_BYTES < MAX_UPLOAD_FILES * MAX_UPLOAD_BYTES  # the total is a limit of its own
    assert MAX_UPLOAD_TOTAL_BYTES <= MAX_UPLOAD_BODY <= MAX_UPLOAD_TOTAL_BYTES + 1_000_000  # room for headers
    with TestClient(create_app(env)) as client:
        upload = client.get("/documents").json()["upload"]
        assert upload["max_bytes"] == MAX_UPLOAD_BYTES and upload["max_files"] == MAX_UPLOAD_FILES
        assert upload["max_request_bytes"] == MAX_UPLOAD_TOTAL_BYTES
        assert "100 MB in all" in upload["limits"] and "20 MB a file" in upload["limits"]
        schema = client.get("/openapi.json").json()["paths"]["/documents"]["post"]
        described = schema["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]["files"]
        assert upload["limits"] in described["description"]
        assert {"413", "507"} <= set(schema["responses"])


def test_files_over_the_request_total_are_a_413(env, monkeypatch):
    monkeypatch.setattr("assistant.server.documents_routes.MAX_UPLOAD_TOTAL_BYTES", 1000)
    with TestClient(create_app(env)) as client:
        sent = [("files", ("a.txt", "甲" * 200)), ("files", ("b.txt", "乙" * 200))]  # 600 bytes each
        response = client.post("/documents", files=sent)
        assert response.status_code == 413 and "add up to" in response.json()["detail"]
        assert corpus_names(env) == ["plan.txt", "summary.txt"]


def test_a_file_over_the_file_limit_is_a_413(env, monkeypatch):
    monkeypatch.setattr("assistant.server.uploads.MAX_UPLOAD_BYTES", 10)
    with TestClient(create_app(env)) as client:
        response = client.post("/documents", files={"files": ("a.txt", b"x" * 11)})
        assert response.status_code == 413 and "per file" in response.json()["detail"]


def test_a_chunked_oversize_upload_is_a_413(env):
    boundary = "oversizeboundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.txt\"\r\n"
            f"Content-Type: text/plain\r\n\r\n").encode()
    chunk = b"x" * (4 * 1048576)

    def body():  # a generator: sent chunked, without Content-Length
        yield head
        for _ in range(MAX_UPLOAD_BODY // len(chunk) + 2):
            yield chunk
        yield f"\r\n--{boundary}--\r\n".encode()

    with TestClient(create_app(env)) as client:
        response = client.post("/documents", content=body(),
                               headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        assert response.status_code == 413, response.text[:300]
        assert "100 MB" in response.json()["detail"]
        assert corpus_names(env) == ["plan.txt", "summary.txt"]
