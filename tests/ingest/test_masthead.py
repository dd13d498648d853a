"""The head and foot of official documents: a title wrapped over lines joined, the document number
as metadata (not the title), the signing date in any written form as ISO, the issuing body, the kind
from the genre word, and the attachment list and signature recognised as such (each its own
section, never headings). Each case failed before ingest/masthead.py."""

import io
import json

import pytest
from docx import Document as WordDocument
from realworld import make_pdf

from assistant.documents import Line
from assistant.ingest.masthead import iso_date, kind_of, read_foot, read_head
from assistant.ingest.pipeline import load_corpus, load_documents
from assistant.ingest.splitting import split_documents
from assistant.structure import build_tree, sections_of

LETTER = ["南湖区龙口中学文件", "龙中发〔 2024 〕 11 号",
          "南湖区龙口中学关于区级督导检查反馈问题的", "整改方案",
          "2024 年 6 月 12 日，区人民政府教育督导室对我校进行了专项督导检查，指出了以下问题。",
          "一、存在的问题", "学校生均图书不足，部分图书陈旧，更新不及时。",
          "二、整改措施", "8 月 31 日前补充图书 3000 册，由副校长李明负责。",
          "附件：1. 整改任务分解表", "2. 整改进度月报表",
          "南湖区龙口中学", "二〇二四年七月五日"]


def lines(texts):
    return [Line(t, n, n) for n, t in enumerate(texts, start=1)]


@pytest.mark.parametrize("text, iso", [
    ("2012年1月20日", "2012-01-20"), ("二○一二年一月二十日", "2012-01-20"), ("二〇二三年十二月二十日", "2023-12-20"),
    ("2012-01-20", "2012-01-20"), ("2012年2月", "2012-02"), ("2024 年 7 月 5 日", "2024-07-05"), ("2012年13月1日", None),
])
def test_dates_in_any_written_form(text, iso):
    assert iso_date(text) == iso


def test_a_letter_wrapped_title_number_signature_and_attachments():
    head = read_head(LETTER)
    assert head.title == "南湖区龙口中学关于区级督导检查反馈问题的整改方案" and head.lines == 2
    assert head.number == "龙中发〔2024〕11号" and head.issuers == ["南湖区龙口中学"]
    foot = read_foot(LETTER)
    assert foot.date == "2024-07-05" and foot.organisations == ["南湖区龙口中学"]
    document = split_documents(lines(LETTER), "整改方案.txt", "x")[0]
    assert (document.title, document.kind, document.date, document.organisation, document.number) == (
        "南湖区龙口中学关于区级督导检查反馈问题的整改方案", "rectification", "2024-07-05", "南湖区龙口中学", "龙中发〔2024〕11号")
    sections = sections_of(document, build_tree(document))
    paths = [" › ".join(s.path) for s in sections]
    assert "附件" in paths and "落款" in paths and not any(p.startswith("附件 › ") for p in paths)
    signature = next(s for s in sections if s.path == ["落款"])
    assert signature.start_line == 12 and signature.end_line == 13


def test_a_pdf_letter_read_end_to_end(tmp_path):
    """A 公文 PDF: the title broken over two lines is joined, spaces the layout put in figures and
    dates are gone, the number is metadata."""
    path = make_pdf(tmp_path / "整改方案.pdf", [LETTER])
    documents, _ = load_documents(path, "整改方案.pdf")
    document = documents[0]
    assert document.title == "南湖区龙口中学关于区级督导检查反馈问题的整改方案"
    assert document.number == "龙中发〔2024〕11号" and document.date == "2024-07-05"
    assert document.kind == "rectification" and document.organisation == "南湖区龙口中学"
    text = document.text
    assert "8月31日前补充图书3000册" in text and "2024年6月12日" in text


def word_file(*paragraphs: str) -> bytes:
    document = WordDocument()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_word_notice_issuer_above_its_title(tmp_path):
    path = tmp_path / "通知.docx"
    path.write_bytes(word_file(
        "东岭区教育体育局", "关于做好2024年义务教育优质均衡发展监测数据", "填报工作的通知", "东教体〔2024〕23号",
        "各义务教育学校：", "为准确掌握我区义务教育学校资源配置状况，现将有关事项通知如下。",
        "一、填报时间", "各校须于3月22日前完成系统填报。", "东岭区教育体育局", "2024-03-08"))
    document = load_documents(path, "通知.docx")[0][0]
    assert document.title == "东岭区教育体育局关于做好2024年义务教育优质均衡发展监测数据填报工作的通知"
    assert (document.kind, document.date, document.number, document.organisation) == (
        "notice", "2024-03-08", "东教体〔2024〕23号", "东岭区教育体育局")
    assert document.lines[-1].text == "2024-03-08"  # a signature's date is kept, not dropped as a web page's


@pytest.mark.parametrize("title, kind", [
    ("南湖区人民政府关于义务教育优质均衡发展情况的自评报告", "self-inspection"),
    ("江屿市人民政府教育督导室关于清溪县义务教育基本均衡发展巩固情况督导检查的反馈意见", "opinion"),
    ("白沙县人民政府办公室关于印发白沙县义务教育优质均衡发展督导评估反馈问题整改方案的通知", "rectification"),
    ("清溪县教育局关于做好义务教育基本均衡发展巩固情况市级督导检查迎检工作的通知", "inspection-prep"),
    ("云岭县教育局关于2023年义务教育学校基本情况的统计报告", "report"),
    ("学校均衡发展工作总结3", "summary"),
    ("实现县域义务教育均衡发展规划目标", "other"),
])
def test_kinds_from_the_genre_word(title, kind):
    assert kind_of(title) == kind


def test_a_news_page_is_news_with_its_source():
    texts = ["镇雄义务教育发展基本均衡工作通过省级评估复核", "2019-07-08 10:33  来源:昭通新闻网",
             "7月5日,省教育督导评估组向镇雄县作出反馈,镇雄县义务教育发展基本均衡工作通过省级评估复核。"]
    document = split_documents(lines(texts), "news.txt", "n")[0]
    assert (document.kind, document.date, document.organisation) == ("news", "2019-07-08", "昭通新闻网")


def test_parts_of_a_compilation_never_take_the_files_date(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "总结.txt").write_text(
        "学校工作总结1\n一、基本情况\n本校有学生320人,教职工28人,各项工作有序开展。\n青山小学\n2015年7月1日\n"
        "学校工作总结2\n一、基本情况\n本校有学生410人,教职工35人,各项工作有序开展。\n", encoding="utf-8")
    (corpus / "manifest.json").write_text(json.dumps(
        {"documents": [{"file": "总结.txt", "date": "2023-07-26"}]}), encoding="utf-8")
    documents = load_corpus(corpus).documents
    assert [d.date for d in documents] == ["2015-07-01", None]


def test_a_government_web_page_with_its_table_of_facts_is_news():
    texts = ["我市顺利通过国务院教育督导委员会复查", "索引号 | 20200928-173242-364 | 公开目录 | 工作概况",
             "发布机构 | 临沂市教育局 | 发布日期 | 2017-11-20",
             "11月14日至17日,国家教育督导检查组对我市两个县区进行了督导检查。"]
    document = split_documents(lines(texts), "page.html", "p")[0]
    assert (document.kind, document.date, document.organisation) == ("news", "2017-11-20", "临沂市教育局")


def test_a_reporters_credit_names_the_paper():
    texts = ["实现县域义务教育均衡发展规划目标", "10月19日,四川省县域义务教育均衡发展国家督导检查反馈意见会在成都召开。",
             "副省长杨兴平出席反馈意见会并讲话。（四川日报记者江芸涵）"]
    document = split_documents(lines(texts), "news.pdf", "n")[0]
    assert (document.kind, document.organisation) == ("news", "四川日报")


def test_a_form_is_dated_by_its_filling_date_under_a_bracketed_subtitle():
    texts = ["云溪县白沙乡中心学校基本情况统计表", "（2023—2024学年初）",
             "填报单位（盖章）：云溪县白沙乡中心学校        统计时点：2023年9月30日        填报日期：2023-10-12",
             "学校名称：云溪县白沙乡中心学校 | 办学类型：九年一贯制学校"]
    head = read_head(texts)
    assert head.title == "云溪县白沙乡中心学校基本情况统计表" and head.date == "2023-10-12"
