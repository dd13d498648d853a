"""The question, understood once: `Reader.understand` turns the text a user typed (or a follow-up
resolved against earlier turns) into a `Question`, and nothing downstream analyses it again.
Ranking, assembly, selection and the found / not-found decision all read this one record.

A `Question` holds the words to search with (query.py: Chinese words with their synonym groups, or
an English question carried onto the corpus's Chinese words), what it asks for (intent.py: a figure,
a list, a name, a date, an article…, its years, article numbers and parts), the thing it asks about
(focus.py), the places and schools it names (names.py), the law it names (lookup.py), the weight of
each of its words in this corpus (evidence.Weights), and its parts, each a Question of its own."""

from __future__ import annotations

import dataclasses

import functools
import re
from dataclasses import dataclass

from ..errors import QuestionError
from ..index.store import IndexData
from ..language.segmentation import cut
from .evidence import Weights, weigh
from .focus import focus_en, focus_zh, things_en, things_zh
from .intent import Intent, intent_of
from ..language.bilingual import english_words
from .filters import Filters, said_in
from .lookup import EN_UNKNOWN_F1, LawNames, Named, english_law_name, english_law_phrase
from .names import names_in
from .query import Query, Word, analyse, chinese_word, english_terms, language_of, with_synonyms

MAX_QUESTION_CHARS = 2000
_PLACE_SUFFIX = "乡镇县区村市省"
_HAN = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
#: What a question asking for a summary across documents says ("请总结一下各学校…的做法", "Summarise how
#: the schools…"): its passages are one per document (summary.py).
_SUMMARY_ZH = re.compile(r"总结一下|做个总结|做一个总结|请总结|写[^,，。??]{0,20}总结|概括一下|请概括|归纳一下|请归纳|梳理一下|"
                         r"汇总一下|各(?:个|所)?(?:学校|校|地|乡镇|镇|单位|县|区)[^,，。??]{0,20}(?:做法|经验|措施|举措)")
_SUMMARY_EN = re.compile(r"\bsummari[sz]e\b|\b(?:a |an )?summary of\b|\boverview of\b|\beach school\b|"
                         r"\b(?:different|various|all the|the) schools (?:do|did|have done)\b|"
                         r"\bacross (?:the )?(?:schools|documents)\b", re.IGNORECASE)


def check_question(question: str) -> str:
    if not isinstance(question, str) or not question.strip():
        raise QuestionError("the question is empty; type a question, e.g. 'A2保障机制组要准备哪些材料?'")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(f"the question is {len(question)} characters long; the limit is {MAX_QUESTION_CHARS}")
    return question.strip()


def is_summary(text: str) -> bool:
    """Does the question ask for a summary across documents?"""
    return bool(_SUMMARY_ZH.search(text) or _SUMMARY_EN.search(text))


@dataclass(frozen=True)
class Question:
    """One question, as understood against one index (made by Reader.understand only)."""

    asked: str  # as the user typed it
    text: str  # as it is searched: a follow-up resolved against the earlier turns
    lang: str  # "zh" or "en" (of what was typed: an English follow-up resolved in Chinese stays English)
    query: Query  # its words (tokens and weights to search with, words with synonyms, focus, things, names)
    intent: Intent  # what it asks for, its years, article numbers and the text of its parts
    weights: Weights  # its content words and what each weighs in this corpus
    law: Named | None = None  # the law it names (all versions, newest first)
    unknown_laws: tuple[str, ...] = ()  # the 《…》 laws it names that the index does not hold
    parts: tuple["Question", ...] = ()  # its sub-questions when it asks two or more things at once
    summary: bool = False  # it asks for a summary across documents
    filters: Filters = Filters()  # the documents it may be answered from (given, or said in it: filters.py)

    @property
    def kinds(self) -> set[str]:
        return self.intent.kinds

    @property
    def names(self) -> list[str]:
        return self.query.names


class Reader:
    """Understands questions against one loaded index: the corpus's vocabulary (unknown words,
    names written in pinyin), its bilingual dictionary, its law titles. Thread-safe: its caches are
    filled with equal values by racing threads."""

    def __init__(self, index: IndexData):
        self.index = index
        self._names: dict[str, list[str]] | None = None
        self._laws: LawNames | None = None
        # an English law name → the title it matches; bounded (questions are anyone's text)
        self._english_law = functools.lru_cache(maxsize=1024)(self._match_english_law)

    def understand(self, text: str, lang: str | None = None, asked: str | None = None,
                   filters: Filters | None = None) -> Question:
        """The Question for `text` (checked: QuestionError when empty or too long). `lang` forces the
        language (a follow-up resolved against a Chinese heading is still an English question);
        `asked` is what the user typed when `text` is a follow-up resolved against earlier turns;
        `filters` the documents it may be answered from, beside those the question says itself."""
        text = check_question(text)
        question = self._understand(text, lang or language_of(asked or text), asked or text, parts=True)
        scoped = (filters or Filters()).merged(said_in(text))
        if not scoped:
            return question
        law = question.law
        if law is not None and not any(scoped.matches(self.index.doc_by_id[d]) for d in law.doc_ids):
            # the law it names is held, but not among the documents it may be answered from: said so
            return dataclasses.replace(question, filters=scoped, law=None, unknown_laws=(law.name,))
        return dataclasses.replace(question, filters=scoped)

    def _understand(self, text: str, lang: str, asked: str, parts: bool) -> Question:
        query = self.analyse(text, lang)
        intent = intent_of(text)
        law = self.named_law(query)
        if law is not None and intent.years and len(law.doc_ids) > 1:
            law = self.version_of(law, intent.years[0])
        unknown = () if law is not None else self.unknown_laws(query)
        sub: tuple[Question, ...] = ()
        if parts and len(intent.parts) > 1:
            sub = tuple(q for q in (self._part(part, lang) for part in intent.parts) if q is not None)
        return Question(asked, text, lang, query, intent, weigh(query, self.index.lexical), law, unknown, sub,
                        is_summary(text))

    def _part(self, text: str, lang: str) -> Question | None:
        """A sub-question: its own words, kinds and weights (no law or parts of its own)."""
        try:
            text = check_question(text)
        except QuestionError:
            return None
        query = self.analyse(text, lang)
        return Question(text, text, lang, query, intent_of(text), weigh(query, self.index.lexical))

    def analyse(self, text: str, lang: str) -> Query:
        """The question's words: query.analyse, then the thing asked about (focus.py), the things of a
        question about two or more, the places and schools it names."""
        if lang == "en":
            query = analyse(text, self.names(), lang=lang, dictionary=self.index.bilingual, known=self.known_word)
            phrase = focus_en(text)
            if phrase:
                terms = [t for t, _ in english_terms(phrase, self.names(), dictionary=self.index.bilingual)]
                query.focus = [w for w in (chinese_word(t) for t in dict.fromkeys(terms)) if w]
                for part in things_en(phrase):
                    found = english_terms(part, self.names(), dictionary=self.index.bilingual)
                    word = chinese_word(found[0][0]) if found else None
                    if word is None:
                        query.things = []
                        break
                    query.things.append(word)
                if len(query.things) < 2:
                    query.things = []
        else:
            query = analyse(text, lang=lang)
            self._recut_unknown(query)
            query.focus = [with_synonyms(w) for w in (chinese_word(t) for t in focus_zh(text)) if w]
            query.things = [w for w in (chinese_word(t) for t in things_zh(text)) if w]
        query.names = names_in(query, self.names() if query.lang != "zh" else None)
        return query

    def names(self) -> dict[str, list[str]]:
        """Pinyin of the corpus's own words (caoji → 曹集), so names written in pinyin match."""
        if self._names is None:
            from pypinyin import lazy_pinyin

            names: dict[str, list[str]] = {}
            for token in self.index.lexical.vocabulary():
                if _HAN.match(token):
                    key = "".join(lazy_pinyin(token))
                    if len(key) >= 4:
                        names.setdefault(key, []).append(token)
                    if len(token) >= 3 and token[-1] in _PLACE_SUFFIX:  # 新庄乡 is also "Xinzhuang"
                        stem = "".join(lazy_pinyin(token[:-1]))
                        if len(stem) >= 4 and token not in names.get(stem, []):
                            names.setdefault(stem, []).append(token)
            self._names = names
        return self._names

    def known_word(self, word: str) -> bool:
        """Is `word` a token of the corpus?"""
        return word in self.index.lexical.vocab_dict

    def _recut_unknown(self, query: Query) -> None:
        """A question word the corpus never uses may be a guess of jieba's HMM gluing characters
        ("A3组要准备" → "组要"): cut it again from the dictionary alone."""
        vocabulary = self.index.lexical.vocab_dict
        words: list[Word] = []
        for word in query.words:
            tokens = word.alternatives[0]
            whole = max(tokens, key=len)
            known = any(t in vocabulary for alternative in word.alternatives for t in alternative)
            if known or len(whole) < 2:
                words.append(word)
                continue
            words.extend(w for w in (chinese_word(piece) for piece in cut(whole, hmm=False)) if w)
        query.words = words

    def laws(self) -> LawNames:
        if self._laws is None:
            self._laws = LawNames(self.index)
        return self._laws

    def version_of(self, law: Named, year: str) -> Named:
        """The law's versions with the one in force in `year` first ("2016年的义务教育法": the newest
        version dated before the end of 2016), the others after it, newest first; as it was when no
        version is that old."""
        dated = [(self.index.doc_by_id[d].get("date") or "", d) for d in law.doc_ids]
        in_force = [d for date, d in dated if date and date <= f"{year}-12-31"]
        if not in_force:
            return law
        return Named([in_force[0]] + [d for d in law.doc_ids if d != in_force[0]], law.name)

    def named_law(self, query: Query) -> Named | None:
        """The law the question names: a title variant written in it (Chinese, or an English question's
        Chinese terms), else for English questions a law named in English (lookup.english_law_name)
        matched to a title through the dictionary."""
        names = self.laws()
        if query.lang == "zh":
            return names.named(query.text)
        found = english_law_name(query.text)
        if found is None:  # a Chinese title written into the question, or its terms ("义务教育法")
            return names.named(query.text + " " + "".join(query.terms))
        name, genres = found
        return self._english_law(name, frozenset(genres)) or names.named(query.text)

    def unknown_laws(self, query: Query) -> tuple[str, ...]:
        """Laws the question names that the index does not hold: written in 《》 or before an article number
        ("保险法第三十九条" where only 社会保险法 is held), or in English with no title near it in meaning."""
        laws = self.laws()
        if query.lang == "zh":
            return tuple(laws.unknown_written(query.text))
        found = english_law_name(query.text)
        if found is None:
            return tuple(laws.unknown_written(query.text))
        name, genres = found
        phrase = english_law_phrase(query.text, name)
        if phrase == name or not all(w[:1].isupper() for w in re.findall(r"[A-Za-z]+", phrase) if len(w) > 3):
            return ()  # a law's name is written as a name ("Food Safety Law"), not "Chinese rules"
        if any(laws.english_fit(name, set(genres), self._english_groups(name, wide)) >= EN_UNKNOWN_F1
               for wide in (False, True)):  # the rarer senses only when the usual ones fit no title
            return ()
        return (phrase,)

    def _english_groups(self, name: str, wide: bool = False) -> list[list[str]]:
        """The Chinese terms each word of an English law name may be: the question's reading of it, and
        when `wide`, every other sense the dictionary gives that word (a law's name may use a word's
        rarer sense: "Degree Law" is 学位法, not 程度; only tried when the usual senses name no law, for the
        rarer senses of common words make titles alike: education is also 义务教育 and 家庭教育)."""
        dictionary = self.index.bilingual
        words = analyse(name, self.names(), lang="en", dictionary=dictionary).words
        groups = [["".join(alt) if len(alt) == 1 else max(alt, key=len) for alt in w.alternatives]
                  for w in words]
        if wide and dictionary is not None:
            senses = [dictionary.senses(w) for w in english_words(name)]
            for group in groups:
                owners = [s for s in senses if s & set(group)]
                if len(owners) == 1:  # the group one English word gave: its other senses too
                    group.extend(sorted(owners[0] - set(group)))
        return [g for g in groups if not all(t in ("中华人民共和国", "中华", "中国", "我国") for t in g)]

    def _match_english_law(self, name: str, genres: frozenset[str]) -> Named | None:
        laws = self.laws()
        if laws.english_fit(name, set(genres), self._english_groups(name)) >= EN_UNKNOWN_F1:
            return laws.named_english(name, set(genres), self._english_groups(name))
        return laws.named_english(name, set(genres), self._english_groups(name, wide=True))
