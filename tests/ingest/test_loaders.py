import pytest

from assistant.errors import LoadError
from assistant.ingest.loaders import load_file


def test_text_loader_keeps_source_line_numbers(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("标题\n\n  第一段。\n\u3000第二段。\n", encoding="utf-8")
    loaded = load_file(path)
    assert [(l.text, l.start, l.end) for l in loaded.lines] == [("标题", 1, 1), ("第一段。", 3, 3), ("第二段。", 4, 4)]
    assert loaded.format == "txt"


def test_gbk_text_file(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("学校工作总结\n留守儿童入学率100%。".encode("gbk"))
    loaded = load_file(path)
    assert loaded.lines[1].text == "留守儿童入学率100%。"
    assert loaded.encoding == "gb18030"


def test_unknown_extension_names_file(tmp_path):
    path = tmp_path / "notes.xyz"
    path.write_text("hello")
    with pytest.raises(LoadError, match=r"^notes\.xyz: unsupported file type '\.xyz'"):
        load_file(path)
