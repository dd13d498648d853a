"""Laws named in a question, and exact article lookup: "义务教育法第二十九条", "《教师法》第七条说了什么",
"上海市实施《义务教育法》办法第五条" name a document of the index by its title (with or without 中华人民共和国
and 《》, the province's 省/市, a version date) and an article by its number. The names come from the
index's own titles, so a user's own regulations are found the same way."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..numerals import cn_to_int
from ..index.store import IndexData

_VERSION = re.compile(r"[((][^()()]{0,30}[))]\s*$")
_PROVINCE_WORD = re.compile(r"^([\u4e00-\u9fff]{2,3}?)(省|市|自治区)")
_ARTICLE = re.compile(r"第([零〇一二两三四五六七八九十百千\d]+)条")
#: Regulation genre words: a title that ends in one of them can be named without what precedes it
#: only when written in full ("教育法" names 中华人民共和国教育法, not 高等教育法).
_GENRE = re.compile(r"(法|条例|办法|规定|细则|规则|标准|决定|意见|通知)$")


def normalise(text: str) -> str:
    return re.sub(r"[《》〈〉\s“”\"'()()]", "", text)


def title_variants(title: str) -> set[str]:
    """Ways a user writes a document's title: as is, without 中华人民共和国, without its version, without
    the 省/市 of its province."""
    base = normalise(_VERSION.sub("", title.strip()))
    variants = {base}
    if base.startswith("中华人民共和国"):
        variants.add(base[len("中华人民共和国"):])
    for variant in list(variants):
        match = _PROVINCE_WORD.match(variant)
        if match:
            variants.add(match.group(1) + variant[match.end():])
    return {v for v in variants if len(v) >= 3 and _GENRE.search(v)}


def article_number(label: str | None) -> int | None:
    if not label:
        return None
    match = _ARTICLE.search(label)
    if not match:
        return None
    raw = match.group(1)
    return int(raw) if raw.isdigit() else cn_to_int(raw) or None


@dataclass
class Named:
    doc_ids: list[str]  # the documents (versions) of the law the question names, newest first
    name: str  # how the question wrote it


class LawNames:
    """Title variants of the index's documents → document ids (built once per index)."""

    def __init__(self, index: IndexData):
        self.index = index
        self.by_name: dict[str, list[str]] = {}
        for document in index.documents:
            if not _GENRE.search(normalise(_VERSION.sub("", document.get("title") or ""))):
                continue
            for variant in title_variants(document.get("title") or ""):
                self.by_name.setdefault(variant, []).append(document["id"])
        for name, ids in self.by_name.items():  # the newest version first
            ids.sort(key=lambda i: index.doc_by_id[i].get("date") or "", reverse=True)
        versions: dict[str, list[dict]] = {}
        for document in index.documents:
            if document.get("law_key"):
                versions.setdefault(document["law_key"], []).append(document)
        #: doc id → the id of the newest version of the same law, for every older version
        self.newer: dict[str, str] = {}
        for documents in versions.values():
            documents.sort(key=lambda d: d.get("date") or "", reverse=True)
            for older in documents[1:]:
                if (older.get("date") or "") < (documents[0].get("date") or ""):
                    self.newer[older["id"]] = documents[0]["id"]
        self.superseded = frozenset(self.newer)
        self.articles: dict[str, dict[int, list[int]]] = {}  # doc id → article number → chunk positions
        for position, chunk in enumerate(index.chunks):
            label = getattr(chunk, "article", None) or (chunk.section_path[-1] if chunk.section_path else None)
            number = article_number(label) if label and label.startswith("第") and label.endswith("条") else None
            if number:
                self.articles.setdefault(chunk.doc_id, {}).setdefault(number, []).append(position)

    def named(self, question: str) -> Named | None:
        """The law the question names (the longest title variant it contains), or None."""
        text = normalise(question)
        best = None
        for name, ids in self.by_name.items():
            if name in text and (best is None or len(name) > len(best.name)):
                best = Named(ids, name)
        return best

    def article_chunks(self, doc_id: str, number: int) -> list[int]:
        return self.articles.get(doc_id, {}).get(number, [])

    def last_article(self, doc_id: str) -> int | None:
        numbers = self.articles.get(doc_id)
        return max(numbers) if numbers else None

    def documents_with_article(self, number: int) -> list[str]:
        return [doc_id for doc_id, numbers in self.articles.items() if number in numbers]


def superseded_by(index: IndexData, doc_id: str) -> dict | None:
    """The newest version of the same law when `doc_id` is an older one, else None."""
    document = index.doc_by_id.get(doc_id) or {}
    key, date = document.get("law_key"), document.get("date") or ""
    if not key:
        return None
    newer = [d for d in index.documents if d.get("law_key") == key and (d.get("date") or "") > date]
    return max(newer, key=lambda d: d.get("date") or "") if newer else None
