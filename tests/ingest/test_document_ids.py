"""One document id per file: files that share a stem (整改方案.docx and 整改方案.pdf) or differ by a
space or an underscore (工作 总结.txt, 工作_总结.txt) each stay answerable, cited and deletable on their
own. Before, both got the id of the stem: one file's facts vanished and deleting one took the other."""

import io

from docx import Document as WordDocument

from assistant.config import load_settings
from assistant.server.uploads import remove_file
from assistant.building import build_index
from assistant.ingest.pipeline import doc_prefix
from assistant.service import Assistant


def word_file(*paragraphs: str) -> bytes:
    document = WordDocument()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_ids_are_a_function_of_the_whole_path():
    assert doc_prefix("整改方案.docx") == "整改方案-docx" and doc_prefix("整改方案.pdf") == "整改方案-pdf"
    assert doc_prefix("plan.txt") == "plan-txt"
    spaced, underscored = doc_prefix("工作 总结.txt"), doc_prefix("工作_总结.txt")
    assert spaced != underscored and spaced.startswith("工作-总结-txt-") and underscored.startswith("工作-总结-txt-")
    assert doc_prefix("a/b.txt") != doc_prefix("a-b.txt")
    assert doc_prefix("工作 总结.txt") == spaced  # stable: the same path gives the same id every time


def test_same_stem_files_are_two_documents(tmp_path, fake_embedder, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "整改方案.docx").write_bytes(word_file(
        "青山镇中心小学整改方案", "一、存在的问题", "学校图书馆藏书不足,生均图书只有十八册。",
        "二、整改措施", "年底前补充图书4000册,由副校长王红梅负责。"))
    (corpus / "整改方案.md").write_text(
        "# 河西镇中学整改方案\n\n## 一、存在的问题\n\n运动场面积不足。\n\n## 二、整改措施\n\n"
        "明年六月前新建塑胶跑道一条,投入资金85万元。\n", encoding="utf-8")
    (corpus / "工作 总结.txt").write_text("东山小学工作总结\n一、基本情况\n本校有学生412人,教职工31人。\n", encoding="utf-8")
    (corpus / "工作_总结.txt").write_text("西岭小学工作总结\n一、基本情况\n本校有学生267人,教职工19人。\n", encoding="utf-8")
    settings = load_settings(corpus_dir=corpus, home=tmp_path / "home")
    data, _ = build_index(settings, warn=lambda m: None, embedder=fake_embedder)
    monkeypatch.setattr("assistant.service.load_embedder", lambda name, warn: fake_embedder)
    sources = {meta["source"]: meta["id"] for meta in data.doc_by_id.values()}
    assert set(sources) == {"整改方案.docx", "整改方案.md", "工作 总结.txt", "工作_总结.txt"}
    assert len(set(sources.values())) == 4

    school = Assistant(settings, data, warn=lambda m: None)
    for question, fact, source in (("青山镇中心小学要补充多少册图书?", "4000册", "整改方案.docx"),
                                   ("河西镇中学新建跑道投入多少资金?", "85万元", "整改方案.md"),
                                   ("东山小学有多少学生?", "412人", "工作 总结.txt"),
                                   ("西岭小学有多少学生?", "267人", "工作_总结.txt")):
        answer = school.ask(question)
        assert fact in answer.text, (question, answer.text)
        assert answer.citations()[0]["source"] == source

    remove_file(corpus, data.doc_by_id[sources["整改方案.docx"]]["source"], tmp_path / "trash")
    rebuilt, _ = build_index(settings, warn=lambda m: None, embedder=fake_embedder)
    left = {meta["source"]: meta["id"] for meta in rebuilt.doc_by_id.values()}
    assert set(left) == {"整改方案.md", "工作 总结.txt", "工作_总结.txt"}
    assert all(left[name] == sources[name] for name in left)  # ids stay as they were
