"""Metadata of laws and regulations (regulations.py) and document kinds, on the regulation-shaped
texts of tests/lawtexts.py (fixtures `laws` and `law` in conftest.py)."""

import pytest

from assistant.chunking import chunk_document
from assistant.ingest.pipeline import load_documents
from assistant.ingest.splitting import kind_of
from assistant.regulations import body_of, law_key, parse_header, regulation_kind


def test_title_header_and_comments_are_not_body(law):
    assert law.title == "中华人民共和国示范教育法"
    body = law.text
    assert "INFO END" not in body and "编者注" not in body and "1990年1月1日" not in body
    assert body.count("中华人民共和国示范教育法") == 1, "the title repeated below the header is dropped"
    assert law.header[0] == "1990年1月1日 第七届全国人民代表大会常务委员会第十次会议通过" and len(law.header) == 3


def test_metadata_of_a_law(law):
    assert law.kind == "law"
    assert law.organisation == "全国人民代表大会常务委员会"
    assert law.date == "2020-05-01"  # the version's date, from the file name
    assert law.dates["adopted"] == "1990-01-01" and law.dates["revised"] == ["2010-06-01"]
    assert law.dates["amended"] == ["2020-05-01"] and law.dates["effective"] == "2021-01-01"
    assert law.law_key == "示范教育法"
    assert [e["action"] for e in law.history] == ["adopted", "revised", "amended"]
    meta = law.meta()
    assert meta["dates"] == law.dates and meta["law_key"] == "示范教育法" and meta["date"] == "2020-05-01"


def test_two_versions_share_the_law_key(laws):
    old, _ = load_documents(laws / "示范教育法(2020-05-01).md", "示范教育法(2020-05-01).md")
    new, _ = load_documents(laws / "示范教育法(2024-03-01).md", "示范教育法(2024-03-01).md")
    assert old[0].law_key == new[0].law_key == "示范教育法"
    assert (old[0].date, new[0].date) == ("2020-05-01", "2024-03-01")
    assert new[0].dates["revised"] == ["2010-06-01", "2024-03-01"]


def test_plain_text_regulation_with_its_header_in_parentheses(laws):
    documents, _ = load_documents(laws / "示范学校安全管理条例.txt", "示范学校安全管理条例.txt")
    regulation = documents[0]
    assert regulation.kind == "regulation" and regulation.organisation == "国务院"
    assert regulation.dates["adopted"] == "2012-03-28" and regulation.dates["promulgated"] == "2012-04-05"
    assert regulation.dates["effective"] == "2012-04-05"  # 自公布之日起施行
    assert regulation.date == "2012-04-05"  # no date in the file name: the last promulgation
    assert "国务院令" not in regulation.text and regulation.header


@pytest.mark.parametrize("title, kind", [
    ("中华人民共和国义务教育法", "law"),
    ("郑州市城市中小学校幼儿园规划建设管理条例", "regulation"),
    ("上海市实施《中华人民共和国义务教育法》办法", "regulation"),
    ("征收教育费附加的暂行规定", "regulation"),
    ("义务教育学校办学基本标准", "standard"),
    ("关于印发《中小学校安全管理办法》的通知", "regulation"),
    ("关于召开迎检工作会议的通知", "inspection-prep"),
    ("关于做好暑期工作的通知", "notice"),
    ("关于推进义务教育均衡发展的意见", "opinion"),
    ("关于柳河县义务教育优质均衡发展市级督导评估的反馈意见", "opinion"),
    ("南湖区人民政府关于义务教育优质均衡发展情况的自评报告", "self-inspection"),
    ("关于开展义务教育优质均衡发展学校自查工作的通知", "notice"),
    ("桐山县2022年度义务教育优质均衡发展监测报告", "report"),
    ("清溪县推进义务教育优质均衡发展实施方案（2023—2026年）", "plan"),
    ("提高课堂教学效率的方法", "other"),
    ("曹集学校义务教育均衡发展工作整改方案", "rectification"),
    ("学校义务教育发展规划", "plan"),
])
def test_kind_from_title(title, kind):
    assert kind_of(title) == kind


def test_a_title_ending_in_fa_is_a_law_only_in_articles():
    assert regulation_kind("某校课堂教学方法") is None
    assert regulation_kind("某省教育督导法", in_articles=True) == "law"


@pytest.mark.parametrize("text, body", [
    ("第六届全国人民代表大会第四次会议通过", "全国人民代表大会"),
    ("上海市第十一届人民代表大会常务委员会第二十九次会议通过", "上海市人民代表大会常务委员会"),
    ("中华人民共和国国务院令第372号公布", "国务院"),
    ("国家教育委员会令第8号、国家体育运动委员会令第11号发布", "国家教育委员会、国家体育运动委员会"),
    ("国务院第215次常务会议通过", "国务院"),
    ("国务院批准", "国务院"),
    ("《国务院关于废止和修改部分行政法规的决定》第一次修订", "国务院"),
    ("施行", None),
])
def test_issuing_body(text, body):
    assert body_of(text) == body


def test_header_events_split_at_each_date():
    events = parse_header(["2009年11月27日 浙江省第十一届人民代表大会常务委员会第十四次会议修订根据"
                           "2021年9月29日浙江省第十三届人民代表大会常务委员会第三十一次会议《关于修改…的决定》第二次修正",
                           "二〇一二年十月一日 施行"])
    assert [(e["date"], e["action"]) for e in events] == [("2009-11-27", "revised"), ("2021-09-29", "amended"),
                                                          ("2012-10-01", "effective")]
    assert events[0]["body"] == "浙江省人民代表大会常务委员会"


def test_law_key_drops_the_state_name_and_version_suffix():
    assert law_key("中华人民共和国未成年人保护法（2020年修订）") == "未成年人保护法"
    assert law_key("上海市实施《中华人民共和国义务教育法》办法") == "上海市实施《义务教育法》办法"


def test_cached_file_entries_keep_the_regulation_metadata(law):
    from assistant.index.cache import FileEntry

    sections, chunks = chunk_document(law)
    law.lines[1].page_end = 2
    entry = FileEntry("示范教育法(2020-05-01).md", "h", "md", [law], sections, chunks, [["t"]] * len(chunks))
    again = FileEntry.from_dict(entry.to_dict())
    document = again.documents[0]
    assert (document.dates, document.law_key, document.header, document.history) == \
        (law.dates, law.law_key, law.header, law.history)
    assert document.lines[1].page_end == 2 and again.chunks == chunks
