"""A tiny corpus of the kinds the drafting aid draws examples from, indexed with the fake embedder."""

from pathlib import Path

import pytest

from assistant.config import load_settings
from assistant.drafting import ExampleFinder
from assistant.building import build_index
from assistant.retrieval.search import Searcher

SUMMARY = """河西小学义务教育均衡发展工作总结
一年来,学校在县教育局的领导下推进义务教育均衡发展,现将工作总结如下:
一、基本情况
学校现有教学班12个,学生480人,教职工36人,占地面积15000平方米。
二、主要做法及成效
(一)改善办学条件
投入资金120万元改造校舍,新建运动场,配齐理化生实验室和图书室,生均图书32册。
(二)加强教师队伍建设
开展校本培训,全年培训教师180人次,骨干教师12人到薄弱学校支教交流。
(三)保障入学机会
留守儿童56人全部建档,结对帮扶;残疾儿童随班就读,入学率100%。
三、存在的问题
运动场面积不足,达不到生均10平方米的标准;音体美教师缺编,学科结构不配套。
四、下一步打算
争取上级支持扩建运动场,补充音体美教师,进一步完善留守儿童关爱机制。
河西小学
2020年7月1日
"""

RECTIFICATION = """东山学校义务教育均衡发展整改方案
2019年5月,县督导评估组对我校进行了评估验收,根据提出的问题,特制定整改方案如下。
一、存在问题
1、学科专用教室不足。
2、图书不足,生均图书不达标。
3、计算机数量不足。
二、整改措施
1、督促综合楼建设进度,配齐学科专用教室。
2、与教育局协调,年底前补充图书3000册和计算机40台。
三、时间安排
2019年6月至9月集中整改,10月申请复核。
东山学校
2019年5月20日
"""

INSPECTION = """北岭中学迎接义务教育均衡发展督导评估工作方案
一、指导思想
为做好迎检工作,确保顺利通过验收,结合我校实际,特制定本方案。
二、工作措施
(一)成立领导小组
组长:王校长 副组长:李主任 成员:各处室主任
(二)工作分组
1.A1入学机会组 组长:赵一
责任指标:C1-C5 工作任务和职责: 1.留守儿童花名册; 2.残疾儿童入学统计表;
2.A3教师队伍组 组长:钱二
责任指标:C16-C24 工作任务和职责: 1.教师学历统计表; 2.教师培训记录;
三、时间安排
2021年3月集中整改,4月迎接省级验收。
"""


@pytest.fixture
def drafting_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "summary.txt").write_text(SUMMARY, encoding="utf-8")
    (corpus / "rectification.txt").write_text(RECTIFICATION, encoding="utf-8")
    (corpus / "inspection.txt").write_text(INSPECTION, encoding="utf-8")
    return corpus


@pytest.fixture
def drafting_settings(tmp_path: Path, drafting_corpus: Path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ASSISTANT_CORPUS", str(drafting_corpus))
    monkeypatch.delenv("ASSISTANT_EMBEDDING_MODEL", raising=False)
    return load_settings()


@pytest.fixture
def finder(drafting_settings, fake_embedder) -> ExampleFinder:
    data, _ = build_index(drafting_settings.with_(chunk_chars=160), warn=lambda m: None, embedder=fake_embedder)
    return ExampleFinder(Searcher(data, fake_embedder))
