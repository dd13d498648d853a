"""The folder of issue 4: a Word file, a two-page PDF, a GBK text file, an HTML page with
navigation, and broken files; built with the fake embedder."""

import pytest
from realworld import BROKEN_FILES, HTML_FURNITURE, HTML_NAVIGATION, PDF_HEADER, make_realworld_corpus

from assistant.index import store
from assistant.building import build_index
from assistant.retrieval.search import Searcher


@pytest.fixture
def built(tmp_path, settings, fake_embedder):
    corpus = make_realworld_corpus(tmp_path / "realworld")
    warnings = []
    data, stats = build_index(settings, warn=warnings.append, embedder=fake_embedder, corpus_dir=corpus)
    return data, stats, warnings


def test_every_readable_file_is_indexed_and_every_broken_one_named(built):
    data, stats, warnings = built
    assert stats.document_formats == {"docx": 1, "html": 1, "pdf": 1, "txt": 1}
    assert stats.formats == {"docx": 1, "html": 1, "pdf": 1, "txt": 1}
    assert {s["file"] for s in stats.skipped} == set(BROKEN_FILES)
    for skipped in stats.skipped:
        assert skipped["reason"].startswith(f"{skipped['file']}: {BROKEN_FILES[skipped['file']]}")
        assert sum(skipped["file"] in w for w in warnings) == 1
    assert data.manifest["skipped"] == stats.skipped and data.manifest["document_formats"] == stats.document_formats


@pytest.mark.parametrize("query, source, pages", [
    ("生均公用经费 720元", "self-inspection.docx", {None}),
    ("留守儿童 结对教师 家访", "left-behind-children.txt", {None}),
    ("塑胶跑道 课桌椅", "caoji-summary.html", {None}),
    ("成立迎检工作领导小组", "inspection-plan.pdf", {1}),
    ("迎接县级复查 省政府督导评估组的实地检查", "inspection-plan.pdf", {2}),
])
def test_search_finds_text_of_every_good_file(built, settings, fake_embedder, query, source, pages):
    searcher = Searcher(store.load_current(settings.index_root), fake_embedder)
    top = searcher.search(query, 1)[0].to_dict()
    assert top["source"] == source and top["page"] in pages


def test_pdf_chunks_carry_their_page(built):
    data, _, _ = built
    pdf = [c for c in data.chunks if c.doc_id.startswith("inspection-plan")]
    assert {c.page for c in pdf} == {1, 2}
    assert next(c for c in pdf if "5月迎接县级复查" in c.text).page == 2


def test_no_navigation_or_running_header_is_indexed(built):
    data, _, _ = built
    indexed = "\n".join(c.text for c in data.chunks)
    for text in [*HTML_NAVIGATION, *HTML_FURNITURE, PDF_HEADER, "第 1 页"]:
        assert text not in indexed
