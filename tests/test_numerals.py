import pytest

from assistant.language.numerals import cn_to_int, int_to_cn


@pytest.mark.parametrize("text, number", [
    ("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23), ("九十九", 99),
    ("一百", 100), ("一百零二", 102), ("一百一十", 110), ("一百十", 110), ("二百六十", 260),
    ("一千零五十", 1050), ("一千零五", 1005), ("两千", 2000), ("二千", 2000), ("两百五十", 250),
    ("一万", 10_000), ("一万零一十", 10_010), ("三万五千", 35_000), ("十万", 100_000),
    ("一亿零五万", 100_050_000), ("零", 0), ("二〇一八", 2018), ("一九八六", 1986), ("12", 12),
])
def test_cn_to_int(text, number):
    assert cn_to_int(text) == number


@pytest.mark.parametrize("text", ["", "abc", "一二百", "第十"])
def test_not_numerals_read_as_zero(text):
    assert cn_to_int(text) == 0


@pytest.mark.parametrize("number, text", [
    (1, "一"), (10, "十"), (12, "十二"), (20, "二十"), (46, "四十六"), (100, "一百"), (102, "一百零二"),
    (105, "一百零五"), (110, "一百一十"), (119, "一百一十九"), (260, "二百六十"), (1000, "一千"),
    (1005, "一千零五"), (1050, "一千零五十"), (2000, "二千"), (2010, "二千零一十"), (10_000, "一万"),
    (10_010, "一万零一十"), (35_000, "三万五千"), (100_050_000, "一亿零五万"), (0, "零"),
])
def test_int_to_cn(number, text):
    assert int_to_cn(number) == text


def test_both_ways_agree():
    for n in list(range(0, 3000)) + [9999, 10_001, 20_300, 99_999, 123_456, 100_000_001]:
        assert cn_to_int(int_to_cn(n)) == n, n


def test_ordinals_of_articles():
    assert cn_to_int("二百六十") == 260 and int_to_cn(260) == "二百六十"
