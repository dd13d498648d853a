import pytest
from realworld import HTML_FURNITURE, HTML_NAVIGATION, HTML_PAGE

from assistant.errors import LoadError
from assistant.ingest.html_loader import page_title
from assistant.ingest.loaders import load_file
from assistant.ingest.pipeline import load_documents


def test_article_text_only(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(HTML_PAGE, encoding="utf-8")
    loaded = load_file(path)
    texts = [l.text for l in loaded.lines]
    assert loaded.format == "html" and texts[0] == "曹集学校均衡发展工作总结"
    assert "曹集学校现有教学班9个,在校学生365人,专任教师29人,师生比1:12.6。" in texts
    page_text = "\n".join(texts)
    for furniture in [*HTML_NAVIGATION, *HTML_FURNITURE, "统计代码", "广告", "color", "相关文章", "当前位置"]:
        assert furniture not in page_text
    assert [l.start for l in loaded.lines] == list(range(1, len(texts) + 1))


def test_site_boilerplate_left_in_the_article_is_cleaned(tmp_path):
    path = tmp_path / "page.htm"
    path.write_text(HTML_PAGE, encoding="utf-8")
    documents, fmt = load_documents(path, "page.htm")
    assert fmt == "html" and [d.title for d in documents] == ["曹集学校均衡发展工作总结"]
    assert "我要投稿" not in documents[0].text


def test_gbk_page_lists_and_tables(tmp_path):
    page = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>迎检方案</title></head>
<body><div id="nav"><a href="/">首页</a> <a href="/a">范文大全</a></div><div id="content">
<h1>琚湾二中迎检工作方案</h1><h2>一、组织机构</h2><ul><li>组长:王一</li><li>副组长:李二</li></ul>
<h2>二、材料清单</h2><table><tr><td>序号</td><td>材料名称</td></tr><tr><td>1</td><td>教职工工资花名册</td></tr></table>
<p>各组要在三月底前把材料装订成册,交学校档案室统一保管。</p></div>
<div id="foot">Copyright 2015 范文大全 版权所有</div></body></html>"""
    path = tmp_path / "plan.html"
    path.write_bytes(page.encode("gbk"))
    loaded = load_file(path)
    assert loaded.encoding == "gb18030"
    assert [l.text for l in loaded.lines] == ["琚湾二中迎检工作方案", "一、组织机构", "组长:王一", "副组长:李二", "二、材料清单",
                                              "序号 | 材料名称", "1 | 教职工工资花名册",
                                              "各组要在三月底前把材料装订成册,交学校档案室统一保管。"]


def test_declared_charset_is_used_when_utf8_and_gb18030_do_not_fit(tmp_path):
    text = "學校均衡發展工作總結,學生三百二十人,教職工二十八人,生均圖書三十冊。" * 3
    path = tmp_path / "big5.html"
    path.write_bytes(f'<html><head><meta charset="big5"></head><body><p>{text}</p></body></html>'.encode("big5"))
    loaded = load_file(path)
    assert loaded.encoding == "big5" and loaded.lines[0].text == text


def test_page_of_links_only_is_named(tmp_path):
    path = tmp_path / "links.html"
    path.write_text('<html><body><ul><li><a href="/1">首页</a></li><li><a href="/2">工作总结</a></li></ul></body></html>',
                    encoding="utf-8")
    with pytest.raises(LoadError, match=r"^links\.html: no article text found"):
        load_file(path)


@pytest.mark.parametrize("title, article", [("曹集学校工作总结_工作总结_范文网", "曹集学校工作总结"),
                                            ("曹集学校工作总结 | 范文大全", "曹集学校工作总结"),
                                            ("2023-2024学年工作计划", "2023-2024学年工作计划"),
                                            ("总结_范文网", "总结_范文网"), (None, None)])
def test_page_title_without_site_name(title, article):
    assert page_title(title) == article


def test_title_from_the_head_opens_the_text_when_the_page_has_no_heading(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<html><head><title>曹集学校工作总结_范文网</title></head><body><div><p>一、基本情况</p>"
                    "<p>学校有学生三百二十人,教职工二十八人,生均图书三十册,运动场面积达标。</p></div></body></html>",
                    encoding="utf-8")
    assert [l.text for l in load_file(path).lines][:2] == ["曹集学校工作总结", "一、基本情况"]
