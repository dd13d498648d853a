import pytest
from realworld import PDF_HEADER, make_pdf, make_scanned_pdf

from assistant.errors import LoadError
from assistant.ingest.loaders import load_file
from assistant.ingest.pipeline import load_documents


def test_text_per_page_with_line_numbers_through_the_file(tmp_path):
    loaded = load_file(make_pdf(tmp_path / "plan.pdf"))
    assert loaded.format == "pdf" and loaded.notes == []
    first, last = loaded.lines[0], loaded.lines[-1]
    assert (first.text, first.start, first.page) == (PDF_HEADER, 1, 1)
    assert last.text == "第2页 共2页" and last.page == 2 and last.start > first.start
    assert [l.start for l in loaded.lines] == sorted(l.start for l in loaded.lines)
    assert {l.page for l in loaded.lines if "留守儿童花名册" in l.text} == {2}


def test_pdf_damage_is_repaired(tmp_path):
    documents, _ = load_documents(make_pdf(tmp_path / "plan.pdf"), "plan.pdf")
    texts = [l.text for d in documents for l in d.lines]
    assert texts[0] == "新庄乡义务教育均衡发展督导评估迎检工作实施方案"  # title broken over two lines, joined
    assert documents[0].kind == "inspection-prep"
    assert not any(PDF_HEADER in t or "页 共" in t for t in texts)  # running header and footer gone
    paragraph = next(l for d in documents for l in d.lines if "留守儿童花名册" in l.text)
    assert "结对帮扶记录要在四月底前整理归档,做到账实相符。图书室" in paragraph.text  # wrapped lines joined
    assert paragraph.page == 2 and paragraph.end > paragraph.start


def test_encrypted_pdf_gets_its_own_message(tmp_path):
    path = make_pdf(tmp_path / "locked.pdf", encrypt="secret")
    with pytest.raises(LoadError, match=r"^locked\.pdf: encrypted PDF \(password-protected\); save a copy"):
        load_file(path)


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_pdf_with_only_an_owner_password_is_read(tmp_path, algorithm):
    from pypdf import PdfReader, PdfWriter

    path = make_pdf(tmp_path / "regulation.pdf")
    writer = PdfWriter(clone_from=PdfReader(path))
    # opens without a password, copying restricted: common for official PDFs (AES needs `cryptography`)
    writer.encrypt(user_password="", owner_password="owner", algorithm=algorithm)
    with open(path, "wb") as handle:
        writer.write(handle)
    assert any("留守儿童花名册" in l.text for l in load_file(path).lines)


def test_scanned_pdf_is_no_text_layer_not_an_empty_document(tmp_path):
    with pytest.raises(LoadError, match=r"^scan\.pdf: no text layer"):
        load_file(make_scanned_pdf(tmp_path / "scan.pdf"))


def test_pages_without_text_are_named_in_a_note(tmp_path):
    from pypdf import PdfReader, PdfWriter

    text, scan = make_pdf(tmp_path / "text.pdf"), make_scanned_pdf(tmp_path / "scan.pdf")
    writer = PdfWriter()
    for page in [*PdfReader(text).pages, *PdfReader(scan).pages]:
        writer.add_page(page)
    with open(tmp_path / "mixed.pdf", "wb") as handle:
        writer.write(handle)
    loaded = load_file(tmp_path / "mixed.pdf")
    assert loaded.notes == ["page 3-4 of 4 has no text layer (scanned?); not indexed"]


@pytest.mark.parametrize("data, reason", [
    (b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage", "damaged PDF"),
    (b"<html>not a pdf</html>", "not a PDF file (no %PDF header)"),
])
def test_broken_pdfs_are_named_in_one_line(tmp_path, data, reason, caplog):
    path = tmp_path / "broken.pdf"
    path.write_bytes(data)
    with pytest.raises(LoadError) as error:
        load_file(path)
    assert str(error.value).startswith(f"broken.pdf: {reason}") and "\n" not in str(error.value)
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]


def test_an_article_over_the_page_break_cites_both_pages(tmp_path):
    from realworld import wrap

    from assistant.chunking import chunk_document

    article2 = ("第二条 学校应当建立健全安全管理制度，落实安全责任，定期开展安全检查和应急演练，"
                "及时消除安全隐患，保障学生在校期间的人身安全和身心健康，并将检查情况向教育行政部门报告。")
    wrapped = wrap(article2)
    pages = [["示范学校安全管理条例", "第一章 总则", *wrap("第一条 为了加强学校安全管理，制定本条例。"), *wrapped[:2]],
             [*wrapped[2:], *wrap("第三条 本条例自公布之日起施行。")]]
    documents, _ = load_documents(make_pdf(tmp_path / "regulation.pdf", pages), "regulation.pdf")
    _, chunks = chunk_document(documents[0])
    by_article = {c.article: c for c in chunks}
    assert article2 in by_article["第二条"].text.replace("\n", "")
    assert (by_article["第二条"].page, by_article["第二条"].page_end) == (1, 2)
    assert (by_article["第一条"].page, by_article["第一条"].page_end) == (1, None)
    assert (by_article["第三条"].page, by_article["第三条"].page_end) == (2, None)
