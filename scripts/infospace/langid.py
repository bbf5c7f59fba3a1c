"""Language, score and script of every paragraph and document.

Two detectors vote on each paragraph, and word lists weigh in:
- lingua (n-gram models for the configured languages only, from the installed wheel), strong on short text and on
  Belarusian/Ukrainian/Kazakh;
- fastText lid.176 (the quantized `.ftz`, shipped in resources/ with its licence), fast, knows 176 languages, so it
  also notices text in a language we did not configure.

When the text has at least SURE_MIN_LETTERS letters and fastText gives one configured language at least
`fasttext_sure` with no letter of the text outside that language's alphabet, that is the answer (lingua is the
slower model). So it is when fastText gives it at least `fasttext_agree` and the word lists (below) agree: that
language is their best, and every other Cyrillic language's word-list factor is at most `word_list_agree_margin`
(on the dev set this changes no answer: it only skips lingua where lingua could not overturn the result; a long
Russian paragraph rarely gets 0.99 from fastText but always has dozens of words only Russian knows). The score of
both shortcuts is fastText's probability. On shorter text fastText's certainty is not trustworthy (it says
Ukrainian at 1.00 for Belarusian "мінулую суботу"), so lingua is always asked. From `lingua_low_accuracy_letters` letters on, lingua runs in its
low accuracy mode (trigrams only): about twice as fast, and as accurate on text that long (dev-set sentences:
99.72% either way).

Otherwise the fused score of a configured language is `w * fastText + (1 - w) * lingua` (both renormalised over
the configured languages), with `w = fasttext_weight`, or SHORT_TEXT_FASTTEXT_WEIGHT under SHORT_TEXT_LETTERS
letters (fastText leans to Russian on a word or two). It is multiplied by `foreign_letter_penalty` for each
Cyrillic letter the language's alphabet lacks (at most three times), and by the word-list evidence: each Cyrillic
word falls in one of four classes, known or not to the Russian word list and known or not to the Ukrainian one
(pymorphy3-dicts-ru, pymorphy3-dicts-uk), and `P(class | language)` is estimated from labelled text
(WORD_CLASS_COUNTS). The factor is `exp(word_list_weight * (log-likelihood of the words - the best language's))`,
a tempered naive Bayes: words known only to the Ukrainian list ("реформи", "дякую") speak for Ukrainian, words known
to neither list speak for Belarusian or Kazakh. Word lists settle what n-grams cannot on short text. The score is
set to zero when the text has no letter of the language's script (no Cyrillic letter: not ru/uk/be/kk; no Latin
letter: not en), then renormalised.
The rule and its weights were chosen by measurement on the dev set, tuned on the first half of each file and
checked on the second (benchmarks/langid_eval.py --half).

A paragraph is `und` when it has fewer than `min_letters` letters once hashtags, mentions and links are removed; when
fastText puts at least `other_language_probability` on languages outside the configured set (only checked from
`other_language_min_letters` letters on: on shorter text fastText spreads probability over related languages); or
when the fused score is under `min_score`.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, NamedTuple, Sequence

import numpy as np
import polars as pl

from infospace.progress import progress
from infospace.schema import UNDETERMINED_LANGUAGE
from infospace.tables import list_series

UND = UNDETERMINED_LANGUAGE
NO_SCRIPT = "Zyyy"
UNKNOWN_SCRIPT = "Zzzz"

# Lower-case Cyrillic alphabets. A letter outside a language's alphabet is evidence against that language
# (e.g. Russian ы/э/ъ/ё are not Ukrainian; Ukrainian ї/є/ґ and Kazakh ә/ғ/қ/ң/ө/ұ/ү/һ are not Russian; и/щ/ъ are
# not Belarusian). Languages without an entry (e.g. en) get no letter penalty.
_RUSSIAN = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
ALPHABETS: dict[str, frozenset[str]] = {
    "ru": frozenset(_RUSSIAN),
    "uk": frozenset("абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"),
    "be": frozenset("абвгдеёжзійклмнопрстуўфхцчшыьэюя"),
    "kk": frozenset(_RUSSIAN + "әғқңөұүһі"),
}
MAX_PENALISED_LETTERS = 3

# Script of each language: a text without a single letter of that script is not in that language.
LANGUAGE_SCRIPTS: dict[str, str] = {"en": "Latn", "ru": "Cyrl", "uk": "Cyrl", "be": "Cyrl", "kk": "Cyrl"}

# Short text (word pairs, single words): fastText's top-language certainty is unreliable and it leans to Russian,
# so the shortcut needs SURE_MIN_LETTERS letters and fastText's weight drops to SHORT_TEXT_FASTTEXT_WEIGHT below
# SHORT_TEXT_LETTERS letters. Tuned on lines 1-250 of the dev files, checked on lines 251-500.
SURE_MIN_LETTERS = 30
SHORT_TEXT_LETTERS = 25
SHORT_TEXT_FASTTEXT_WEIGHT = 0.1

# Word lists (pymorphy3 dictionary packages, installed from the lock; never downloaded).
LEXICON_LANGUAGES = ("ru", "uk")
# A word's class: (known to the Russian list, known to the Ukrainian list).
WordClass = tuple[bool, bool]
WORD_CLASSES: tuple[WordClass, ...] = ((False, False), (False, True), (True, False), (True, True))
# Cyrillic words per language and class, in WORD_CLASSES order, counted in the sentences of lines 1-250 of each file
# of lingua's public test data (`benchmarks/langid_word_classes.py --half first`; tests/test_langid.py recounts
# them). P(class | language) adds one to each count. English has no Cyrillic words, so its classes are uniform.
WORD_CLASS_COUNTS: dict[str, tuple[int, int, int, int]] = {
    "en": (0, 0, 0, 0),
    "ru": (32, 4, 1526, 886),
    "uk": (88, 2547, 48, 1211),
    "be": (2346, 346, 309, 639),
    "kk": (2488, 72, 194, 215),
}
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]+(?:['’ʼ-][\u0400-\u04ff]+)*")
_APOSTROPHES = ("’", "ʼ")  # the Ukrainian dictionary spells п'ять with U+0027

# First word of a letter's Unicode name -> ISO 15924 code.
SCRIPTS = {
    "LATIN": "Latn",
    "CYRILLIC": "Cyrl",
    "GREEK": "Grek",
    "ARABIC": "Arab",
    "HEBREW": "Hebr",
    "ARMENIAN": "Armn",
    "GEORGIAN": "Geor",
    "DEVANAGARI": "Deva",
    "THAI": "Thai",
    "HANGUL": "Hang",
    "HIRAGANA": "Hira",
    "KATAKANA": "Kana",
    "CJK": "Hani",
}

# Hashtags, @mentions, links and e-mail addresses carry no evidence of the language of the sentence around them.
_NON_EVIDENCE = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|[#@][\w.-]+", re.UNICODE)
# The same on a text without "@" (most texts): the e-mail branch, which the engine tries at every position, cannot
# match there, and neither can a mention.
_NON_EVIDENCE_WITHOUT_AT = re.compile(r"(?:https?://|www\.)\S+|#[\w.-]+", re.UNICODE)


@dataclass(frozen=True)
class LangidConfig:
    """The `langid:` section of config/config.yaml; missing keys take these documented defaults."""

    languages: tuple[str, ...] = ("en", "ru", "uk", "be", "kk")
    min_letters: int = 3
    min_score: float = 0.4
    fasttext_weight: float = 0.2
    foreign_letter_penalty: float = 0.2
    fasttext_sure: float = 0.99
    fasttext_agree: float = 0.9
    word_list_agree_margin: float = 0.05
    other_language_probability: float = 0.75
    other_language_min_letters: int = 20
    lingua_max_chars: int = 1000
    lingua_low_accuracy_letters: int = 60
    document_min_share: float = 0.2
    word_list_weight: float = 0.5

    @classmethod
    def from_dict(cls, section: Mapping[str, Any] | None) -> LangidConfig:
        section = dict(section or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(section) - known)
        if unknown:
            raise ValueError(f"unknown langid config keys: {unknown}")
        if "languages" in section:
            section["languages"] = tuple(str(code).lower() for code in section["languages"])
        return cls(**section)


class Tag(NamedTuple):
    language: str
    score: float
    script: str
    letters: int = 0  # letters of the evidence (text without hashtags, mentions, links): its weight in a document


class Detector:
    """Both models, loaded once. lingua loads the models of the configured languages only, and each on first use
    (a job that never asks lingua, e.g. on English text, never loads one)."""

    def __init__(self, config: LangidConfig, fasttext_model: Path | None = None) -> None:
        import fasttext  # from fasttext-predict-v2
        from lingua import IsoCode639_1, LanguageDetectorBuilder

        self._builder = LanguageDetectorBuilder
        self._iso = IsoCode639_1
        self.languages = config.languages
        self.lingua = self._lingua_for(config.languages)
        self.fasttext = fasttext.load_model(str(fasttext_model or FASTTEXT_MODEL))
        self.lexicons = load_lexicons()
        # A word's class from both word lists in one cached lookup (word frequencies are Zipfian).
        self.word_class = lru_cache(maxsize=1 << 17)(self._word_class)

    def _word_class(self, word: str) -> WordClass:
        return self.lexicons["ru"].knows(word), self.lexicons["uk"].knows(word)

    def word_classes(self, words: Iterable[str]) -> Counter[WordClass]:
        """`word_classes(words, self.lexicons)`, from the cache of word classes."""
        return Counter(map(self.word_class, words))

    def clear_caches(self) -> None:
        """Forget every word looked up (for timing runs that must start cold)."""
        self.word_class.cache_clear()
        for lexicon in self.lexicons.values():
            lexicon.clear_cache()

    @lru_cache(maxsize=64)  # noqa: B019 - one detector object lives for the whole step
    def _lingua_for(self, languages: tuple[str, ...], low_accuracy: bool = False) -> Any:
        """A lingua detector over `languages`. lingua shares loaded models between detectors, so a detector per
        subset costs no memory; scoring fewer languages is faster. Low accuracy mode scores trigrams only."""
        codes = [getattr(self._iso, code.upper()) for code in languages]
        builder = self._builder.from_iso_codes_639_1(*codes)
        if low_accuracy:
            builder = builder.with_low_accuracy_mode()
        return builder.build()

    def fasttext_probabilities(self, text: str) -> dict[str, float]:
        """fastText's top-10 labels (any of its 176 languages) and their probabilities.

        The model's own predict (`self.fasttext.f`) is called as FastText.predict calls it, one line ending in a
        newline, without that wrapper's checks and tuple shuffling: it runs once per paragraph."""
        predictions = self.fasttext.f.predict(text.replace("\n", " ") + "\n", 10, 0.0, "strict")
        return {self._language_of_label(label): probability for probability, label in predictions}

    @staticmethod
    @lru_cache(maxsize=None)
    def _language_of_label(label: str) -> str:
        return label.removeprefix("__label__")

    def lingua_confidences(
        self, text: str, max_chars: int, languages: tuple[str, ...], low_accuracy: bool = False
    ) -> dict[str, float]:
        """lingua's confidence over `languages` (some of the configured ones), in low accuracy mode if asked.

        lingua-py 2.1.1 rules Ukrainian out whenever the text contains щ (a letter of the Ukrainian alphabet;
        fixed upstream in pemistahl/lingua#193), so щ is read as ш, which every candidate alphabet has. Long text is
        cut to `max_chars`: lingua's cost grows with length and a paragraph's first sentences settle it.
        """
        if len(languages) == 1:
            return {languages[0]: 1.0}
        text = text[:max_chars].replace("щ", "ш").replace("Щ", "Ш")
        return {
            value.language.iso_code_639_1.name.lower(): value.value
            for value in self._lingua_for(languages, low_accuracy).compute_language_confidence_values(text)
        }


def dictionary_paths() -> dict[str, str]:
    """Where the installed pymorphy3 dictionary packages keep their data, per language of LEXICON_LANGUAGES."""
    import pymorphy3_dicts_ru
    import pymorphy3_dicts_uk

    return {"ru": pymorphy3_dicts_ru.get_path(), "uk": pymorphy3_dicts_uk.get_path()}


class Lexicon:
    """The word forms of one language, from its pymorphy3 dictionary package."""

    def __init__(self, language: str) -> None:
        import pymorphy3

        analyzer = pymorphy3.MorphAnalyzer(path=dictionary_paths()[language], lang=language)
        self._is_known = analyzer.word_is_known
        # lru_cache: word frequencies are Zipfian, so most lookups repeat (a lookup costs about 5 µs, a hit 0.1 µs).
        self.knows = lru_cache(maxsize=1 << 16)(self._knows)

    def _knows(self, word: str) -> bool:
        """True when `word` (lower case) or, for a hyphenated compound, each of its parts is a known word form."""
        return self._is_known(word) or ("-" in word and all(map(self._is_known, filter(None, word.split("-")))))

    def clear_cache(self) -> None:
        self.knows.cache_clear()


def load_lexicons() -> dict[str, Lexicon]:
    """The word list of each language of LEXICON_LANGUAGES."""
    return {language: Lexicon(language) for language in LEXICON_LANGUAGES}


def cyrillic_words(text: str) -> list[str]:
    """The Cyrillic words of `text`, lower case, apostrophes unified."""
    text = text.lower()  # lower-casing keeps word boundaries
    for apostrophe in _APOSTROPHES:  # str.replace: several times faster than str.translate on non-ASCII text
        text = text.replace(apostrophe, "'")
    return _CYRILLIC_WORD.findall(text)


def word_classes(words: Iterable[str], lexicons: Mapping[str, Lexicon]) -> Counter[WordClass]:
    """How many of `words` fall in each class (known to the Russian list, known to the Ukrainian list)."""
    words = list(words)
    return Counter(zip(map(lexicons["ru"].knows, words), map(lexicons["uk"].knows, words)))


@lru_cache(maxsize=None)
def _log_class_probabilities(language: str) -> dict[WordClass, float] | None:
    counts = WORD_CLASS_COUNTS.get(language)
    if counts is None:
        return None
    total = sum(counts) + len(WORD_CLASSES)
    return {word_class: math.log((count + 1) / total) for word_class, count in zip(WORD_CLASSES, counts)}


def word_list_factors(classes: Mapping[WordClass, int], languages: Iterable[str], weight: float) -> dict[str, float]:
    """Each language's word-list factor in (0, 1]: `exp(weight * (its log-likelihood - the best one's))`.

    A language without counts in WORD_CLASS_COUNTS gets 1 (no evidence either way).
    """
    items = classes.items()
    log_likelihoods = {}
    for language in languages:
        log_probabilities = _log_class_probabilities(language)
        if log_probabilities is not None:
            total = 0.0  # summed in the order of `classes`, as sum() would: the same float
            for word_class, n in items:
                total += n * log_probabilities[word_class]
            log_likelihoods[language] = total
    best = max(log_likelihoods.values(), default=0.0)
    return {
        language: math.exp(weight * (log_likelihoods[language] - best)) if language in log_likelihoods else 1.0
        for language in languages
    }


# fastText's lid.176 model (quantized), shipped with the repository (resources/README.md gives its origin, licence
# and sha256): the fastText runtime we use ships no model, and the package that did cannot be installed beside it.
FASTTEXT_MODEL = Path(__file__).resolve().parents[2] / "resources" / "lid.176.ftz"


def build_detector(config: LangidConfig, fasttext_model: Path | None = None) -> Detector:
    return Detector(config, fasttext_model)


def evidence_text(text: str) -> str:
    """The text without hashtags, mentions, links and e-mail addresses."""
    if not may_hold_non_evidence(text):
        return text
    return (_NON_EVIDENCE if "@" in text else _NON_EVIDENCE_WITHOUT_AT).sub(" ", text)


def may_hold_non_evidence(text: str) -> bool:
    """False when `text` has none of the characters every _NON_EVIDENCE match needs (most paragraphs): substring
    tests are much faster than a regular expression's scan."""
    return "#" in text or "@" in text or "http" in text or "www." in text


# What counts as a letter, a Cyrillic letter and a basic Latin letter (counted in bulk: `letter_counts` below).
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")
_BASIC_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
_NOT_LETTER = re.compile(r"[\W\d_]+")


def count_letters(text: str) -> int:
    return letter_counts([text])[0].letters


def scripts_present(text: str) -> frozenset[str]:
    """Which of Cyrl and Latn have at least one letter in `text`."""
    found = set()
    if _CYRILLIC_LETTER.search(text):
        found.add("Cyrl")
    if _BASIC_LATIN_LETTER.search(text):
        found.add("Latn")
    return frozenset(found)


def script_allows(language: str, scripts: frozenset[str]) -> bool:
    """False when `language` has a known script and the text has no letter of it."""
    script = LANGUAGE_SCRIPTS.get(language)
    return script is None or script in scripts


@lru_cache(maxsize=4096)
def _script_of_letter(char: str) -> str:
    name = unicodedata.name(char, "")
    return SCRIPTS.get(name.split(" ", 1)[0], UNKNOWN_SCRIPT)


def dominant_script(text: str, counts: Sequence[int] | None = None) -> str:
    """ISO 15924 code of the script most letters are written in; Zyyy when there are no letters. `counts` is the
    text's LetterCounts (or its first three counts) when the caller has them already."""
    letters, cyrillic, latin = (letter_counts([text])[0] if counts is None else counts)[:3]
    if letters == 0:
        return NO_SCRIPT
    # Shortcut for our sources: Cyrillic or Latin holding a majority settles it without naming every letter.
    if cyrillic * 2 > letters or latin * 2 > letters:
        return "Cyrl" if cyrillic > latin else "Latn"
    scripts = Counter(_script_of_letter(char) for char in text if char.isalpha())
    return max(sorted(scripts), key=scripts.__getitem__)


@lru_cache(maxsize=None)
def _foreign_letter_pattern(language: str) -> re.Pattern[str] | None:
    """Matches a Cyrillic letter, either case, that is not in the alphabet of `language`."""
    alphabet = ALPHABETS.get(language)
    if alphabet is None:
        return None
    foreign = "".join(
        char for char in map(chr, range(0x400, 0x500)) if char.isalpha() and char.lower() not in alphabet
    )
    return re.compile(f"[{re.escape(foreign)}]")


def foreign_letters(text: str, language: str) -> int:
    """How many Cyrillic letters of `text` are missing from the alphabet of `language` (0 if we have none)."""
    pattern = _foreign_letter_pattern(language)
    return 0 if pattern is None else len(pattern.findall(text))


# --- Letters counted in bulk --------------------------------------------------------------------------------------
# What a text's letters are is defined by the regular expressions above (a letter: not `[\W\d_]`; Cyrillic:
# `[\u0400-\u04ff]`; basic Latin: `[A-Za-z\u00c0-\u024f]`; foreign to a language: `_foreign_letter_pattern`).
# `_classes` applies them to each code point once (the Basic Multilingual Plane when first needed, any other code
# point when a text first holds it), so counting a batch of texts is a table lookup and a sum per text in numpy
# instead of several regular-expression passes over each text: the same counts (tests/test_langid.py); the evidence
# of the 123,025 distinct paragraphs of one 50,000-post shard took 1.2 s instead of 3.5 s.
FOREIGN_LANGUAGES = tuple(ALPHABETS)  # the languages whose foreign letters are counted, in a fixed order
_LETTER, _CYRILLIC, _BASIC_LATIN = 1, 2, 4
_FOREIGN = {language: 8 << k for k, language in enumerate(FOREIGN_LANGUAGES)}
_FOREIGN_INDEX = {language: k for k, language in enumerate(FOREIGN_LANGUAGES)}
_BITS = (_LETTER, _CYRILLIC, _BASIC_LATIN, *_FOREIGN.values())  # the columns of letter_counts, in LetterCounts order


class LetterCounts(NamedTuple):
    """A text's letters: how many, how many Cyrillic and basic Latin ones, and per language of FOREIGN_LANGUAGES (in
    that order) how many Cyrillic letters its alphabet lacks."""

    letters: int
    cyrillic: int
    latin: int
    foreign: tuple[int, ...]


def foreign_count(foreign: tuple[int, ...], language: str) -> int:
    """`language`'s entry of LetterCounts.foreign (0 for a language without an alphabet in ALPHABETS)."""
    index = _FOREIGN_INDEX.get(language)
    return 0 if index is None else foreign[index]


def _class_table(chars: str) -> np.ndarray:
    """The class bits of each character of `chars`, from one pass of each defining pattern over them."""
    bits = np.zeros(len(chars), dtype=np.uint8)
    letter = np.ones(len(chars), dtype=bool)
    for match in _NOT_LETTER.finditer(chars):
        letter[match.start():match.end()] = False
    bits[letter] |= _LETTER
    patterns = [(_CYRILLIC_LETTER, _CYRILLIC), (_BASIC_LATIN_LETTER, _BASIC_LATIN)]
    patterns += [(_foreign_letter_pattern(language), bit) for language, bit in _FOREIGN.items()]
    for pattern, bit in patterns:
        bits[[match.start() for match in pattern.finditer(chars)]] |= bit
    return bits


@lru_cache(maxsize=1)
def _basic_plane_classes() -> np.ndarray:
    return _class_table("".join(map(chr, range(0x10000))))


def _classes(codes: np.ndarray) -> np.ndarray:
    """The class bits of each code point."""
    bits = _basic_plane_classes()[np.minimum(codes, 0xFFFF)]
    beyond = codes > 0xFFFF
    if beyond.any():  # emoji and rare scripts: few distinct code points
        values, inverse = np.unique(codes[beyond], return_inverse=True)
        bits[beyond] = _class_table("".join(map(chr, values.tolist())))[inverse]
    return bits


# Which of LetterCounts' counts each of the 128 class bytes adds to: a histogram of class bytes per text, times this.
_COUNTED = np.array([[bool(value & bit) for bit in _BITS] for value in range(128)], dtype=np.int64)
_COUNTED_COLUMNS = [np.flatnonzero(counted).tolist() for counted in _COUNTED]  # the same, per class byte
_NUMPY_FROM_CHARS = 2000  # texts of fewer characters in all are counted in Python


def _count_rows(texts: Sequence[str]) -> list[list[int]]:
    """Per text, its counts in LetterCounts order (foreign ones flat). Many texts are counted in one numpy pass: a
    histogram of the class bytes of each text's code points (one bincount), times the counts each class byte adds
    to. A few short texts (a single paragraph) are counted in Python, where numpy's set-up would cost more than the
    counting: the same class table, so the same counts."""
    if sum(map(len, texts)) < _NUMPY_FROM_CHARS:
        return [_count_row(text) for text in texts]
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    text_of = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    histogram = np.bincount(text_of * 128 + _classes(codes), minlength=len(texts) * 128).reshape(len(texts), 128)
    return (histogram @ _COUNTED).tolist()


@lru_cache(maxsize=1)
def _class_characters() -> dict[int, str]:
    """str.translate table: each code point of the Basic Multilingual Plane -> the character of its class byte."""
    return dict(enumerate(map(chr, _basic_plane_classes().tolist())))


def _count_row(text: str) -> list[int]:
    row = [0] * len(_BITS)
    for value, n in Counter(text.translate(_class_characters())).items():
        code = ord(value)  # a class byte, or a code point beyond the Basic Multilingual Plane (not translated)
        for column in _COUNTED_COLUMNS[code if code < 128 else int(_class_table(value)[0])]:
            row[column] += n
    return row


def letter_counts(texts: Sequence[str]) -> list[LetterCounts]:
    """The LetterCounts of each text."""
    return [LetterCounts(row[0], row[1], row[2], tuple(row[3:])) for row in _count_rows(texts)]


def _normalised(scores: Mapping[str, float], languages: Iterable[str]) -> dict[str, float]:
    values = {language: scores.get(language, 0.0) for language in languages}
    total = sum(values.values())
    return {language: (value / total if total > 0 else 0.0) for language, value in values.items()}


def fasttext_weight(letters: int, config: LangidConfig) -> float:
    """fastText's share of the fused score: smaller on short text, where lingua is the better model."""
    return SHORT_TEXT_FASTTEXT_WEIGHT if letters < SHORT_TEXT_LETTERS else config.fasttext_weight


def fuse(
    fasttext_probabilities: Mapping[str, float],
    lingua_confidences: Mapping[str, float],
    foreign: Mapping[str, int],
    word_lists: Mapping[str, float],
    allowed: Mapping[str, bool],
    w: float,
    config: LangidConfig,
) -> dict[str, float]:
    """Fused, renormalised score of each configured language (the module docstring gives the rule).

    `foreign` is the number of letters outside each language's alphabet, `word_lists` the word-list factor (see
    `word_list_factors`), `allowed` whether the text has a letter of the language's script, `w` fastText's weight.
    """
    fasttext_share = _normalised(fasttext_probabilities, config.languages)
    lingua_share = _normalised(lingua_confidences, config.languages)
    scores = {
        language: (w * fasttext_share[language] + (1 - w) * lingua_share[language])
        * config.foreign_letter_penalty ** min(foreign[language], MAX_PENALISED_LETTERS)
        * word_lists[language]
        * allowed[language]
        for language in config.languages
    }
    return _normalised(scores, config.languages)


def other_language_probability(fasttext_probabilities: Mapping[str, float], languages: Iterable[str]) -> float:
    """fastText's probability that the text is in none of `languages` (lingua cannot tell: it knows only ours)."""
    return max(0.0, 1.0 - sum(fasttext_probabilities.get(language, 0.0) for language in languages))


def probability(value: float) -> float:
    """A score as stored: in [0, 1] by construction (fastText's float32 softmax can give 1.000009), 6 decimals."""
    return round(min(1.0, max(0.0, value)), 6)


class Evidence(NamedTuple):
    """What language ID reads of a paragraph: its script, the text without hashtags, mentions and links, the letters
    of that text, and per language of FOREIGN_LANGUAGES how many of its Cyrillic letters that alphabet lacks."""

    script: str
    text: str
    letters: int
    foreign: tuple[int, ...]


def paragraph_evidences(texts: Sequence[str]) -> list[Evidence]:
    """The evidence of each paragraph. Letters are counted for all texts at once, and counted again only for the
    texts that lose hashtags, mentions or links (their evidence is not the text)."""
    rows = _count_rows(texts)
    stripped = {i: evidence_text(text) for i, text in enumerate(texts) if may_hold_non_evidence(text)}
    stripped_rows = dict(zip(stripped, _count_rows(list(stripped.values()))))
    evidences = []
    for i, (text, row) in enumerate(zip(texts, rows)):
        evidence, evidence_row = (stripped[i], stripped_rows[i]) if i in stripped else (text, row)
        evidences.append(Evidence(dominant_script(text, row), evidence, evidence_row[0], tuple(evidence_row[3:])))
    return evidences


def paragraph_evidence(text: str) -> Evidence:
    """The evidence of one paragraph (as `paragraph_evidences`)."""
    return paragraph_evidences([text])[0]


def tag_paragraph(text: str, detector: Detector, config: LangidConfig) -> Tag:
    """Language (ISO 639-1 or `und`), score in [0, 1] and ISO 15924 script of one paragraph."""
    evidence = paragraph_evidence(text)
    return decide(evidence, fasttext_of(evidence, detector, config), detector, config)


def fasttext_of(paragraph: Evidence, detector: Detector, config: LangidConfig) -> dict[str, float]:
    """fastText's top-10 probabilities on the paragraph's evidence; none when it has too few letters to tag."""
    return detector.fasttext_probabilities(paragraph.text) if paragraph.letters >= config.min_letters else {}


def decide(paragraph: Evidence, fasttext_probabilities: Mapping[str, float], detector: Detector,
           config: LangidConfig) -> Tag:
    """The tag of a paragraph from its evidence and fastText's top-10 probabilities on it (the module docstring
    gives the rule)."""
    script, evidence, letters, foreign_of = paragraph
    if letters < config.min_letters:
        return Tag(UND, 0.0, script, letters)
    if (
        letters >= config.other_language_min_letters
        and other_language_probability(fasttext_probabilities, config.languages) >= config.other_language_probability
    ):
        return Tag(UND, 0.0, script, letters)
    top = max(fasttext_probabilities, key=fasttext_probabilities.__getitem__)
    fasttext_top_fits = (letters >= SURE_MIN_LETTERS and top in config.languages
                         and not foreign_count(foreign_of, top))
    if fasttext_top_fits and fasttext_probabilities[top] >= config.fasttext_sure:
        return Tag(top, probability(fasttext_probabilities[top]), script, letters)
    classes = detector.word_classes(cyrillic_words(evidence[: config.lingua_max_chars]))
    word_lists = word_list_factors(classes, config.languages, config.word_list_weight)
    if fasttext_top_fits and fasttext_probabilities[top] >= config.fasttext_agree and word_lists_agree(
            top, word_lists, config.word_list_agree_margin):
        return Tag(top, probability(fasttext_probabilities[top]), script, letters)
    foreign = {language: foreign_count(foreign_of, language) for language in config.languages}
    scripts = scripts_present(evidence)
    allowed = {language: script_allows(language, scripts) for language in config.languages}
    if not any(allowed.values()):  # letters of neither script (e.g. Greek): let the scores decide, then min_score
        allowed = dict.fromkeys(config.languages, True)
    # A language missing MAX_PENALISED_LETTERS letters of the text from its alphabet is out of the running already
    # (its score is multiplied by penalty**3), and so is one whose script the text lacks; lingua need not score
    # them. When that leaves no language with a Cyrillic alphabet (mixed or noisy text), lingua scores every
    # language the script allows.
    plausible = tuple(lang for lang in config.languages if allowed[lang] and foreign[lang] < MAX_PENALISED_LETTERS)
    if not any(lang in ALPHABETS for lang in plausible):
        plausible = tuple(lang for lang in config.languages if allowed[lang])
    low_accuracy = letters >= config.lingua_low_accuracy_letters
    lingua_confidences = detector.lingua_confidences(evidence, config.lingua_max_chars, plausible, low_accuracy)
    scores = fuse(
        fasttext_probabilities,
        lingua_confidences,
        foreign,
        word_lists,
        allowed,
        fasttext_weight(letters, config),
        config,
    )
    language = max(config.languages, key=scores.__getitem__)
    if scores[language] < config.min_score:
        return Tag(UND, 0.0, script, letters)
    return Tag(language, probability(scores[language]), script, letters)


def word_lists_agree(language: str, word_lists: Mapping[str, float], margin: float) -> bool:
    """`language` is the word lists' best, and every other Cyrillic language's factor is at most `margin`."""
    return word_lists[language] == 1.0 and all(
        factor <= margin for other, factor in word_lists.items() if other != language and other in ALPHABETS)


FASTTEXT_BATCH = 16384  # paragraphs whose fastText probabilities are computed in one run


def tag_paragraphs(texts: Iterable[str], detector: Detector, config: LangidConfig) -> list[Tag]:
    """Tags of many paragraphs (as `tag_paragraph`); a text seen before in this call is not tagged again (channels
    repeat lines).

    fastText runs on FASTTEXT_BATCH new paragraphs at a time before any of them is decided. Run between lingua's and
    the word lists' lookups it was slower, most likely because its tables fall out of the CPU caches: the paragraphs
    of 50,000 synthetic posts took 21.3 s that way, 17.9 s in batches, with the same tags.
    """
    seen: dict[str, Tag] = {}
    tags: list[Tag] = []
    texts = iter(texts)
    while chunk := list(itertools.islice(texts, FASTTEXT_BATCH)):
        new = [text for text in dict.fromkeys(chunk) if text not in seen]
        evidence = paragraph_evidences(new)
        probabilities = [fasttext_of(paragraph, detector, config) for paragraph in evidence]
        for text, paragraph, fasttext_probabilities in zip(new, evidence, probabilities, strict=True):
            seen[text] = decide(paragraph, fasttext_probabilities, detector, config)
        tags += map(seen.__getitem__, chunk)
    return tags


class DocumentTag(NamedTuple):
    language: str
    languages: list[str]
    is_mixed_language: bool
    score: float


def tag_document(tags: Iterable[Tag], config: LangidConfig) -> DocumentTag:
    """Aggregate the tags of a document's paragraphs, weighted by their letters (`Tag.letters`).

    `language` holds most letters among the tagged paragraphs; `languages` every language with at least
    `document_min_share` of them (most letters first). The score is the letter-weighted paragraph score of
    `language` over all letters with a language, so a half-English half-Russian document scores about 0.5.
    """
    letters: Counter[str] = Counter()
    weighted_score: Counter[str] = Counter()
    for tag in tags:
        if tag.language == UND:
            continue
        n = tag.letters
        letters[tag.language] += n
        weighted_score[tag.language] += n * tag.score
    total = sum(letters.values())
    if total == 0:
        return DocumentTag(UND, [], False, 0.0)
    ranked = sorted(letters, key=lambda language: (-letters[language], language))
    language = ranked[0]
    languages = [lang for lang in ranked if letters[lang] / total >= config.document_min_share]
    return DocumentTag(language, languages, len(languages) > 1, probability(weighted_score[language] / total))


def add_language_columns(
    documents: pl.DataFrame, paragraphs: pl.DataFrame, detector: Detector, config: LangidConfig
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The parse-stage tables with the langid-stage columns added (documents: language, languages,
    is_mixed_language, language_score; paragraphs: language, language_score, script)."""
    tags = tag_paragraphs(progress(paragraphs["text"].to_list(), "langid", "paragraphs"), detector, config)
    paragraphs = paragraphs.with_columns(
        pl.Series("language", [t.language for t in tags], dtype=pl.String),
        pl.Series("language_score", [t.score for t in tags], dtype=pl.Float64),
        pl.Series("script", [t.script for t in tags], dtype=pl.String),
    )
    by_document: dict[str, list[Tag]] = {}
    for doc_id, tag in zip(paragraphs["doc_id"].to_list(), tags):
        by_document.setdefault(doc_id, []).append(tag)
    document_tags = [tag_document(by_document.get(doc_id, []), config) for doc_id in documents["doc_id"].to_list()]
    documents = documents.with_columns(
        pl.Series("language", [t.language for t in document_tags], dtype=pl.String),
        list_series("languages", [t.languages for t in document_tags], pl.List(pl.String)),
        pl.Series("is_mixed_language", [t.is_mixed_language for t in document_tags], dtype=pl.Boolean),
        pl.Series("language_score", [t.score for t in document_tags], dtype=pl.Float64),
    )
    return documents, paragraphs
