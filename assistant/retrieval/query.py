"""Question analysis: language, indicator codes, and for English questions a Chinese rendering
built from a domain glossary (data), ordinals ("46th" → 第四十六), indicator codes taken exactly
("A4 ... group" → A4…组) and names written in pinyin matched against the corpus's own names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable
from importlib import resources

from ..language.tokenization import tokenize
from ..language.numerals import int_to_cn
from ..language.segmentation import NAME_FLAGS, cut, data_lines, tagged
from ..language.codes import extract_codes
from ..language.bilingual import STOPWORDS, Bilingual

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
EN_STOPWORDS = frozenset(
    "a an the of for to in on at by with and or is are was were be been being what which who whom whose "
    "how many much does do did must should shall can could would will has have had that this these those "
    "it its their there from as about into than then so such any all some each every our your my his her "
    "they them we you i me us not no yes please tell show give list find there's what's where when why "
    "need needs needed new before after during since get gets got make makes made take takes took also still "
    "receive receives received carry carried out among across between via within way ways kind kinds type types "
    "currently now ever already number amount".split()) | STOPWORDS
#: Weight of a dictionary term, times its weight among the English word's terms (1 for the best,
#: SINGLE_CHAR when the best is one character).
DICTIONARY_WEIGHT = 1.0


@dataclass
class Query:
    text: str
    lang: str
    tokens: list[str]
    weights: list[float]
    codes: list[str] = field(default_factory=list)
    dense_text: str = ""
    terms: list[str] = field(default_factory=list)  # Chinese terms an English question was mapped to
    unmatched: list[str] = field(default_factory=list)  # English content words with no Chinese term
    words: list["Word"] = field(default_factory=list)  # the question's words, for coverage and heading matches
    focus: list["Word"] = field(default_factory=list)  # the thing asked about (focus.py), as corpus words
    things: list["Word"] = field(default_factory=list)  # two or more things whose figures it asks for
    names: list[str] = field(default_factory=list)  # places and schools it names (names.py)


@dataclass(frozen=True)
class Word:
    """One word of the question as the corpus may write it: alternatives (an English term's
    glossary alternatives, e.g. 材料 | 资料), each a Chinese word given as its search-mode tokens
    (the whole word and its parts, e.g. 教学 学点 教学点); `weight` says how much the word tells
    about what is asked (indicator codes 2, vague verbs less than 1)."""

    alternatives: tuple[tuple[str, ...], ...]
    weight: float = 1.0


def language_of(text: str) -> str:
    cjk = len(_CJK.findall(text))
    latin = sum(len(w) for w in _LATIN_WORD.findall(text))
    return "zh" if cjk >= max(1, latin // 3) else "en"


@lru_cache(maxsize=1)
def glossary_table() -> dict[tuple[str, ...], tuple[list[str], float]]:
    """English phrase (as words) → (Chinese terms, weight)."""
    text = resources.files("assistant").joinpath("data", "glossary_en_zh.tsv").read_text(encoding="utf-8")
    table: dict[tuple[str, ...], tuple[list[str], float]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        english, chinese, *rest = line.split("\t")
        weight = float(rest[0]) if rest and rest[0].strip() else 1.0
        terms = [t.strip() for t in chinese.split("|") if t.strip()]
        for phrase in english.split("|"):
            key = tuple(_words(phrase))
            if key:
                known, _ = table.get(key, ([], weight))
                table[key] = (known + [t for t in terms if t not in known], weight)
    return table


def glossary() -> dict[tuple[str, ...], list[str]]:
    return {key: terms for key, (terms, _) in glossary_table().items()}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("-", " "))


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def english_groups(question: str, names: dict[str, list[str]] | None = None,
                   unmatched: list[str] | None = None, dictionary: Bilingual | None = None,
                   known: Callable[[str], bool] | None = None) -> list[list[tuple[str, float]]]:
    """Chinese terms (with weights) for an English question, in question order, one group per
    English word or phrase (a group's terms are alternatives: 材料 | 资料). The longest phrase of
    the glossary or the dictionary wins (the glossary when both are as long); a single word is
    looked up in the glossary, then among the corpus's names in pinyin, then in the dictionary.
    English content words that map to nothing are appended to `unmatched` when a list is given.
    With `known` (is this a word of the corpus?), two neighbouring words whose terms join into a
    corpus word also get the joined word ("family education": 家庭 + 教育 → 家庭教育, where the
    dictionary has only 家教)."""
    names = names or {}
    spans: list[tuple[int, int, int]] = []  # (group, first word, word after) of dictionary groups
    table = glossary_table()
    longest = max((len(k) for k in table), default=1)
    out: list[list[tuple[str, float]]] = [[(code, 2.0)] for code in extract_codes(question.upper())]
    words = _words(question)
    # words written with a capital inside the sentence (not its first word): names
    capitalised = {w.lower() for w in re.findall(r"(?<=[\w,;:] )[A-Z][a-z]+", question)}
    i = 0
    while i < len(words):
        found = _glossary_match(words, i, table, longest)
        looked = dictionary.lookup(words, i) if dictionary is not None else None
        if looked and (found is None or looked[0] > found[0]) and (looked[0] > 1 or words[i] not in names):
            size, terms = looked
            if size == 1:  # a word of many senses: the sense a phrase with the question's other words
                # gives, weighed as the word was (the phrase may not be how the question is built)
                sensed = dictionary.sense_in_context(words, i)
                if sensed:
                    top = max(w for _, w in terms)
                    terms = [(t, w * top) for t, w in sensed]
            spans.append((len(out), i, i + size))
            out.append([(term, DICTIONARY_WEIGHT * weight) for term, weight in terms])
            if size == 2 and known is not None:  # "family education": 家教, and 家庭 + 教育 if a corpus word
                parts = [dictionary.lookup(words, j, 1) for j in (i, i + 1)]
                if all(parts):
                    pair = [[(t, DICTIONARY_WEIGHT * w) for t, w in part[1]] for part in parts]
                    _join_neighbours(pair, [(0, 0, 1), (1, 1, 2)], known)
                    out[-1] += [(t, w) for t, w in pair[0] if t not in {x for x, _ in out[-1]} and len(t) > 2
                                and any(t == y for y, _ in pair[1])]
            i += size
            continue
        if found:
            size, terms, weight = found
            out.append([(term, weight) for term in terms])
            i += size
            continue
        word = words[i]
        ordinal = re.fullmatch(r"(\d{1,3})(st|nd|rd|th)", word)
        numbered = i > 0 and words[i - 1] in ("no", "number") and re.fullmatch(r"\d{1,3}", word)
        if numbered:  # "No. 46 Middle School": 第四十六中学, or for short 四十六中 (琚湾二中)
            ordinal = re.fullmatch(r"(\d{1,3})", word)
        if ordinal:
            numeral = int_to_cn(int(ordinal.group(1)))
            group = [("第" + numeral, 1.5)]
            following = words[i + 1] if i + 1 < len(words) else ""
            if numbered and following in ("middle", "primary"):
                group.append((numeral + ("中" if following == "middle" else "小"), 1.5))
            out.append(group)
        elif word.isdigit():
            out.append([(word, 0.5)])
        elif re.fullmatch(r"[abc]\d{1,2}", word) or word in EN_STOPWORDS:
            pass  # indicator codes were taken above
        elif word in names:
            # homophones of the pinyin (shanghai: 上海, 伤害) are told apart by the dictionary when it
            # knows the word: only names holding one of its terms are kept (上海, 上海市)
            meant = [t for t, _ in (looked[1] if looked else ())]
            spelled = [name for name in names[word] if any(t in name for t in meant)] or names[word]
            if word in capitalised:  # a name as English writes it: Shanghai is 上海, not 伤害 (a verb)
                spelled = [name for name in spelled if _may_be_name(name)] or spelled
            out.append([(name, 1.5) for name in spelled])
        elif unmatched is not None and len(word) > 2:
            unmatched.append(word)
        i += 1
    if known is not None:
        _join_neighbours(out, spans, known)
    return out


#: Terms of each of two neighbouring words tried as a joined corpus word.
JOIN_TERMS = 3


def _join_neighbours(groups: list[list[tuple[str, float]]], spans: list[tuple[int, int, int]],
                     known: Callable[[str], bool]) -> None:
    """Add to two neighbouring groups the corpus word their terms make together (as an alternative
    of each: a passage with 家庭教育 holds both "family" and "education")."""
    for (g, _, end), (h, start, _) in zip(spans, spans[1:]):
        if end != start:
            continue
        for a, wa in groups[g][:JOIN_TERMS]:
            for b, wb in groups[h][:JOIN_TERMS]:
                joined = a + b
                if len(joined) >= 3 and known(joined):
                    for group in (groups[g], groups[h]):
                        if all(t != joined for t, _ in group):
                            group.append((joined, max(wa, wb)))




def _may_be_name(word: str) -> bool:
    """Could a corpus word be a proper name? jieba tags it as a person, place, organisation or other
    proper noun, or does not know it as one word (曹集, a village jieba never saw)."""
    pairs = tagged(word)
    return len(pairs) != 1 or pairs[0][1] in NAME_FLAGS or pairs[0][1] == "x"


def english_terms(question: str, names: dict[str, list[str]] | None = None,
                  unmatched: list[str] | None = None, dictionary: Bilingual | None = None
                  ) -> list[tuple[str, float]]:
    """english_groups() as one list of (term, weight)."""
    return [term for group in english_groups(question, names, unmatched, dictionary) for term in group]


def _glossary_match(words: list[str], start: int, table: dict, longest: int
                    ) -> tuple[int, list[str], float] | None:
    """The longest glossary phrase at words[start] (as written, or with plural words singular)."""
    for size in range(min(longest, len(words) - start), 0, -1):
        span = words[start:start + size]
        for key in (tuple(span), tuple(_singular(w) for w in span)):
            if key in table:
                terms, weight = table[key]
                return size, terms, weight
    return None


_ARTICLE_FRAME = re.compile(r"\b(which|what)\s+(?:articles?|provisions?|clauses?)\b", re.I)
_CJK_RUN = re.compile(r"[A-Za-z]?\d{0,2}[\u3400-\u9fff][\u3400-\u9fff\d]*")


def analyse(question: str, names: dict[str, list[str]] | None = None, lang: str | None = None,
            dictionary: Bilingual | None = None, known: Callable[[str], bool] | None = None) -> Query:
    """Tokens and weights for the lexical index, and the text to embed for the dense index.
    English questions may carry Chinese words (a follow-up resolved against an earlier answer's
    section); those are tokenized as Chinese."""
    text = question.strip()
    lang = lang or language_of(text)
    codes = extract_codes(text if lang == "zh" else text.upper())
    if lang == "zh":
        tokens = tokenize(text)
        words = [chinese_word(word) for word, flag in tagged(text) if content_word(word, flag)]
        words = [with_synonyms(w) for w in words if w]
        for word in words:  # a synonym, as a whole word, searches too (轮岗 also finds 交流)
            for alternative in word.alternatives[1:]:
                if max(alternative, key=len) not in tokens:
                    tokens.append(max(alternative, key=len))
        return Query(text, lang, tokens, [1.0] * len(tokens), codes, text, words=words)
    unmatched: list[str] = []
    # "which article of …" asks for an article: the frame is no word of what the article is about
    latin = _ARTICLE_FRAME.sub(r"\1", _CJK_RUN.sub(" ", text))
    groups = english_groups(latin, names, unmatched, dictionary, known)
    # Chinese written into the question counts word by word, as a Chinese question's words do: a
    # name the corpus lacks (李庄 of 李庄小学) stays a missing word, not one hidden by its 小学
    groups += [[(word, 1.5)] for run in _CJK_RUN.findall(text) for word in cut(run, hmm=True) if tokenize(word)]
    tokens: list[str] = []
    weights: list[float] = []
    alternatives: dict[str, list[tuple[str, ...]]] = {}
    word_weights: dict[str, float] = {}
    for group in groups:
        key = group[0][0]  # a group is named by its first term: two English words for 材料 are one word
        for term, weight in group:
            spelled = tuple(tokenize(term) or [term.lower()])
            if spelled not in alternatives.setdefault(key, []):
                alternatives[key].append(spelled)
            word_weights[key] = max(word_weights.get(key, 0.0), weight)
            for token in spelled:
                if token in tokens:
                    index = tokens.index(token)
                    weights[index] = max(weights[index], weight)
                else:
                    tokens.append(token)
                    weights.append(weight)
    terms = [term for group in groups for term, _ in group]
    chinese = "".join(dict.fromkeys(terms))
    words = [Word(tuple(alternatives[k]), word_weights[k]) for k in alternatives]
    return Query(text, lang, tokens, weights, codes, chinese or text, terms, unmatched, words)


#: Parts of speech that carry no content (jieba's tags): pronouns and question words (r), numerals and
#: measure words (m, q, mq), prepositions, conjunctions, particles, adverbs, modal and
#: onomatopoeic words. Years are kept (they are numerals that name something).
_FUNCTION_FLAGS = ("r", "m", "q", "mq", "p", "c", "u", "d", "y", "e", "o", "w", "zg")
_YEAR_WORD = re.compile(r"(19|20)\d\d年?")


def content_word(word: str, flag: str) -> bool:
    """Does this word of the question say what it is about? (Not a question word, numeral, particle,
    or a one-character verb such as 是, 有, 要, 干.)"""
    if _YEAR_WORD.fullmatch(word) or _is_code(word):
        return True
    if flag.startswith(_FUNCTION_FLAGS) and flag != "eng":
        return False
    if not re.search(r"[\u3400-\u9fffA-Za-z0-9]", word):  # punctuation (tagged x, as are words added without a tag)
        return False
    return not (len(word) == 1 and flag.startswith("v"))


def chinese_word(word: str) -> Word | None:
    """A Chinese word of the question as a Word (its search-mode tokens); None for punctuation."""
    tokens = tuple(tokenize(word))
    if not tokens:
        return None
    return Word((tokens,), 2.0 if any(_is_code(t) for t in tokens) else 1.0)


@lru_cache(maxsize=1)
def synonyms() -> dict[str, list[str]]:
    """Word → the other words of its synonym group (data/synonyms_zh.tsv)."""
    table: dict[str, list[str]] = {}
    for line in data_lines("synonyms_zh.tsv"):
        group = [w.strip() for w in line.split("|") if w.strip()]
        for word in group:
            table.setdefault(word, []).extend(w for w in group if w != word and w not in table[word])
    return table


def with_synonyms(word: Word) -> Word:
    """The word with its synonyms as further alternatives (the word as asked stays first)."""
    whole = max(word.alternatives[0], key=len)
    others = [tuple(tokenize(s)) for s in synonyms().get(whole, [])]
    others = [o for o in others if o and o not in word.alternatives]
    return Word(word.alternatives + tuple(others), word.weight) if others else word


def _is_code(token: str) -> bool:
    return bool(re.fullmatch(r"[abcABC]\d{1,2}", token))
