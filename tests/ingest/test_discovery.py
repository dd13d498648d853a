"""A shared folder's hostile files (issue 16, cases 2, 3 and 7): each is one named line and a skip,
never an aborted build. GBK file names, unreadable files, files over the size limit, zip bombs
(refused from the archive's directory, before any parsing), symlinks out of the corpus, symlink
loops, pipes."""

import json
import os
import zipfile

import pytest

from assistant.config import Limits
from assistant.building import build_index
from assistant.ingest import discovery
from assistant.ingest.discovery import scan

GBK_NAME = os.fsdecode("学校总结.txt".encode("gbk"))  # the bytes \xd1\xa7\xd0\xa3\xd7\xdc\xbd\xe1.txt


@pytest.fixture(autouse=True)
def no_dictionary(monkeypatch):
    """These builds need no English table (building it is most of a tiny build's time)."""
    monkeypatch.setattr("assistant.building.dictionary_of", lambda lexical, warn: None)


def reasons(stats) -> dict[str, str]:
    return {item["file"]: item["reason"] for item in stats.skipped}


def bomb(path, unpacked: int) -> None:
    """A .docx-shaped zip whose word/document.xml is `unpacked` bytes of one repeated paragraph."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as member:
            block = b"<w:p><w:r><w:t>" + "学校".encode() * 50 + b"</w:t></w:r></w:p>" * 1000
            for _ in range(unpacked // len(block) + 1):
                member.write(block)


def test_hostile_files_are_skipped_one_line_each(settings, fake_embedder, monkeypatch):
    from assistant.ingest import loaders

    monkeypatch.setitem(loaders._LOADERS, ".docx", lambda path: pytest.fail("the zip bomb was parsed"))
    corpus = settings.corpus_dir
    with open(os.fsencode(corpus / GBK_NAME), "w", encoding="utf-8") as handle:
        handle.write("学校工作总结。\n")
    os.symlink("/etc/passwd", corpus / "passwd.txt")
    os.symlink("loop.txt", corpus / "loop.txt")
    os.symlink("missing.txt", corpus / "gone.txt")
    (corpus / "sub").mkdir()
    os.symlink("..", corpus / "sub" / "up")
    os.mkfifo(corpus / "pipe.txt")
    bomb(corpus / "bomb.docx", 3 << 20)
    (corpus / "big.txt").write_text("学校" * 400_000, encoding="utf-8")  # 2.4 MB
    small = settings.with_(limits=Limits(max_file_mb=2, max_unpacked_mb=100))
    _, stats = build_index(small, warn=lambda m: None, embedder=fake_embedder)
    skipped = reasons(stats)
    assert stats.documents == 2 and stats.files == 2  # the two good files are indexed
    escaped = "\\xd1\\xa7\\xd0\\xa3\\xd7\\xdc\\xbd\\xe1.txt"
    assert skipped[escaped].startswith(f"{escaped}: the file name is not valid UTF-8 (in GBK it reads 学校总结.txt)")
    assert "outside the corpus folder; not followed" in skipped["passwd.txt"] and "/etc/passwd" in skipped["passwd.txt"]
    assert "symlink loop" in skipped["loop.txt"] and "symlink loop" in skipped["sub/up"]
    assert "broken symlink" in skipped["gone.txt"]
    assert "not a regular file" in skipped["pipe.txt"]
    assert "unpacks" in skipped["bomb.docx"] and "zip bomb" in skipped["bomb.docx"]
    assert "over the 2 MB limit" in skipped["big.txt"] and "ASSISTANT_MAX_FILE_MB" in skipped["big.txt"]
    manifest = json.loads((small.index_root / "current" / "manifest.json").read_text(encoding="utf-8"))
    assert {item["file"] for item in manifest["skipped"]} == set(skipped)


def test_zip_bomb_is_refused_before_parsing(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    bomb(corpus / "ratio.docx", 2 << 20)  # a 2 MB part packed into a few kB
    bomb(corpus / "total.docx", 600 << 10)
    found = scan(corpus)
    by_name = {p.relative: p.reason for p in found.problems}
    assert "its part word/document.xml unpacks" in by_name["ratio.docx"] and "looks like a zip bomb" in by_name["ratio.docx"]
    assert [p.name for p in found.files] == ["total.docx"]  # 600 kB unpacked, under 1 MB: not held to the ratio
    found = scan(corpus, Limits(max_unpacked_mb=0.5))
    assert "unpacks to 1 MB, over the 0.5 MB limit" in {p.relative: p.reason for p in found.problems}["total.docx"]
    assert discovery.archive_problem(corpus / "ratio.docx", "x", Limits(max_unpack_ratio=10**6)) is None


def test_symlinks_out_of_the_corpus_follow_only_when_allowed(tmp_path):
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("外部文件", encoding="utf-8")
    corpus = tmp_path / "c"
    corpus.mkdir()
    os.symlink(outside, corpus / "link.txt")
    os.symlink(corpus, corpus / "self")  # a folder link back to the corpus itself
    assert [p.relative for p in scan(corpus).problems] == ["link.txt", "self"]
    followed = scan(corpus, Limits(follow_outside_links=True))
    assert [p.name for p in followed.files] == ["link.txt"] and [p.relative for p in followed.problems] == ["self"]


def test_unreadable_file_is_skipped_not_fatal(settings, fake_embedder, monkeypatch):
    from assistant import building as build

    real = build.file_hash

    def denied(path):
        if path.name == "summary.txt":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(build, "file_hash", denied)
    _, stats = build_index(settings, warn=lambda m: None, embedder=fake_embedder)
    assert stats.files == 1
    assert reasons(stats)["summary.txt"] == "summary.txt: cannot read it (Permission denied); check its permissions"
