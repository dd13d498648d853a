"""Decode bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK; refuse mojibake."""

from __future__ import annotations

import re

from ..errors import LoadError

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")


def common_cjk_share(text: str) -> float:
    """Share of CJK characters that lie in GB2312 (the 6,763 common characters); 1.0 when none.

    Real Chinese prose scores above 0.97; bytes decoded with the wrong codec land on rare
    characters and score far lower."""
    chars = _CJK.findall(text)
    if not chars:
        return 1.0
    common = 0
    for ch in chars:
        try:
            ch.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common / len(chars)


def looks_like_mojibake(text: str, simplified: bool = True) -> bool:
    """Replacement characters, control characters or private-use characters (what Big5 bytes
    become under GB18030) mean a wrong codec; for simplified-Chinese codecs, so do rare characters."""
    sample = text[:20000]
    if not sample:
        return False
    if len(_PRIVATE_USE.findall(sample)) > max(1, len(sample) // 200):
        return True
    if sample.count("\ufffd") > max(3, len(sample) // 200):
        return True
    if len(_CONTROL.findall(sample)) > max(3, len(sample) // 100):
        return True
    return simplified and len(_CJK.findall(sample)) >= 20 and common_cjk_share(sample) < 0.85


def decode_bytes(data: bytes, name: str, declared: str | None = None) -> tuple[str, str]:
    """Return (text, encoding). Raise LoadError naming `name` for empty, binary or undecodable data.

    `declared` is the encoding the file names for itself (an HTML `charset`); it is tried after
    UTF-8 and GB18030, whose strict decoding is the stronger evidence (a page that says
    ISO-8859-1 but holds GBK bytes is common, and Latin-1 decodes any bytes)."""
    if not data.strip():
        raise LoadError(f"{name}: empty file")
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        if b"\x00" in data[:8192]:
            raise LoadError(f"{name}: binary data, not text (NUL bytes); convert it to .txt, .docx or .pdf")
        candidates = ["utf-8", "gb18030"]
        if declared and declared.lower() not in ("utf-8", "utf8", "gb18030", "gbk", "gb2312"):
            candidates.append(declared)
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if not looks_like_mojibake(text, simplified=encoding in ("utf-8", "utf-8-sig", "utf-16", "gb18030")):
            return text, ("gb18030" if encoding == "gb18030" else encoding)
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # pragma: no cover - detector failure is treated as undecodable
        best = None
    if best is not None:
        text = str(best)
        if not looks_like_mojibake(text, simplified=False):
            return text, best.encoding
    raise LoadError(f"{name}: cannot decode as UTF-8 or GB18030 without garbled text; save it as UTF-8")
