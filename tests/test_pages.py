"""The document page: lines with their source numbers, the cited span marked and anchored, and
document text always escaped."""

from assistant.documents import Line
from assistant.server.pages import document_html, document_json, marked

META = {"id": "doc-01", "title": "<b>方案</b>", "kind": "plan", "source": "a.txt", "organisation": "河西小学",
        "date": "2020-07-01", "chunks": 2}
LINES = [Line("标题", 1, 1), Line("<script>alert(1)</script> & 一、指导思想", 2, 2), Line("合并的行", 3, 4, page=2),
         Line("三、时间安排", 5, 5)]


def test_marked_overlaps_the_span():
    assert [marked(line, 3, 3) for line in LINES] == [False, False, True, False]
    assert [marked(line, 2, None) for line in LINES] == [False, True, False, False]
    assert not any(marked(line, None, None) for line in LINES)


def test_html_escapes_text_and_marks_the_span():
    page = document_html(META, LINES, 2, 3)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 一、指导思想" in page
    assert "<title>&lt;b&gt;方案&lt;/b&gt;</title>" in page and "<b>" not in page
    assert page.count('class="line cited"') == 2 and page.count('id="cited"') == 1
    assert '<li id="L2" class="line cited"><span id="cited" class="anchor"></span>' in page
    assert '<span class="ln">3–4</span><span class="pg">p.2</span>' in page
    assert "工作方案 · a.txt · 河西小学 · 2020-07-01 · 第1–5行" in page and "源文件第2–3行" in page


def test_html_says_when_the_span_is_not_in_the_document():
    page = document_html(META, LINES, 90, 95)
    assert 'class="line cited"' not in page and "源文件第90行不在这篇文档中" in page


def test_json_lines():
    data = document_json(META, LINES, 5, 5)
    assert data["id"] == "doc-01" and data["organisation"] == "河西小学"
    assert [l["marked"] for l in data["lines"]] == [False, False, False, True]
    assert data["lines"][2] == {"start": 3, "end": 4, "page": 2, "text": "合并的行", "marked": False}
