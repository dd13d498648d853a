"""Builders of real-world corpus files for the tests: a Word file with headings, a list and a
table, a two-page Chinese PDF with running header and footer, a GBK text file, an HTML page with
navigation, and the broken files users' folders hold. Everything is written into a folder the
test gives (tmp_path); nothing is shipped."""

from __future__ import annotations

from pathlib import Path

# --- Word ---------------------------------------------------------------------------------

DOCX_TITLE = "德胜小学义务教育均衡发展自查报告"


def make_docx(path: Path) -> Path:
    """Word headings without numbering ("学校基本情况" in Heading 1), a Heading 2, 公文 numbering
    typed in plain paragraphs, an auto-numbered list (Word's "List Number") and a table."""
    import docx

    document = docx.Document()
    document.add_paragraph(DOCX_TITLE, style="Title")
    document.add_paragraph("学校基本情况", style="Heading 1")
    document.add_paragraph("我校位于新庄乡,现有教学班12个,学生486人,教职工38人。")
    document.add_paragraph("")
    document.add_paragraph("办学条件", style="Heading 2")
    document.add_paragraph("一、校舍建设")
    document.add_paragraph("新建教学楼一栋,生均校舍面积达到6.2平方米。")
    document.add_paragraph("二、装备配置")
    document.add_paragraph("学生计算机每百人12台,生均图书35册。")
    document.add_paragraph("存在的问题", style="Heading 1")
    document.add_paragraph("音乐专职教师缺编2人", style="List Number")
    document.add_paragraph("运动场地面积不足", style="List Number")
    table = document.add_table(rows=3, cols=3)
    for row, cells in zip(table.rows, [("指标", "标准", "我校"), ("生均公用经费", "700元", "720元"),
                                      ("师生比", "1:19", "1:12.8")]):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    document.add_paragraph("德胜小学 2014年5月")
    document.save(str(path))
    return path


# --- PDF ----------------------------------------------------------------------------------

PDF_HEADER = "新庄乡中心学校文件"
PDF_WIDTH = 26  # characters on a full line of the fixture's layout


def wrap(*blocks: str) -> list[str]:
    """Lay blocks out as a PDF does: headings on their own line, paragraphs cut every PDF_WIDTH
    characters (mid-word and mid-sentence, as layout does)."""
    lines = []
    for block in blocks:
        lines.extend(block[i:i + PDF_WIDTH] for i in range(0, len(block), PDF_WIDTH))
    return lines


#: Each page's lines: a title broken over two lines, paragraphs wrapped by the layout; the
#: header and a "第 n 页 共 2 页" footer are added on every page by make_pdf.
PDF_PAGES = [
    ["新庄乡义务教育均衡发展督导评估迎检工作实施", "方案", *wrap(
        "一、指导思想",
        "为迎接县政府义务教育均衡发展督导评估,全面提升我乡各校办学水平,按照县教育局的统一部署,"
        "结合我乡实际,特制定本方案。各校要把迎检工作作为当前的中心工作,统一思想,提高认识,"
        "确保各项指标全部达到省定标准。",
        "二、组织机构",
        "成立迎检工作领导小组,乡中心学校校长任组长,分管副校长任副组长,各校校长为成员。"
        "领导小组下设办公室,负责日常工作的组织协调、材料收集和督促检查,每周召开一次工作例会,"
        "通报进展情况,研究解决存在的困难和问题。",
        "领导小组按指标分设四个工作组:入学机会组、保障机制组、教师队伍组、质量与管理组,"
        "各组组长由中心学校班子成员担任,对照指标体系分解任务,责任到人,限时完成。")],
    wrap(
        "三、工作要求",
        "各校要对照评估标准逐项自查,留守儿童花名册和结对帮扶记录要在四月底前整理归档,做到账实相符。"
        "图书室、实验室、微机室的装备台账要与实物一一对应,教师培训档案要按年度装订成册,"
        "校园文化建设要突出办学特色,做到环境整洁、标识规范。",
        "四、时间安排",
        "2015年3月开始集中整改,4月底前完成自查自评并形成自查报告,5月迎接县级复查,"
        "6月迎接省政府督导评估组的实地检查。"),
]


def _cjk_canvas(path: Path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))  # a built-in CID font: no font file
    return canvas.Canvas(str(path), pagesize=A4)


def make_pdf(path: Path, pages: list[list[str]] = PDF_PAGES, encrypt: str | None = None) -> Path:
    c = _cjk_canvas(path)
    for number, lines in enumerate(pages, start=1):
        c.setFont("STSong-Light", 10)
        c.drawString(72, 800, PDF_HEADER)
        c.setFont("STSong-Light", 14)
        y = 760
        for line in lines:
            c.drawString(72, y, line)
            y -= 24
        c.setFont("STSong-Light", 10)
        c.drawString(270, 40, f"第 {number} 页 共 {len(pages)} 页")
        c.showPage()
    c.save()
    if encrypt:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(path))
        writer.encrypt(encrypt)
        with open(path, "wb") as handle:
            writer.write(handle)
    return path


def make_scanned_pdf(path: Path) -> Path:
    """Pages that hold only drawings (what a scan looks like to a text extractor)."""
    c = _cjk_canvas(path)
    for _ in range(2):
        c.rect(100, 400, 300, 200, fill=1)
        c.showPage()
    c.save()
    return path


# --- HTML and text ------------------------------------------------------------------------

HTML_NAVIGATION = ["网站首页", "工作总结频道", "心得体会频道", "述职报告频道"]
HTML_FURNITURE = ["分享到微信朋友圈", "学校安全工作计划范文", "班主任工作总结精选", "京ICP备12345678号"]
HTML_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>曹集学校均衡发展工作总结_范文网</title>
<style>.nav {{ color: red; }}</style><script>var tracker = "统计代码";</script></head>
<body>
<div class="header"><ul class="nav">{nav}</ul></div>
<div class="breadcrumb">当前位置:<a href="/">首页</a> &gt; 正文</div>
<div class="article">
<h1>曹集学校均衡发展工作总结</h1>
<div class="info">时间:2023-07-26 10:55:14 工作总结 我要投稿</div>
<div class="content">
<p>一、基本情况</p>
<p>曹集学校现有教学班9个,在校学生365人,专任教师29人,师生比1:12.6。</p>
<p>二、主要做法</p>
<p>学校多方筹措资金,新建塑胶跑道一条,更新课桌椅200套,图书室藏书达到12000册。</p>
<p>三、存在的问题</p>
<p>英语和信息技术专业教师不足,部分教师教学方法陈旧。</p>
</div>
<div class="share"><a>{share}</a> <a>QQ空间</a></div>
</div>
<div class="related"><h3>相关文章</h3><ul><li><a href="/1">{related1}</a></li><li><a href="/2">{related2}</a></li></ul></div>
<div class="footer">关于我们 | 联系我们 | {footer}</div>
<script>document.write("广告");</script>
</body></html>
""".format(nav="".join(f'<li><a href="/{i}">{t}</a></li>' for i, t in enumerate(HTML_NAVIGATION)),
           share=HTML_FURNITURE[0], related1=HTML_FURNITURE[1], related2=HTML_FURNITURE[2], footer=HTML_FURNITURE[3])

GBK_TEXT = """琚湾镇留守儿童关爱工作总结
一、基本情况
全镇共有留守儿童312人,全部建立了成长档案。
二、主要措施
学校为每名留守儿童安排一名结对教师,每月家访一次。
"""

#: file name → the words the build's one-line warning must contain
BROKEN_FILES = {
    "damaged.pdf": "damaged PDF",
    "locked.pdf": "encrypted PDF",
    "scan.pdf": "no text layer",
    "empty.txt": "empty file",
    "photo.txt": "binary data",
    "report.docx": "not a Word .docx file",
    "table.xyz": "unsupported file type",
}


def make_broken_files(folder: Path) -> None:
    (folder / "damaged.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage, cut off in the middle")
    make_pdf(folder / "locked.pdf", encrypt="secret")
    make_scanned_pdf(folder / "scan.pdf")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 4)
    (folder / "report.docx").write_text("这不是Word文件,只是改了扩展名。", encoding="utf-8")
    (folder / "table.xyz").write_bytes(b"a,b,c\n1,2,3\n")


def make_realworld_corpus(folder: Path) -> Path:
    """The done-when folder of issue 4: one good file of each format and the broken files."""
    folder.mkdir(parents=True, exist_ok=True)
    make_docx(folder / "self-inspection.docx")
    make_pdf(folder / "inspection-plan.pdf")
    (folder / "left-behind-children.txt").write_bytes(GBK_TEXT.encode("gbk"))
    (folder / "caoji-summary.html").write_text(HTML_PAGE, encoding="utf-8")
    make_broken_files(folder)
    return folder
