"""Explainable cross-lingual translation links between documents (no embedding model: evidence you can read).

Candidates are pairs of documents in different languages that share a rare anchor (a number, a transliterated
name or a glossary concept) or that stand close together in one feed (`neighbour_window` posts). Each candidate gets
six kinds of evidence in [0, 1]:
- numbers: Dice overlap of the numbers and dates in both texts, normalized (1'000 = 1 000 = 1,000 = 1000;
  `6 тыс.` = 6000; `80-летия` = `80th` = 80; XXI = 21; month names in either language become `m<1-12>`);
- entities: capitalized words and hashtag parts, Cyrillic transliterated to Latin (BGN/PCGN-like table below),
  matched when one skeleton is a prefix of the other (Russian case endings), weighted by rarity in the corpus;
- glossary: concepts of the bilingual glossary (config/translation_glossary.yaml: institutions, titles, places,
  acronyms such as ОДКБ = CSTO, embassy = посольство) named on both sides, weighted by rarity like entities;
- length: ratio of the shorter to the longer text;
- position: nearness in the same feed (`exp(-gap / position_scale)`; 0 across sources);
- time: nearness in time in the same feed, for times known to the minute (`exp(-minutes / time_scale_minutes)`),
  since a channel posts its two versions minutes apart.
The weighted mean of the evidence that can exist for the pair (no position or time across feeds, no time unless
both are known to the minute, no numbers, names or concepts when neither text has any) is compared to a threshold,
and a pair that shares fewer than `min_shared` pieces of content (numbers, matched names, glossary concepts) is never
linked, however close in time. Then pairs are matched one-to-one greedily by score
(ties: the smaller pair of doc ids), so each document has at most one translation. Linked documents share the group
`tr/<smallest doc_id>`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from infospace.progress import progress
from infospace.schema import UNDETERMINED_LANGUAGE
from infospace.tables import list_series
from infospace.yamlfile import read_yaml

GLOSSARY_FILE = Path(__file__).resolve().parents[2] / "config" / "translation_glossary.yaml"

DEFAULT_CONFIG: dict[str, Any] = {
    "threshold": 0.51,
    "weights": {"numbers": 0.2, "entities": 0.2, "glossary": 0.3, "length": 0.0, "position": 0.1, "time": 0.1},
    "min_shared": 4,
    "min_length_ratio": 0.5,
    "position_scale": 3.0,
    "time_scale_minutes": 30.0,
    "neighbour_window": 3,
    "min_prefix": 4,
    "max_anchor_documents": 50,
}

# Cyrillic -> Latin, BGN/PCGN-like (Russian, with Belarusian/Ukrainian/Kazakh letters folded to the nearest
# Latin). Hand-written because no transliteration package is installed and 40 letters fit in two lines.
_CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґўқғңүұһәө"
_LATIN = ("a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya i yi ye g u k g n u u h a o"
          .split())
TRANSLIT = {c: ("" if lat == "-" else lat) for c, lat in zip(_CYRILLIC, _LATIN, strict=True)}

MONTHS = {
    **{m: i for i, m in enumerate(("январ", "феврал", "март", "апрел", "ма", "июн", "июл", "август", "сентябр",
                                   "октябр", "ноябр", "декабр"), 1)},
    **{m: i for i, m in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                   "september", "october", "november", "december"), 1)},
}
# Each pattern starts with one character class (or alternatives that each start with one letter), so that Python's
# engine skips ahead to the next character that can start a match, in C, instead of trying the pattern at every
# position. A word boundary before that first character is checked just after it: `(?<!\w.)` (the character before
# it is no word character). tests/test_translation.py checks them against their plain forms (`\b(...)...`).
_MONTH_STEM = "|".join(f"{stem[0]}(?<!\\w.){stem[1:]}" for stem in (
    "январ", "феврал", "м(?:арта?|а[яй])", "а(?:прел|вгуста?)", "ию[нл]", "сентябр", "октябр", "ноябр", "декабр"))
_MONTH_NAME = "|".join(f"{name[0]}(?<!\\w.){name[1:]}" for name in (
    "J(?:anuary|une|uly)", "February", "M(?:arch|ay)", "A(?:pril|ugust)", "September", "October", "November",
    "December"))
# A Russian month is its stem and the rest of its word ("марта", "майские"); an English one is the whole word.
_MONTH_WORD = re.compile(f"(?:{_MONTH_STEM})[а-я]*|(?:{_MONTH_NAME})\\b")
# Every word _MONTH_WORD finds holds one of these, so a text that holds none needs no scan: substring tests are much
# cheaper than the pattern, whose first letters are among the commonest (a 50,000-post shard: 1.4 s -> 1.0 s).
_MONTH_SUBSTRINGS = ("январ", "феврал", "март", "апрел", "мая", "май", "июн", "июл", "август", "сентябр", "октябр",
                     "ноябр", "декабр", "January", "February", "March", "April", "May", "June", "July", "August",
                     "September", "October", "November", "December")
_DATE = re.compile(r"(\d(?<!\w\d)\d?)\.(\d{1,2})\.(\d{4})\b")
_NUMBER = re.compile(r"(\d(?<![\d.,]\d)(?:\d{0,2}(?:[ '’\u00a0\u202f,]\d{3})+|\d*))(?:[.,](\d{1,2})(?!\d))?"
                     r"(\s*(?:тыс|thousand|млн|million|млрд|billion)\b)?", re.IGNORECASE)
_MULTIPLIER = {"тыс": 1_000, "thousand": 1_000, "млн": 1_000_000, "million": 1_000_000, "млрд": 10**9,
               "billion": 10**9}
_ROMAN = re.compile(r"[IVXLC](?<!\w[IVXLC])[IVXLC]{1,5}\b")
_ROMAN_VALUE = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_NOT_DIGIT = re.compile(r"\D")
# A capitalized word not opening a sentence (sentence starts are capitalized in any language, names are not): a
# capitalized word right after a period, or after a space that follows a word character or punctuation. The capital
# is matched first (so the engine skips ahead to the next capital in C), then what stands before it, by look-behind.
_CAPITALIZED = re.compile(r"[A-ZА-ЯЁ](?:(?<=\.[A-ZА-ЯЁ])|(?<=[\w,:;«»\"“”()–—-] [A-ZА-ЯЁ]))[a-zа-яё]{2,}")
_HASHTAG = re.compile(r"#(\w+)")
_CAMEL_PART = re.compile(r"[A-ZА-ЯЁ][a-zа-яё]+|[A-ZА-ЯЁ]+(?![a-zа-яё])")


@dataclass(frozen=True)
class Glossary:
    """Bilingual term entries (ru, en, source category) and the concept of each: entries that share a Russian or an
    English term are one concept, named by its first entry (file order)."""
    entries: tuple[tuple[str, str, str], ...]
    concepts: tuple[int, ...]

    def concept_name(self, concept: int) -> str:
        ru, en, _ = self.entries[concept]
        return f"{ru}={en}"


def glossary_from_entries(entries: list[tuple[str, str, str]]) -> Glossary:
    """Glossary of (ru, en, source) entries; concepts by union-find over shared terms."""
    parent = list(range(len(entries)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[tuple[str, str], int] = {}
    for i, (ru, en, _) in enumerate(entries):
        for key in (("ru", ru), ("en", en)):
            j = first_with.setdefault(key, i)
            a, b = root(i), root(j)
            parent[max(a, b)] = min(a, b)
    return Glossary(entries=tuple(entries), concepts=tuple(root(i) for i in range(len(entries))))


def load_glossary(path: Path | str = GLOSSARY_FILE) -> Glossary:
    """The glossary file (`terms:` entries {ru, en, source}); each source must be defined under `sources:`."""
    data = read_yaml(path)
    sources = data.get("sources") or {}
    entries = []
    for number, term in enumerate(data.get("terms") or [], 1):
        missing = [key for key in ("ru", "en", "source") if not str(term.get(key) or "").strip()]
        if missing or term["source"] not in sources:
            problem = f"missing {', '.join(missing)}" if missing else f"source {term['source']!r} not under sources:"
            raise ValueError(f"{path}: term {number}: {problem}")
        entries.append((" ".join(term["ru"].split()), " ".join(term["en"].split()), term["source"]))
    return glossary_from_entries(entries)


@dataclass(frozen=True)
class TranslationConfig:
    threshold: float
    weights: dict[str, float]
    min_shared: int
    min_length_ratio: float
    position_scale: float
    time_scale_minutes: float
    neighbour_window: int
    min_prefix: int
    max_anchor_documents: int
    glossary: Glossary


def translation_config(raw: Mapping[str, Any] | None, glossary: Glossary | None = None) -> TranslationConfig:
    """Config section `translation` with documented defaults for missing keys; the glossary defaults to the
    repository's config/translation_glossary.yaml."""
    values = {**DEFAULT_CONFIG, **{k: v for k, v in dict(raw or {}).items() if k != "glossary_file"}}
    weights = {**DEFAULT_CONFIG["weights"], **dict(values["weights"] or {})}
    return TranslationConfig(threshold=float(values["threshold"]), weights=weights,
                             min_shared=int(values["min_shared"]),
                             min_length_ratio=float(values["min_length_ratio"]),
                             position_scale=float(values["position_scale"]),
                             time_scale_minutes=float(values["time_scale_minutes"]),
                             neighbour_window=int(values["neighbour_window"]), min_prefix=int(values["min_prefix"]),
                             max_anchor_documents=int(values["max_anchor_documents"]),
                             glossary=glossary if glossary is not None else load_glossary())


# ---------------------------------------------------------------------------------------------------------------
# Evidence extraction

@lru_cache(maxsize=1 << 16)  # names repeat across documents
def transliterate(text: str) -> str:
    """Lowercase Latin skeleton of a word: Cyrillic transliterated, spelling variants folded (y/j->i, x->ks,
    c->k, w->v, doubled letters single)."""
    latin = "".join(TRANSLIT.get(ch, ch) for ch in text.lower())
    latin = latin.replace("x", "ks").replace("y", "i").replace("j", "i").replace("w", "v").replace("c", "k")
    return re.sub(r"(.)\1+", r"\1", latin)


def _roman(token: str) -> int | None:
    values = [_ROMAN_VALUE[ch] for ch in token]
    total = sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))
    return total if 0 < total < 400 else None


def numbers_in(text: str) -> frozenset[str]:
    """Normalized numbers, ordinals, multiplied amounts, dates and month names of a text."""
    found: set[str] = set()
    dates = _DATE.findall(text)
    for day, month, year in dates:
        found.update({str(int(day)), f"m{int(month)}", year})
    if dates:
        text = _DATE.sub(" ", text)
    for integer, fraction, multiplier in _NUMBER.findall(text):
        value = int(_NOT_DIGIT.sub("", integer))
        if multiplier:
            value *= _MULTIPLIER[multiplier.strip().lower()[:8].rstrip(".")]
            found.add(str(value))
        else:
            found.add(f"{value}.{fraction}" if fraction else str(value))
    months = _MONTH_WORD.findall(text) if any(word in text for word in _MONTH_SUBSTRINGS) else ()
    for word in map(str.lower, months):
        found.add(f"m{MONTHS.get(word) or MONTHS[next(k for k in MONTHS if word.startswith(k))]}")
    for token in _ROMAN.findall(text):
        value = _roman(token)
        if value:
            found.add(str(value))
    return frozenset(found)


def entities_in(text: str) -> frozenset[str]:
    """Transliterated skeletons of capitalized words and of the parts of CamelCase hashtags."""
    words = set(_CAPITALIZED.findall(text))
    for tag in _HASHTAG.findall(text):
        words.update(_CAMEL_PART.findall(tag))
    return frozenset(s for s in (transliterate(w) for w in words if not w.isupper()) if len(s) >= 3)


# Glossary matching, word by word (see the file's header): a word in capitals matches only itself in capitals and as
# a whole word; a lower-case word of one or two letters matches that whole word in any case; a longer lower-case
# word is a stem that matches a word starting with it, in any case. All terms go into one trie-shaped pattern (one
# branch per next character), so the engine follows one path per word instead of trying hundreds of alternatives.
_EXACT, _FOLDED, _STEM_END, _WORD_END, _SPACE = "0", "1", "2", "3", "4"  # token kinds; letters sort first


def _term_tokens(term: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    for k, word in enumerate(term.split()):
        if k:
            tokens.append((_SPACE, ""))
        acronym = word.upper() == word and word.lower() != word
        tokens += [((_EXACT if acronym else _FOLDED), ch) for ch in word]
        tokens.append((_WORD_END if acronym or len(word) <= 2 else _STEM_END, ""))
    return tokens


def _token_pattern(kind: str, ch: str) -> str:
    if kind == _FOLDED and ch.lower() != ch.upper():
        return f"[{re.escape(ch.lower())}{re.escape(ch.upper())}]"
    return {_STEM_END: r"\w*", _WORD_END: r"(?!\w)", _SPACE: r"\s+"}.get(kind, re.escape(ch))


def _trie_pattern(node: dict, named: bool = True) -> str:
    """Children first (so the longest term wins), then the end of a term: a named empty group, or (`named` false)
    an empty branch, which matches the same text."""
    branches = [_token_pattern(*token) + _trie_pattern(child, named) for token, child in sorted(
        (item for item in node.items() if item[0] is not None), key=lambda item: item[0])]
    if None in node:
        branches.append(f"(?P<t{node[None]}>)" if named else "")
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


@dataclass(frozen=True)
class GlossaryMatcher:
    """Where the glossary's terms are in a text, and which ones.

    `scan` is the trie of every term, without groups: a match object copies every group of its pattern, and a
    group per term (1,280 of them) made a third of the matching time. `by_first` holds, per character a term can
    start with, the trie of those terms with a named group at each term's end (`t<n>`): matched at a place `scan`
    found, it names the term, the same match because it tries the same branches in the same order.
    `concepts_of` gives each term's concepts."""
    scan: re.Pattern[str]
    by_first: dict[str, re.Pattern[str]]
    concepts_of: dict[str, frozenset[int]]

    def terms_in(self, text: str) -> Iterator[str]:
        """The name of each term found (leftmost, longest, not overlapping), in text order."""
        for match in self.scan.finditer(text):
            start = match.start()
            yield self.by_first[text[start]].match(text, start).lastgroup

    def concepts_in(self, text: str) -> frozenset[int]:
        """The concepts of the terms found (`terms_in`, inlined: this runs once per document)."""
        found: set[int] = set()
        for match in self.scan.finditer(text):
            start = match.start()
            found.update(self.concepts_of[self.by_first[text[start]].match(text, start).lastgroup])
        return frozenset(found)


@lru_cache(maxsize=4)
def _glossary_matcher(glossary: Glossary) -> GlossaryMatcher:
    """The matcher of every term of both languages, with the concepts each term stands for: the term's own and those
    of the terms inside it ("UN General Assembly" also names the UN and a general assembly), so a post that spells
    a name out and its translation that nests it differently still share concepts."""
    trie: dict = {}
    terms: dict[str, tuple[str, int]] = {}
    for (ru, en, _), concept in zip(glossary.entries, glossary.concepts, strict=True):
        for term in (ru, en):
            node = trie
            for token in _term_tokens(term):
                node = node.setdefault(token, {})
            name = f"t{node.setdefault(None, len(terms))}"
            terms.setdefault(name, (term, concept))
    first = sorted({ch for token in trie if token is not None for ch in (token[1], token[1].upper())})
    # A term starts at a word start: no word character before it. When every first character is a word character,
    # that is \b before it, which the engine checks in one step (a look-behind costs a sub-match at every position).
    start = r"\b" if all(re.match(r"\w", ch) for ch in first) else ""
    scan = re.compile(f"{start}(?=[{''.join(map(re.escape, first))}])(?<!\\w)" + _trie_pattern(trie, named=False))
    starting_with: dict[str, dict] = {}
    for token, child in trie.items():
        kind, ch = token
        for char in (ch.lower() + ch.upper() if kind == _FOLDED else ch):
            starting_with.setdefault(char, {})[token] = child
    by_first = {char: re.compile(_trie_pattern(node)) for char, node in starting_with.items()}
    matcher = GlossaryMatcher(scan, by_first, {})
    own = {name: concept for name, (_, concept) in terms.items()}
    for name, (term, concept) in terms.items():
        words = term.split()
        inside = {own[found] for i in range(len(words)) for j in range(i + 1, len(words) + 1)
                  if (i, j) != (0, len(words)) for found in matcher.terms_in(" ".join(words[i:j]))}
        matcher.concepts_of[name] = frozenset({concept, *inside})
    return matcher


def glossary_in(text: str, glossary: Glossary) -> frozenset[int]:
    """Concepts of the glossary named in `text` (leftmost, longest terms, not overlapping, with the concepts of the
    terms inside them)."""
    if not glossary.entries:
        return frozenset()
    return _glossary_matcher(glossary).concepts_in(text)


@dataclass(frozen=True)
class Evidence:
    doc_id: str
    source_id: str
    position: int
    language: str
    n_chars: int
    minute: int | None  # minutes since 1970 when the time is known to the minute
    numbers: frozenset[str]
    entities: frozenset[str]
    glossary: frozenset[int]


FEATURE_SCHEMA = {"doc_id": pl.String, "minute": pl.Int64, "numbers": pl.List(pl.String),
                  "entities": pl.List(pl.String), "glossary": pl.List(pl.Int32)}
FEATURES = tuple(FEATURE_SCHEMA)[1:]
TIMED_PRECISIONS = ("second", "minute")


def minutes_known(documents: pl.DataFrame) -> pl.Series:
    """Minutes since 1970 of `published` where `published_precision` is a minute or finer, else null."""
    if "published" not in documents.columns or "published_precision" not in documents.columns:
        return pl.Series("minute", [None] * documents.height, dtype=pl.Int64)
    timed = pl.col("published_precision").is_in(TIMED_PRECISIONS)
    minute = (pl.col("published").cast(pl.Datetime("ms")).dt.epoch("s") // 60)
    return documents.select(pl.when(timed).then(minute).otherwise(None).cast(pl.Int64).alias("minute"))["minute"]


def translation_features(documents: pl.DataFrame, config: TranslationConfig) -> pl.DataFrame:
    """Per document (doc_id, text, published, published_precision): its time to the minute, numbers, entity
    skeletons and glossary concepts, sorted (per-shard job). One kind of feature at a time over all texts: a few per
    cent faster than all three per text, most likely because each kind's regular expressions stay in the CPU caches."""
    texts = documents["text"].to_list()
    numbers = [sorted(numbers_in(text)) for text in progress(texts, "translation features: numbers", "documents")]
    entities = [sorted(entities_in(text)) for text in progress(texts, "translation features: names", "documents")]
    # The matcher is looked up once: hashing the glossary (the key of its cache) costs more than a short text.
    matcher = _glossary_matcher(config.glossary) if config.glossary.entries else None
    glossary = [sorted(matcher.concepts_in(text)) if matcher else []
                for text in progress(texts, "translation features: glossary", "documents")]
    lists = {"numbers": numbers, "entities": entities, "glossary": glossary}
    return pl.DataFrame([documents["doc_id"], minutes_known(documents),
                         *(list_series(name, values, FEATURE_SCHEMA[name]) for name, values in lists.items())],
                        schema=FEATURE_SCHEMA)


# ---------------------------------------------------------------------------------------------------------------
# Scoring

def _prefix_match(a: str, b: str, min_prefix: int) -> bool:
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    stem = short[:max(min_prefix, len(short) - 2)]
    return long_.startswith(stem)


def _candidates(names: Iterable[str], compares_a_letter: bool) -> Callable[[str], Iterable[str]]:
    """For a name, the names of `names` it can prefix-match: those with the same first letter when every match
    compares at least one letter, else all. The entity score of a candidate pair compared every name of one post
    with every name of the other, and most of them start differently."""
    names = list(names)
    if not compares_a_letter:
        return lambda name: names
    by_first: dict[str, list[str]] = {}
    for other in names:
        by_first.setdefault(other[0], []).append(other)
    return lambda name: by_first.get(name[0], ())


def _dice(a: frozenset, b: frozenset) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def weighted_dice(a: frozenset, b: frozenset, weight: Mapping[Any, float]) -> float:
    """Dice overlap with each item weighted (rarer items weigh more)."""
    total = sum(weight[x] for x in a) + sum(weight[x] for x in b)
    return 2 * sum(weight[x] for x in a & b) / total if total else 0.0


def entity_score(a: frozenset[str], b: frozenset[str], weight: Mapping[str, float], min_prefix: int
                 ) -> tuple[float, list[str]]:
    """Weighted share of entities matched across the pair (Dice over rarity weights); also the matched names."""
    compares_a_letter = min_prefix >= 1 and "" not in a and "" not in b  # the stem is never empty
    in_b = _candidates(b, compares_a_letter)
    matched_a = {x for x in a if any(_prefix_match(x, y, min_prefix) for y in in_b(x))}
    in_matched_a = _candidates(matched_a, compares_a_letter)
    matched_b = {y for y in b if any(_prefix_match(x, y, min_prefix) for x in in_matched_a(y))}
    total = sum(weight[x] for x in a) + sum(weight[y] for y in b)
    score = (sum(weight[x] for x in matched_a) + sum(weight[y] for y in matched_b)) / total if total else 0.0
    return score, sorted(matched_a)


@dataclass(frozen=True)
class Link:
    doc_a: str
    doc_b: str
    score: float
    evidence: dict[str, Any]


@dataclass(frozen=True)
class Rarity:
    """Rarity weights, log(1 + n_documents / document frequency), of entity skeletons and glossary concepts."""
    entities: Mapping[str, float]
    glossary: Mapping[int, float]


def score_pair(a: Evidence, b: Evidence, rarity: Rarity, config: TranslationConfig,
               min_score: float | None = None) -> Link | None:
    """The pair's score and evidence; None when `min_score` is given and the (rounded) score is below it.

    Most candidate pairs score 0, by their length ratio or by sharing fewer than `min_shared` items. With a
    positive `min_score` those are rejected before the names are matched (at most every name of `a` can match),
    and the evidence is built only for pairs that are kept.
    """
    early = min_score is not None and min_score > 0
    length_ratio = min(a.n_chars, b.n_chars) / max(a.n_chars, b.n_chars, 1)
    shared_numbers, shared_glossary = a.numbers & b.numbers, a.glossary & b.glossary
    if early and (length_ratio < config.min_length_ratio
                  or len(shared_numbers) + len(a.entities) + len(shared_glossary) < config.min_shared):
        return None
    entities, matched = entity_score(a.entities, b.entities, rarity.entities, config.min_prefix)
    same_feed = a.source_id == b.source_id
    gap = abs(a.position - b.position) if same_feed else None
    minutes = abs(a.minute - b.minute) if same_feed and a.minute is not None and b.minute is not None else None
    features = {
        "numbers": _dice(a.numbers, b.numbers),
        "entities": entities,
        "glossary": weighted_dice(a.glossary, b.glossary, rarity.glossary),
        "length": length_ratio,
        "position": math.exp(-gap / config.position_scale) if gap is not None else 0.0,
        "time": math.exp(-minutes / config.time_scale_minutes) if minutes is not None else 0.0,
    }
    # Evidence that cannot exist for this pair is left out of the weighted mean instead of counting as a mismatch:
    # position and time across feeds, time unless both are known to the minute, and numbers, names or glossary
    # concepts when neither text has any.
    unknown = {"position": gap is None, "time": minutes is None, "numbers": not (a.numbers or b.numbers),
               "entities": not (a.entities or b.entities), "glossary": not (a.glossary or b.glossary)}
    known = [k for k in features if not unknown.get(k)]
    score = sum(config.weights[k] * features[k] for k in known) / (sum(config.weights[k] for k in known) or 1.0)
    shared = len(shared_numbers) + len(matched) + len(shared_glossary)
    if length_ratio < config.min_length_ratio or shared < config.min_shared:
        score = 0.0
    score = round(score, 4)
    if min_score is not None and score < min_score:
        return None
    evidence = {
        "features": {k: round(v, 4) for k, v in features.items()},
        "languages": [a.language, b.language],
        "shared_numbers": sorted(shared_numbers),
        "matched_entities": matched,
        "shared_glossary": sorted(config.glossary.concept_name(i) for i in shared_glossary),
        "position_gap": gap,
        "minutes_apart": minutes,
    }
    return Link(a.doc_id, b.doc_id, score, evidence)


def candidate_pairs(documents: pl.DataFrame, config: TranslationConfig) -> pl.DataFrame:
    """Pairs (doc_a < doc_b) in different determined languages that share at least one anchor (a number, the first
    `min_prefix` letters of an entity, a glossary concept) found in at most `max_anchor_documents` documents, or
    that stand at most `neighbour_window` posts apart in one feed.

    `documents` has doc_id, source_id, position, language and the feature lists. Done in polars on row numbers,
    not ids: an anchor's postings are joined with themselves only when the anchor is rare, one kind of anchor at a
    time, and each post meets only its few neighbours, so time and memory stay linear in the corpus. Anchors are
    compared by their 64-bit hash (a collision can only add a candidate, which is then scored like any other) and
    each kind runs on polars' streaming engine: a million posts have tens of millions of anchor postings.
    """
    prefix = config.min_prefix
    indexed = documents.sort("doc_id").with_row_index("i")  # row order is id order: i < j exactly when doc_a < doc_b
    n = max(indexed.height, 1)

    def code(first: str, second: str) -> pl.Expr:  # the pair (first < second) as one integer
        return (pl.col(first).cast(pl.Int64) * n + pl.col(second).cast(pl.Int64)).alias("code")

    found = []
    for column, value in (("numbers", pl.col("value")), ("entities", pl.col("value").str.slice(0, prefix)),
                          ("glossary", pl.col("value"))):
        anchors = (indexed.lazy().select("i", pl.col(column).alias("value")).explode("value").drop_nulls("value")
                   .select("i", value.hash().alias("anchor")).unique())
        counts = anchors.group_by("anchor").len().filter(pl.col("len").is_between(2, config.max_anchor_documents))
        rare = anchors.join(counts.select("anchor"), on="anchor", how="semi")
        found.append(rare.join(rare, on="anchor", suffix="_b").filter(pl.col("i") < pl.col("i_b"))
                     .select(code("i", "i_b")).unique().collect(engine="streaming"))
    places = indexed.select("i", "source_id", "position")
    for gap in range(1, config.neighbour_window + 1):
        near = places.with_columns(pl.col("position") + gap).join(places, on=["source_id", "position"], suffix="_b")
        found.append(near.select(pl.min_horizontal("i", "i_b").alias("a"), pl.max_horizontal("i", "i_b").alias("b"))
                     .select(code("a", "b")))
    pairs = (pl.concat(found).unique().sort("code")
             .select((pl.col("code") // n).alias("a"), (pl.col("code") % n).alias("b")))
    language = indexed["language"].fill_null(UNDETERMINED_LANGUAGE)
    first, second = language.gather(pairs["a"]), language.gather(pairs["b"])
    kept = pairs.filter((first != second) & (first != UNDETERMINED_LANGUAGE) & (second != UNDETERMINED_LANGUAGE))
    ids = indexed["doc_id"]
    return pl.DataFrame({"doc_a": ids.gather(kept["a"]), "doc_b": ids.gather(kept["b"])})


def rarity_weights(documents: pl.DataFrame) -> Rarity:
    """Rarity of each entity skeleton and glossary concept that occurs in `documents`."""
    n = documents.height

    def weights(column: str) -> dict[Any, float]:
        frequency = documents.select(column).explode(column).drop_nulls().group_by(column).len()
        return {value: math.log(1 + n / df) for value, df in frequency.iter_rows()}

    return Rarity(entities=weights("entities"), glossary=weights("glossary"))


def evidence_of(documents: pl.DataFrame) -> dict[str, Evidence]:
    """Evidence objects of some documents (doc_id, source_id, position, language, n_chars and the features)."""
    columns = ("doc_id", "source_id", "position", "language", "n_chars", "minute", "numbers", "entities", "glossary")
    return {row[0]: Evidence(*row[:6], frozenset(row[6]), frozenset(row[7]), frozenset(row[8]))
            for row in documents.select(columns).iter_rows()}


def greedy_one_to_one(links: list[Link], threshold: float) -> list[Link]:
    """Accepted links: best score first (ties: smaller doc ids), each document used at most once."""
    used: set[str] = set()
    accepted = []
    for link in sorted(links, key=lambda lk: (-lk.score, lk.doc_a, lk.doc_b)):
        if link.score < threshold:
            break
        if link.doc_a not in used and link.doc_b not in used:
            used.update((link.doc_a, link.doc_b))
            accepted.append(link)
    return sorted(accepted, key=lambda lk: (lk.doc_a, lk.doc_b))


SCORE_CHUNK_PAIRS = 100_000


def scored_links(documents: pl.DataFrame, pairs: pl.DataFrame, rarity: Rarity, config: TranslationConfig,
                 chunk: int | None = None) -> list[Link]:
    """The candidate pairs scored, keeping only those the report shows (score at least half the threshold).

    Pairs are scored `chunk` at a time, with Evidence objects for that chunk's documents only: a million posts give
    millions of candidates, and holding every Link and every document's Evidence at once took gigabytes.
    """
    chunk = chunk or SCORE_CHUNK_PAIRS
    kept: list[Link] = []
    for start in range(0, pairs.height, chunk):
        part = pairs.slice(start, chunk)
        involved = pl.concat([part["doc_a"], part["doc_b"]]).unique()
        evidence = evidence_of(documents.filter(pl.col("doc_id").is_in(involved.implode())))
        for a, b in part.iter_rows():
            link = score_pair(evidence[a], evidence[b], rarity, config, min_score=config.threshold / 2)
            if link is not None:
                kept.append(link)
    return kept


@dataclass(frozen=True)
class TranslationResult:
    groups: dict[str, str]  # doc_id -> translation_group
    report: dict[str, Any]  # JSON-ready evidence: accepted links and the rejected candidates


def link_translations(documents: pl.DataFrame,
                      config: Mapping[str, Any] | TranslationConfig | None = None) -> TranslationResult:
    """Find translation pairs among the kept `documents` (doc_id, source_id, position, language, n_chars, and
    either the FEATURES columns, as the workflow reads them from the signatures, or text) and give each pair a
    shared group."""
    cfg = config if isinstance(config, TranslationConfig) else translation_config(config)
    columns = ["doc_id", "source_id", "position", "language", "n_chars"]
    if set(FEATURES) <= set(documents.columns):
        documents = documents.select(*columns, *FEATURES).sort("doc_id")
    else:
        features = translation_features(documents, cfg)
        documents = documents.select(columns).join(features, on="doc_id", how="inner").sort("doc_id")
    rarity = rarity_weights(documents)
    pairs = candidate_pairs(documents, cfg)
    links = scored_links(documents, pairs, rarity, cfg)
    accepted = greedy_one_to_one(links, cfg.threshold)
    groups = {}
    for link in accepted:
        group = f"tr/{min(link.doc_a, link.doc_b)}"
        groups[link.doc_a] = groups[link.doc_b] = group
    accepted_keys = {(lk.doc_a, lk.doc_b) for lk in accepted}
    as_json = [{"doc_a": lk.doc_a, "doc_b": lk.doc_b, "score": lk.score, **lk.evidence} for lk in
               sorted(links, key=lambda lk: (lk.doc_a, lk.doc_b))]
    report = {
        "method": "weighted evidence (numbers, transliterated entities, glossary concepts, length ratio, feed "
                  "position, minutes apart), threshold, greedy one-to-one matching",
        "threshold": cfg.threshold,
        "weights": dict(sorted(cfg.weights.items())),
        "links": [{"group": groups[x["doc_a"]], **x} for x in as_json if (x["doc_a"], x["doc_b"]) in accepted_keys],
        "rejected": [x for x in as_json if (x["doc_a"], x["doc_b"]) not in accepted_keys],  # scored_links' cut-off
    }
    return TranslationResult(groups=groups, report=report)


def groups_frame(groups: Mapping[str, str]) -> pl.DataFrame:
    """doc_id -> translation_group as a frame, sorted by doc_id."""
    return pl.DataFrame({"doc_id": list(groups), "translation_group": list(groups.values())},
                        schema={"doc_id": pl.String, "translation_group": pl.String}).sort("doc_id")


def with_translation_groups(frame: pl.DataFrame, groups: pl.DataFrame | Mapping[str, str]) -> pl.DataFrame:
    """Set `translation_group` of documents or paragraphs from their `doc_id` (groups: a frame doc_id,
    translation_group, or a mapping)."""
    mapping = groups if isinstance(groups, pl.DataFrame) else groups_frame(groups)
    return (frame.drop("translation_group").join(mapping.select("doc_id", "translation_group"), on="doc_id",
                                                 how="left")
            .select(frame.columns))
