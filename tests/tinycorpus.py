"""Texts of the tiny corpus the tests build (a plan with A1–A3 groups, a summary)."""

from pathlib import Path

TINY_PLAN = """迎检工作方案
一、指导思想
为做好义务教育均衡发展迎检工作,特制定本方案。
二、工作措施
(一)成立领导小组
1.宣传报道组 组长:王一
工作任务和职责:制作迎检专题片;审定宣传手册。
2.A2保障机制组 组长:李二
责任指标:C7-C9 工作任务和职责: 1.学校财务管理制度; 2.2011-2014教职工工资花名册; 3.生均公用经费统计表;
3.A3教师队伍组 组长:赵三
工作任务和职责: 1.绩效工资实施方案; 2.教师交流统计表;
(二)建立责任制
实行校长负责制。
三、时间安排
2015年3月开始集中整改。
"""

TINY_SUMMARY = """乡村学校工作总结
一、基本情况
本校有学生320人,教职工28人,生均图书30册。
二、存在的问题
运动场面积不足,达不到生均10平方米的标准。
三、下一步打算
争取资金改造操场。
"""


def write_tiny(folder: Path, summary_encoding: str = "gb18030") -> Path:
    """The tiny corpus in `folder` (made): plan.txt in UTF-8, summary.txt in `summary_encoding`."""
    folder.mkdir(parents=True)
    (folder / "plan.txt").write_text(TINY_PLAN, encoding="utf-8")
    (folder / "summary.txt").write_text(TINY_SUMMARY, encoding=summary_encoding)
    return folder
