import pytest

from assistant.errors import LoadError
from assistant.ingest.encoding import common_cjk_share, decode_bytes

TEXT = "义务教育均衡发展工作总结:生均公用经费700元,师生比1:19.9。"


@pytest.mark.parametrize("encoding, expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("gbk", "gb18030"), ("utf-16", "utf-16"),
])
def test_decodes_common_chinese_encodings(encoding, expected):
    text, used = decode_bytes(TEXT.encode(encoding), "x.txt")
    assert text == TEXT
    assert used == expected


def test_empty_file_is_named():
    with pytest.raises(LoadError, match=r"^a\.txt: empty file"):
        decode_bytes(b"  \n", "a.txt")


def test_binary_data_is_refused():
    with pytest.raises(LoadError, match="binary data"):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10, "image.txt")


def test_broken_utf8_is_refused_not_garbled():
    data = TEXT.encode("utf-8")[:-1] + b"\xff"
    with pytest.raises(LoadError, match=r"^x\.txt: cannot decode"):
        decode_bytes(data, "x.txt")


def test_big5_is_not_silently_read_as_gb18030():
    """Big5 bytes decode under GB18030 into private-use garbage; that must not be accepted."""
    traditional = "義務教育均衡發展工作總結,學校現有學生二千三百人,教職工一百七十人。" * 3
    try:
        text, encoding = decode_bytes(traditional.encode("big5"), "big5.txt")
    except LoadError:
        return
    assert text == traditional, f"decoded as {encoding} into garbage"


def test_common_cjk_share():
    assert common_cjk_share(TEXT) == 1.0
    assert common_cjk_share("abc") == 1.0
    assert common_cjk_share("鍚屾剰涓鍥") < 0.9
