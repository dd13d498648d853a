"""The school's own figures: reading facts files and filling exactly the placeholders they name."""

import json

import pytest

from assistant.drafting.facts import fill, normalise_facts, read_facts
from assistant.errors import DraftError


def test_json_and_yaml_facts(tmp_path):
    as_json = tmp_path / "facts.json"
    as_json.write_text(json.dumps({"学生数": 650, "教职工数": 54, "生均图书": 12.50}, ensure_ascii=False), encoding="utf-8")
    assert read_facts(as_json) == {"学生数": "650", "教职工数": "54", "生均图书": "12.5"}
    as_yaml = tmp_path / "facts.yaml"
    as_yaml.write_text("学生数: 650\n【教职工数】: 54\n师生比: '1:19.9'\n日期: 2024年7月\n", encoding="gb18030")
    assert read_facts(as_yaml) == {"学生数": "650", "教职工数": "54", "师生比": "1:19.9", "日期": "2024年7月"}


def test_fill_replaces_exactly_the_given_placeholders():
    text = "现有学生【学生数】人,教职工【教职工数】人,专任教师【专任教师数】人;学生【学生数】人"
    assert fill(text, {"学生数": "650"}) == "现有学生650人,教职工【教职工数】人,专任教师【专任教师数】人;学生650人"
    assert fill(text, {}) == text


@pytest.mark.parametrize("name,content,message", [
    ("missing.json", None, "does not exist"),
    ("bad.json", '{"学生数": 650,', "is not valid JSON (line 1"),
    ("bad.yaml", "学生数: [650\n", "is not valid YAML (line"),
    ("list.yaml", "- 650\n- 54\n", "expected a mapping of placeholder names to values"),
    ("nested.json", '{"学生数": {"小学": 400}}', "the value of '学生数' must be a number or text"),
    ("empty.yaml", "", "expected a mapping"),
])
def test_bad_facts_files_are_one_line_errors_naming_the_file(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(DraftError) as caught:
        read_facts(path)
    text = str(caught.value)
    assert str(path) in text and message in text and "\n" not in text


def test_values_must_be_one_line_scalars():
    with pytest.raises(DraftError, match="must be a number or text"):
        normalise_facts({"学生数": True})
    with pytest.raises(DraftError, match="one line"):
        normalise_facts({"学生数": "6\n50"})
    with pytest.raises(DraftError, match="must not contain 【】"):
        normalise_facts({"学生数": "【待定】"})
    assert normalise_facts({" 学生数 ": 650.0}) == {"学生数": "650"}


def test_text_pasted_from_word_reads_despite_its_control_characters():
    """Word's soft line break (\\v) and page break (\\f) separate lines; other control characters
    (schemathesis sent \\x18 in facts_text: a 422 "not valid YAML") are dropped."""
    from assistant.drafting.facts import parse_facts_text

    assert parse_facts_text("学生数: 650\v教职工数: 54\f师生比: '1:19.9'") == \
        {"学生数": "650", "教职工数": "54", "师生比": "1:19.9"}
    assert parse_facts_text("\x18学生数\x07: 650\x7f") == {"学生数": "650"}
    assert parse_facts_text('{"学生数": 650\x00}', json_only=True) == {"学生数": "650"}
    with pytest.raises(DraftError, match="expected a mapping"):  # what is left must still be facts
        parse_facts_text("\x18\vS;\x81")
