"""Explainable cross-lingual translation links between documents (no embedding model: evidence you can read).

For every pair of documents in different languages that share at least one anchor (a number, a transliterated
name or a glossary term), five kinds of evidence are scored in [0, 1]:
- numbers: Dice overlap of the numbers and dates in both texts, normalized (1'000 = 1 000 = 1,000 = 1000;
  `6 тыс.` = 6000; `80-летия` = `80th` = 80; XXI = 21; month names in either language become `m<1-12>`);
- entities: capitalized words and hashtag parts, Cyrillic transliterated to Latin (BGN/PCGN-like table below),
  matched when one skeleton is a prefix of the other (Russian case endings), weighted by rarity in the corpus;
- glossary: configured term pairs (acronyms such as ОДКБ = CSTO) present on both sides;
- length: ratio of the shorter to the longer text;
- position: nearness in the same feed (`exp(-gap / position_scale)`; 0 across sources).
The weighted sum is compared to a threshold, then pairs are matched one-to-one greedily by score (ties: the
smaller pair of doc ids), so each document has at most one translation. Linked documents share the group
`tr/<smallest doc_id>`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import polars as pl

from infospace.schema import UNDETERMINED_LANGUAGE

DEFAULT_CONFIG: dict[str, Any] = {
    "threshold": 0.5,
    "weights": {"numbers": 0.3, "entities": 0.3, "glossary": 0.1, "length": 0.15, "position": 0.15},
    "min_length_ratio": 0.5,
    "position_scale": 3.0,
    "min_prefix": 4,
    "max_anchor_documents": 50,
    "glossary": [
        ["ООН", "UN"], ["ОБСЕ", "OSCE"], ["ОДКБ", "CSTO"], ["ЕАЭС", "EAEU"], ["ЕАЭС", "EEU"], ["СНГ", "CIS"],
        ["ШОС", "SCO"], ["БРИКС", "BRICS"], ["НАТО", "NATO"], ["ЕС", "EU"], ["МИД", "MFA"], ["ИКТ", "ICT"],
        ["ВСУ", "AFU"], ["СВО", "SMO"], ["МСЭ", "ITU"],
    ],
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
# Patterns start with a lookahead on their first character, so the engine tries the rest only where it can match
# (the same matches; several times faster on long texts, see tests/test_translation.py).
_MONTH_WORD = re.compile(r"(?=[яфмаисондJFMASOND])\b(январ|феврал|марта?|апрел|ма[яй]|июн|июл|августа?|сентябр|октябр|ноябр|декабр)"
                         r"[а-я]*|\b(January|February|March|April|May|June|July|August|September|October|November"
                         r"|December)\b")
_DATE = re.compile(r"(?=\d)\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
_NUMBER = re.compile(r"(?=\d)(?<![\d.,])(\d{1,3}(?:[ '’\u00a0\u202f,]\d{3})+|\d+)(?:[.,](\d{1,2})(?!\d))?"
                     r"(\s*(?:тыс|thousand|млн|million|млрд|billion)\b)?", re.IGNORECASE)
_MULTIPLIER = {"тыс": 1_000, "thousand": 1_000, "млн": 1_000_000, "million": 1_000_000, "млрд": 10**9,
               "billion": 10**9}
_ROMAN = re.compile(r"(?=[IVXLC])\b[IVXLC]{2,6}\b")
_ROMAN_VALUE = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_NOT_DIGIT = re.compile(r"\D")
# A capitalized word not opening a sentence (sentence starts are capitalized in any language, names are not): a
# capitalized word right after a period, or after a space that follows a word character or punctuation.
_CAPITALIZED = re.compile(r"[A-ZА-ЯЁ][a-zа-яё]{2,}")
_BEFORE_NAME = re.compile(r"[\w,:;«»\"“”()–—-]")
_HASHTAG = re.compile(r"#(\w+)")
_CAMEL_PART = re.compile(r"[A-ZА-ЯЁ][a-zа-яё]+|[A-ZА-ЯЁ]+(?![a-zа-яё])")


@dataclass(frozen=True)
class TranslationConfig:
    threshold: float
    weights: dict[str, float]
    min_length_ratio: float
    position_scale: float
    min_prefix: int
    max_anchor_documents: int
    glossary: tuple[tuple[str, str], ...]


def translation_config(raw: Mapping[str, Any] | None) -> TranslationConfig:
    """Config section `translation` with documented defaults for missing keys."""
    values = {**DEFAULT_CONFIG, **dict(raw or {})}
    weights = {**DEFAULT_CONFIG["weights"], **dict(values["weights"] or {})}
    return TranslationConfig(threshold=float(values["threshold"]), weights=weights,
                             min_length_ratio=float(values["min_length_ratio"]),
                             position_scale=float(values["position_scale"]), min_prefix=int(values["min_prefix"]),
                             max_anchor_documents=int(values["max_anchor_documents"]),
                             glossary=tuple((a, b) for a, b in values["glossary"]))


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
    for ru, en in _MONTH_WORD.findall(text):
        word = (ru or en).lower()
        found.add(f"m{MONTHS.get(word) or MONTHS[next(k for k in MONTHS if word.startswith(k))]}")
    for token in _ROMAN.findall(text):
        value = _roman(token)
        if value:
            found.add(str(value))
    return frozenset(found)


def entities_in(text: str) -> frozenset[str]:
    """Transliterated skeletons of capitalized words and of the parts of CamelCase hashtags."""
    words = {match.group() for match in _CAPITALIZED.finditer(text) if _not_opening_a_sentence(text, match.start())}
    for tag in _HASHTAG.findall(text):
        words.update(_CAMEL_PART.findall(tag))
    return frozenset(s for s in (transliterate(w) for w in words if not w.isupper()) if len(s) >= 3)


def _not_opening_a_sentence(text: str, start: int) -> bool:
    before = text[start - 1] if start else ""
    return before == "." or (before == " " and start >= 2 and _BEFORE_NAME.match(text[start - 2]) is not None)


@lru_cache(maxsize=16)
def _glossary_pattern(glossary: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    """Any glossary term as a whole word (a whole run of word characters), longest first."""
    terms = sorted({term for pair in glossary for term in pair}, key=lambda term: (-len(term), term))
    first = "".join(sorted({re.escape(term[0]) for term in terms}))
    return re.compile(f"(?=[{first}])(?<!\\w)(?:{'|'.join(map(re.escape, terms))})(?!\\w)")


def glossary_in(text: str, glossary: tuple[tuple[str, str], ...]) -> frozenset[int]:
    """Indices of glossary terms (either side) present as whole words, case-sensitive (acronyms)."""
    if not glossary:
        return frozenset()
    found = set(_glossary_pattern(glossary).findall(text))
    return frozenset(i for i, pair in enumerate(glossary) if any(term in found for term in pair))


@dataclass(frozen=True)
class Evidence:
    doc_id: str
    source_id: str
    position: int
    language: str
    n_chars: int
    numbers: frozenset[str]
    entities: frozenset[str]
    glossary: frozenset[int]


FEATURE_SCHEMA = {"doc_id": pl.String, "numbers": pl.List(pl.String), "entities": pl.List(pl.String),
                  "glossary": pl.List(pl.Int32)}


def translation_features(documents: pl.DataFrame, config: TranslationConfig) -> pl.DataFrame:
    """Per document (doc_id, text): its numbers, entity skeletons and glossary terms, sorted (per-shard job)."""
    texts = documents["text"].to_list()
    return pl.DataFrame({"doc_id": documents["doc_id"],
                         "numbers": [sorted(numbers_in(text)) for text in texts],
                         "entities": [sorted(entities_in(text)) for text in texts],
                         "glossary": [sorted(glossary_in(text, config.glossary)) for text in texts]},
                        schema=FEATURE_SCHEMA)


# ---------------------------------------------------------------------------------------------------------------
# Scoring

def _dice(a: frozenset, b: frozenset) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _prefix_match(a: str, b: str, min_prefix: int) -> bool:
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    stem = short[:max(min_prefix, len(short) - 2)]
    return long_.startswith(stem)


def entity_score(a: frozenset[str], b: frozenset[str], weight: Mapping[str, float], min_prefix: int
                 ) -> tuple[float, list[str]]:
    """Weighted share of entities matched across the pair (Dice over rarity weights); also the matched names."""
    matched_a = {x for x in a if any(_prefix_match(x, y, min_prefix) for y in b)}
    matched_b = {y for y in b if any(_prefix_match(x, y, min_prefix) for x in matched_a)}
    total = sum(weight[x] for x in a) + sum(weight[y] for y in b)
    score = (sum(weight[x] for x in matched_a) + sum(weight[y] for y in matched_b)) / total if total else 0.0
    return score, sorted(matched_a)


@dataclass(frozen=True)
class Link:
    doc_a: str
    doc_b: str
    score: float
    evidence: dict[str, Any]


def score_pair(a: Evidence, b: Evidence, entity_weight: Mapping[str, float], config: TranslationConfig) -> Link:
    entities, matched = entity_score(a.entities, b.entities, entity_weight, config.min_prefix)
    length_ratio = min(a.n_chars, b.n_chars) / max(a.n_chars, b.n_chars, 1)
    same_feed = a.source_id == b.source_id
    gap = abs(a.position - b.position) if same_feed else None
    features = {
        "numbers": _dice(a.numbers, b.numbers),
        "entities": entities,
        "glossary": _dice(a.glossary, b.glossary),
        "length": length_ratio,
        "position": math.exp(-gap / config.position_scale) if gap is not None else 0.0,
    }
    score = sum(config.weights[k] * v for k, v in features.items())
    if length_ratio < config.min_length_ratio:
        score = 0.0
    evidence = {
        "features": {k: round(v, 4) for k, v in features.items()},
        "languages": [a.language, b.language],
        "shared_numbers": sorted(a.numbers & b.numbers),
        "matched_entities": matched,
        "shared_glossary": sorted(f"{config.glossary[i][0]}={config.glossary[i][1]}" for i in a.glossary & b.glossary),
        "position_gap": gap,
    }
    return Link(a.doc_id, b.doc_id, round(score, 4), evidence)


def candidate_pairs(documents: pl.DataFrame, config: TranslationConfig) -> pl.DataFrame:
    """Pairs (doc_a < doc_b) in different determined languages that share at least one anchor (a number, the first
    `min_prefix` letters of an entity, a glossary term) found in at most `max_anchor_documents` documents.

    `documents` has doc_id, language and the feature lists. Done in polars: an anchor's postings are joined with
    themselves only when the anchor is rare, so the cost stays linear in the corpus.
    """
    prefix = config.min_prefix
    def exploded(column: str, kind: str, value: pl.Expr) -> pl.DataFrame:
        return (documents.select("doc_id", pl.col(column).alias("value")).explode("value")
                .select("doc_id", (pl.lit(kind) + value).alias("anchor")))

    anchors = pl.concat([
        exploded("numbers", "n:", pl.col("value")),
        exploded("entities", "e:", pl.col("value").str.slice(0, prefix)),
        exploded("glossary", "g:", pl.col("value").cast(pl.String)),
    ]).drop_nulls("anchor").unique()
    rare = anchors.filter(pl.len().over("anchor").is_between(2, config.max_anchor_documents))
    languages = documents.select("doc_id", "language")
    return (rare.join(rare, on="anchor", suffix="_b").filter(pl.col("doc_id") < pl.col("doc_id_b"))
            .select(pl.col("doc_id").alias("doc_a"), pl.col("doc_id_b").alias("doc_b")).unique()
            .join(languages.rename({"doc_id": "doc_a", "language": "language_a"}), on="doc_a")
            .join(languages.rename({"doc_id": "doc_b", "language": "language_b"}), on="doc_b")
            .filter((pl.col("language_a") != pl.col("language_b"))
                    & (pl.col("language_a") != UNDETERMINED_LANGUAGE)
                    & (pl.col("language_b") != UNDETERMINED_LANGUAGE))
            .select("doc_a", "doc_b").sort("doc_a", "doc_b"))


def entity_weights(documents: pl.DataFrame) -> dict[str, float]:
    """Rarity weight of each entity skeleton that occurs in `documents`: log(1 + n_documents / document frequency)."""
    frequency = documents.select("entities").explode("entities").drop_nulls().group_by("entities").len()
    n = documents.height
    return {entity: math.log(1 + n / df) for entity, df in frequency.iter_rows()}


def evidence_of(documents: pl.DataFrame) -> dict[str, Evidence]:
    """Evidence objects of some documents (doc_id, source_id, position, language, n_chars and the features)."""
    columns = ("doc_id", "source_id", "position", "language", "n_chars", "numbers", "entities", "glossary")
    return {row[0]: Evidence(*row[:5], frozenset(row[5]), frozenset(row[6]), frozenset(row[7]))
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


@dataclass(frozen=True)
class TranslationResult:
    groups: dict[str, str]  # doc_id -> translation_group
    report: dict[str, Any]  # JSON-ready evidence: accepted links and the rejected candidates


def link_translations(documents: pl.DataFrame, config: Mapping[str, Any] | TranslationConfig | None = None,
                      features: pl.DataFrame | None = None) -> TranslationResult:
    """Find translation pairs among the kept `documents` (doc_id, source_id, position, language, n_chars, and text
    unless `features` gives their features) and give each pair a shared group."""
    cfg = config if isinstance(config, TranslationConfig) else translation_config(config)
    if features is None:
        features = translation_features(documents, cfg)
    documents = (documents.select("doc_id", "source_id", "position", "language", "n_chars")
                 .join(features, on="doc_id", how="inner").sort("doc_id"))
    weight = entity_weights(documents)
    pairs = candidate_pairs(documents, cfg)
    involved = pl.concat([pairs["doc_a"], pairs["doc_b"]]).unique()
    evidence = evidence_of(documents.filter(pl.col("doc_id").is_in(involved.implode())))
    links = [score_pair(evidence[a], evidence[b], weight, cfg) for a, b in pairs.iter_rows()]
    accepted = greedy_one_to_one(links, cfg.threshold)
    groups = {}
    for link in accepted:
        group = f"tr/{min(link.doc_a, link.doc_b)}"
        groups[link.doc_a] = groups[link.doc_b] = group
    accepted_keys = {(lk.doc_a, lk.doc_b) for lk in accepted}
    as_json = [{"doc_a": lk.doc_a, "doc_b": lk.doc_b, "score": lk.score, **lk.evidence} for lk in
               sorted(links, key=lambda lk: (lk.doc_a, lk.doc_b))]
    report = {
        "method": "weighted evidence (numbers, transliterated entities, glossary, length ratio, feed position), "
                  "threshold, greedy one-to-one matching",
        "threshold": cfg.threshold,
        "weights": dict(sorted(cfg.weights.items())),
        "links": [{"group": groups[x["doc_a"]], **x} for x in as_json if (x["doc_a"], x["doc_b"]) in accepted_keys],
        "rejected": [x for x in as_json if (x["doc_a"], x["doc_b"]) not in accepted_keys
                     and x["score"] >= cfg.threshold / 2],
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
