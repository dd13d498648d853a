"""Laws named in a question, and exact article lookup: "义务教育法第二十九条", "《教师法》第七条说了什么",
"上海市实施《义务教育法》办法第五条" name a document of the index by its title (with or without 中华人民共和国
and 《》, the province's 省/市, a version date) and an article by its number. The names come from the
index's own titles, so a user's own regulations are found the same way."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..language.numerals import cn_to_int
from ..index.store import IndexData
from ..language.segmentation import cut

_VERSION = re.compile(r"[(（][^()（）]{0,30}[)）]\s*$")  # a trailing （2018年修正）, (试行)
_PROVINCE_WORD = re.compile(r"^([\u4e00-\u9fff]{2,3}?)(省|市|自治区)")
_ARTICLE = re.compile(r"第([零〇一二两三四五六七八九十百千\d]+)条")
#: Regulation genre words: a title that ends in one of them can be named without what precedes it
#: only when written in full ("教育法" names 中华人民共和国教育法, not 高等教育法).
#: The words a law's or regulation's title ends with (its genre), longest first where one holds another.
LAW_ENDINGS = ("法典", "修正案", "法", "条例", "办法", "规定", "细则", "规则", "规程", "通则", "规范")
_GENRE = re.compile("(" + "|".join(LAW_ENDINGS + ("标准", "决定", "意见", "通知")) + ")$")
#: The English words for those genres, as translations of Chinese law titles write them.
EN_GENRES = {"law": ("法",), "laws": ("法",), "act": ("法",), "code": ("法",),
             "regulation": ("条例", "规定"), "regulations": ("条例", "规定"), "ordinance": ("条例",),
             "measures": ("办法",), "rules": ("规则", "细则", "规定"), "provisions": ("规定",),
             "standard": ("标准",), "standards": ("标准",), "decision": ("决定",), "opinions": ("意见",),
             "notice": ("通知",)}
#: Words that end an English law name: question words, verbs that ask about it, prepositions that
#: say where in it ("Article 20 of the …", "under the …").
_EN_BOUNDARY = frozenset(
    "what which who whom how when where why whether does do did is are was were must may can could should "
    "shall will would under according to in by sets set says say provide provides provided require requires "
    "required state states stipulate stipulates about article articles section chapter clause item and or "
    "with if at as from that this these those it its take takes took come came effect defines define "
    "lists list obliges oblige allows allow".split())
#: Words a name's tail may hold ("Law on the Standard Spoken and Written Chinese Language", "Law on
#: the Protection of Persons with Disabilities").
_EN_TAIL = frozenset({"the", "and", "with", "of", "for", "on", "in"})
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|\d+")
#: Least agreement (F1 of the title's words the name covers and the name's words the title holds)
#: for an English name to name a title.
EN_TITLE_F1 = 0.5
#: A 《…》 name in a question: the law the user means, whether the documents hold it or not.
_BRACKETED = re.compile(r"《([^《》]{2,40})》")
#: A law named without 《》 before an article number ("保险法第三十九条", "民法典第一千零八十四条"): the name
#: is what precedes the number back to the last word that is not part of a name (segmentation: verbs,
#: pronouns, prepositions… are cut off the front: "请问保险法" → 保险法).
_NAMED_ARTICLE = re.compile(r"([\u4e00-\u9fff]{1,30}?(?:" + "|".join(LAW_ENDINGS) + r"))(?:[（(][^()（）]{1,12}[)）])?"
                            r"(?:的)?第[零〇一二两三四五六七八九十百千万\d]+条")
_NOT_NAME_FLAGS = ("r", "p", "d", "c", "u", "y", "e", "m", "q")
#: A version written before a law's name, as users write it ("2018年版义务教育法", "2018年修正的…", "修订后的…",
#: "新版…", "现行…"): not part of the name. The year itself is read as the question's year, and the
#: version in force then is the one looked up; the same information after the name is _VERSION's.
_VERSION_BEFORE = re.compile(r"^(?:(?:新|旧|最新)版|最新|现行|(?:修正|修订|修改)(?:后|版)?|版本?)?的?")
#: Verbs that frame a question rather than name a law ("请问…", "帮我查一下…", "想知道…"); other verbs may
#: be part of a name (示范学校法).
_ASKING_VERBS = frozenset("请问 问 问问 想 想问 查 查查 看 看看 知道 了解 说 说说 讲 讲讲 帮 告诉 解释 按照 根据 依照 依据 对照".split())
#: The least title agreement (lookup.named_english's F1) at which an English law name may be one the
#: index holds under another translation; below it, the law is not in the index.
EN_UNKNOWN_F1 = 0.3


def normalise(text: str) -> str:
    return re.sub(r"[《》〈〉\s“”\"'()（）]", "", text)


def title_variants(title: str) -> set[str]:
    """Ways a user writes a document's title: as is, without 中华人民共和国, without its version, without
    the 省/市 of its province."""
    base = normalise(_VERSION.sub("", title.strip()))
    variants = {base}
    if base.startswith("中华人民共和国"):
        variants.add(base[len("中华人民共和国"):])
    if "中华人民共和国" in base:  # 上海市实施《中华人民共和国义务教育法》办法 is written 上海市实施义务教育法办法
        variants.add(base.replace("中华人民共和国", ""))
    for variant in list(variants):
        match = _PROVINCE_WORD.match(variant)
        if match:
            variants.add(match.group(1) + variant[match.end():])
    short = {v for v in variants if len(v) == 2 and v.endswith("法") and base == "中华人民共和国" + v}
    return {v for v in variants if len(v) >= 3 and _GENRE.search(v)} | short  # 刑法, 宪法 by their short names


def article_number(label: str | None) -> int | None:
    if not label:
        return None
    match = _ARTICLE.search(label)
    if not match:
        return None
    raw = match.group(1)
    return int(raw) if raw.isdigit() else cn_to_int(raw) or None


def english_law_name(question: str) -> tuple[str, set[str]] | None:
    """The words of an English question that name a law ("the Regulations on School Bus Safety",
    "China's Compulsory Education Law", "interim regulations on setting up higher-education
    institutions") and the Chinese genres the name's genre word stands for; None without one."""
    words = _EN_WORD.findall(question)
    for i, word in enumerate(words):
        genres = EN_GENRES.get(word.lower())
        if not genres or (word.lower() in ("code", "act", "standard", "notice", "decision") and not word[0].isupper()):
            continue
        start = i
        while start > 0 and i - start < 6 and words[start - 1].lower() not in _EN_BOUNDARY \
                and not words[start - 1].isdigit() and words[start - 1].lower() != "the":
            start -= 1
        end = i + 1
        if end < len(words) and words[end].lower() in ("on", "for", "of"):
            end += 1
            while end < len(words) and end - i < 9 and words[end].lower() not in _EN_BOUNDARY - _EN_TAIL:
                end += 1
            while end > i + 1 and words[end - 1].lower() in _EN_TAIL:
                end -= 1
        span = words[start:end]
        allowed = set(genres)
        for other in span:  # "measures for implementing the Compulsory Education Law": 办法 or 法
            allowed.update(EN_GENRES.get(other.lower(), ()))
        name = [w for w in span if w.lower() not in EN_GENRES]
        while name and name[0].lower() in _EN_TAIL:
            name = name[1:]
        if name:
            return " ".join(name), allowed
    return None


def english_law_phrase(question: str, name: str) -> str:
    """The words of the question that name the law, with its genre word ("Food Safety Law",
    "Regulations on Kindergarten Fees")."""
    genre = "|".join(sorted(EN_GENRES, key=len, reverse=True))
    pattern = re.compile(rf"\b(?:{genre})\b\s+(?:on|for|of)\s+(?:the\s+)?{re.escape(name)}|{re.escape(name)}\s+(?:{genre})\b", re.I)
    match = pattern.search(question)
    return match.group(0) if match else name


def _word_covered(word: str, terms: list[str]) -> float:
    """Share of a title word's characters that the dictionary terms sharing at least two characters
    with it hold (爱国 covers half of 爱国主义; 学生 does not cover 学校)."""
    chars = set(word)
    held = set().union(*(set(t) & chars for t in terms if len(set(t) & chars) >= 2 or t == word), set())
    return len(held) / len(chars)


def _term_held(term: str, title: str) -> float:
    """Share of a term's characters the title holds, when it holds two or more (a one-character term,
    人 or 法, says too little to name a law)."""
    chars = set(term)
    shared = chars & set(title)
    return len(shared) / len(chars) if len(shared) >= 2 else 0.0


@dataclass
class Named:
    doc_ids: list[str]  # the documents (versions) of the law the question names, newest first
    name: str  # how the question wrote it


class LawNames:
    """Title variants of the index's documents → document ids (built once per index)."""

    def __init__(self, index: IndexData):
        self.index = index
        self.by_name: dict[str, list[str]] = {}
        self._title_words: dict[str, tuple[str, list[str]]] = {}
        self._genre_docs: set[str] = set()
        self._places: set[str] = set()  # the provinces and cities in front of titles (北京市, 北京)
        for document in index.documents:
            if not _GENRE.search(normalise(_VERSION.sub("", document.get("title") or ""))):
                continue
            self._genre_docs.add(document["id"])
            match = _PROVINCE_WORD.match(normalise(_VERSION.sub("", document.get("title") or "")))
            if match:
                self._places.update({match.group(1), match.group(0)})
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

    def title_words(self, doc_id: str) -> tuple[str, list[str]]:
        """(genre, words) of a document's title without 中华人民共和国, its version and its genre
        ("校车安全管理条例" → 条例, [校车, 安全, 管理])."""
        cached = self._title_words.get(doc_id)
        if cached is None:
            base = normalise(_VERSION.sub("", self.index.doc_by_id[doc_id].get("title") or "")).replace("中华人民共和国", "")
            match = _GENRE.search(base)
            genre = match.group(1) if match else ""
            words = [w for w in cut(base[:len(base) - len(genre)]) if len(w) >= 2]
            cached = self._title_words[doc_id] = (genre, words)
        return cached

    def named_english(self, name: str, genres: set[str], groups: list[list[str]]) -> Named | None:
        """The law an English name names: the title (of a genre the name's genre word allows) with
        the best agreement (F1) between the title's words it covers (character by character, weighted
        by how few titles use the word) and the name's words the title holds (each word a group of
        Chinese terms from the dictionary, the best term counting). None when two laws fit as well."""
        scored = self._scored(name, genres, groups)
        if not scored or scored[0][0] < EN_TITLE_F1:
            return None
        best = scored[0][1]
        key = self.index.doc_by_id[best].get("law_key")
        rivals = [d for score, d in scored[1:] if score >= scored[0][0] - 1e-6
                  and (not key or self.index.doc_by_id[d].get("law_key") != key)]
        if rivals:  # two laws fit the name as well: it names neither for sure
            return None
        ids = [d["id"] for d in self.index.documents if key and d.get("law_key") == key] or [best]
        ids.sort(key=lambda i: self.index.doc_by_id[i].get("date") or "", reverse=True)
        return Named(ids, name)

    def _scored(self, name: str, genres: set[str], groups: list[list[str]]) -> list[tuple[float, str]]:
        """(F1, doc id) of each title of an allowed genre against an English name, best first."""
        titled = [d["id"] for d in self.index.documents if d["id"] in self._genre_docs]
        if not titled or not groups:
            return []
        frequency: dict[str, int] = {}
        for doc_id in titled:
            for word in set(self.title_words(doc_id)[1]):
                frequency[word] = frequency.get(word, 0) + 1
        scored = []
        for doc_id in titled:
            genre, words = self.title_words(doc_id)
            if genre not in genres or not words:
                continue
            terms = [t for g in groups for t in g]
            covered = [_word_covered(w, terms) for w in words]
            title = "".join(words)
            held = sum(max(_term_held(t, title) for t in g) for g in groups)
            recall = sum(c / frequency[w] for w, c in zip(words, covered)) / sum(1.0 / frequency[w] for w in words)
            precision = held / len(groups)
            score = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
            scored.append((score, doc_id))
        scored.sort(key=lambda item: -item[0])
        return scored

    def known(self, name: str) -> bool:
        """Is `name` (as a user writes a law's name) a document of the index? Exactly one of its title
        variants, or one with a province in front ("学前教育条例" for 北京市学前教育条例), not a longer law that
        ends with it (保险法 is not 社会保险法, 教育法 not 高等教育法)."""
        text = normalise(name)
        return any(v in self.by_name or self.provincial(v) for v in (text, text.replace("中华人民共和国", "")))

    def provincial(self, name: str) -> set[tuple[str, ...]]:
        """The laws (their ids) whose title is `name` with a province or city in front."""
        return {tuple(ids) for known, ids in self.by_name.items()
                if known.endswith(name) and known[:-len(name)] in self._places}

    def unknown_written(self, question: str) -> list[str]:
        """Law names a question writes ("保险法第三十九条", "《劳动合同法》") that no document of the index has."""
        return [name for name in self.written(question) if not self.known(name)]

    def english_fit(self, name: str, genres: set[str], groups: list[list[str]]) -> float:
        """The best title agreement of an English law name (named_english's F1), 0 when no title fits."""
        scored = self._scored(name, genres, groups)
        return scored[0][0] if scored else 0.0

    def written(self, question: str) -> list[str]:
        """The law names a question writes: in 《》, or before an article number (front words cut off)."""
        from ..language.segmentation import tagged

        names = [normalise(_VERSION.sub("", n)) for n in _BRACKETED.findall(question)]  # （试行）, （2018年修正） aside
        for raw in _NAMED_ARTICLE.findall(normalise(question)):
            words = tagged(raw)
            while len(words) > 1 and (words[0][1].startswith(_NOT_NAME_FLAGS) or words[0][0] in _ASKING_VERBS):
                words = words[1:]
            name = "".join(w for w, _ in words)
            names.append(_VERSION_BEFORE.sub("", name) if _GENRE.search(_VERSION_BEFORE.sub("", name)) else name)
        return [n for n in dict.fromkeys(names) if len(n) >= 2 and _GENRE.search(n)]

    def named(self, question: str) -> Named | None:
        """The law the question names (the longest title variant it contains), or None. A variant inside a
        longer name the question writes is not named by it ("高等教育法第五条" names no 教育法)."""
        text = normalise(question)
        written = self.written(question)
        unknown = [w for w in written if not self.known(w)]
        best = None
        for name in written:  # a province's law named without its province ("学前教育条例" → 北京市学前教育条例)
            held = self.provincial(name)
            if name not in self.by_name and len(held) == 1:
                best = Named(list(held.pop()), name)
        for name, ids in self.by_name.items():
            if name not in text or (best is not None and len(name) <= len(best.name)):
                continue
            if any(w != name and name in w for w in unknown):
                continue  # inside a longer name the index does not hold
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
