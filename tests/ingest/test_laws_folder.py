"""The real laws and regulations of ../shared/realworld/laws (42 files, as users hold them):
structure, article chunks and metadata. CI runs with ../shared beside the checkout, so a missing
folder is a failure, not a skip."""

import importlib.util
import re
from pathlib import Path

import pytest

from assistant.chunking import chunk_document
from assistant.config import Settings
from assistant.ingest.pipeline import load_documents

pytestmark = pytest.mark.shared

ROOT = Path(__file__).resolve().parents[2]
LAWS = ROOT.parent / "shared" / "realworld" / "laws"
LIMIT = Settings.__dataclass_fields__["chunk_chars"].default
#: 编/章/节/条 and one level more
MAX_DEPTH = 5
BODY = re.compile(r"(人民代表大会|常务委员会|国务院|委员会|政府|部)$")


def _articles_of():
    """The parser-independent article count of scripts/structure_report.py (one definition)."""
    spec = importlib.util.spec_from_file_location("structure_report", ROOT / "scripts" / "structure_report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.articles_of, module.squash


@pytest.fixture(scope="module")
def processed():
    files = sorted(LAWS.glob("*.md"))
    assert len(files) >= 40, f"{LAWS} should hold the real laws (CI has ../shared beside the checkout)"
    out = []
    for path in files:
        documents, _ = load_documents(path, path.name)
        chunks = [c for d in documents for c in chunk_document(d, LIMIT)[1]]
        out.append((path, documents, chunks))
    return out


def test_every_file_is_one_law_or_regulation_with_date_and_issuing_body(processed):
    for path, documents, _ in processed:
        assert len(documents) == 1, path.name
        document = documents[0]
        assert document.kind in ("law", "regulation"), path.name
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", document.date or ""), path.name
        if document.header:
            assert document.organisation and all(BODY.search(b) for b in document.organisation.split("、")), \
                (path.name, document.organisation)
        else:  # nothing states who issued it: no guess
            assert document.organisation is None, path.name
        assert document.law_key and "中华人民共和国" not in document.law_key


def test_the_version_date_is_the_file_names(processed):
    for path, documents, _ in processed:
        named = re.search(r"\((\d{4}-\d{2}-\d{2})\)", path.name)
        if named:
            assert documents[0].date == named.group(1), path.name


def test_titles_and_chunks_hold_no_markup(processed):
    for path, documents, chunks in processed:
        assert not documents[0].title.startswith("#"), path.name
        for chunk in chunks:
            assert "INFO END" not in chunk.text and "<!--" not in chunk.text and not chunk.text.startswith("#")


def test_every_chunk_has_its_article_in_the_path(processed):
    for path, _, chunks in processed:
        for chunk in chunks:
            assert chunk.article and chunk.section_path[-1] == chunk.article, (path.name, chunk.section_path)
            assert chunk.text.startswith(chunk.article), (path.name, chunk.id)


def test_paths_are_never_deeper_than_the_regulation_levels_and_one(processed):
    for path, _, chunks in processed:
        for chunk in chunks:
            assert len(chunk.section_path) <= MAX_DEPTH, (path.name, chunk.section_path)
            assert not any(re.match(r"^[(（][一二三四五六七八九十]+[)）]", part) for part in chunk.section_path)


def test_no_article_that_fits_is_cut(processed):
    """An article (from its 第X条 line in the file to the next article or heading) lies whole in
    one chunk whenever its length is at most the chunk limit."""
    articles_of, squash = _articles_of()
    for path, _, chunks in processed:
        texts = [squash(c.text) for c in chunks]
        for article, length in articles_of(path):
            if length <= LIMIT:
                assert any(article in text for text in texts), (path.name, article[:30])


def test_a_long_article_is_cut_between_items_each_piece_opening_with_the_article(processed):
    long_articles = 0
    for path, _, chunks in processed:
        by_article: dict[tuple, list] = {}
        for chunk in chunks:
            by_article.setdefault((chunk.doc_id, chunk.article, chunk.section), []).append(chunk)
        for pieces in by_article.values():
            if len(pieces) > 1:
                long_articles += 1
                opening = pieces[0].text.split("\n")[0]
                assert all(p.text.split("\n")[0] == pieces[1].text.split("\n")[0] for p in pieces[1:])
                assert pieces[1].text.startswith(pieces[0].article + " ")
                assert opening.startswith(pieces[0].article)
    assert long_articles >= 1
