"""Regulation-shaped texts for the tests, written here: a law in Markdown as law collections
publish it (title, header block closed by <!-- INFO END -->, chapters with full-width spacing,
sections, articles over several paragraphs, items, an unnumbered chapter title, 附则 and an annex)
and the same kind of law as plain text with its header in parentheses."""

from __future__ import annotations

from pathlib import Path

LAW_MD = """# 中华人民共和国示范教育法

1990年1月1日 第七届全国人民代表大会常务委员会第十次会议通过

2010年6月1日 第十一届全国人民代表大会常务委员会第十五次会议修订

2020年5月1日 第十三届全国人民代表大会常务委员会第十八次会议《关于修改〈中华人民共和国示范教育法〉的决定》修正

<!-- INFO END -->

中华人民共和国示范教育法

## 第一章　总　　则

第一条 为了规范示范教育，保障适龄儿童接受教育的权利，制定本法。<!-- 编者注：此处不是正文 -->

第二条 国家实行示范教育制度。

示范教育不收学费、杂费。

## 第二章 学校

### 第一节 设立

第三条 设立学校应当具备下列条件：

（一）有组织机构和章程；

（二）有合格的教师；

（三）有必需的办学资金。

第四条 学校的设立由县级以上人民政府教育行政部门批准。

第三条规定的条件，由国务院教育行政部门细化。

### 第二节 管理

第五条 学校应当建立健全下列管理制度，并向社会公开：

（一）教学管理制度，包括课程设置、教学计划、教学评价和学籍管理的具体规则；

（二）安全管理制度，包括校舍安全、食品安全、消防安全和校园周边安全的检查与报告办法；

（三）财务管理制度，包括经费预算、收费公示、资产登记和审计监督的具体程序；

（四）教师管理制度，包括教师聘任、考核、培训和奖惩的具体办法。

第六条 学校不得以任何名义向学生收取与入学关联的费用。

学校违反前款规定的，由教育行政部门责令退还所收费用。

保障与监督

第七条 县级以上人民政府应当将示范教育经费纳入财政预算。

## 第三章 附则

第八条 本法自2021年1月1日起施行。

## 附件

一、学校名称规范

（一）学校名称应当与办学层次相符。

（二）学校名称不得含有误导性文字。
"""

#: the same law revised again: another version, another file name
LAW_MD_2024 = LAW_MD.replace("<!-- INFO END -->", "2024年3月1日 第十四届全国人民代表大会常务委员会第八次会议修订\n\n<!-- INFO END -->")

#: a State Council regulation as plain text: its header in parentheses after the title
REGULATION_TXT = """示范学校安全管理条例
（2012年3月28日国务院第197次常务会议通过　2012年4月5日中华人民共和国国务院令第617号公布）
第一章　总则
第一条 为了加强学校安全管理，保障学生人身安全，制定本条例。
第二条 本条例自公布之日起施行。
"""


def write_laws(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "示范教育法(2020-05-01).md").write_text(LAW_MD, encoding="utf-8")
    (folder / "示范教育法(2024-03-01).md").write_text(LAW_MD_2024, encoding="utf-8")
    (folder / "示范学校安全管理条例.txt").write_text(REGULATION_TXT, encoding="utf-8")
    return folder
