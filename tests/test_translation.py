"""Translation links on the seed Telegram feed: the four known RU<->EN pairs and no false link."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import polars as pl
import pytest
import yaml

from infospace.translation import link_translations, numbers_in, transliterate

from conftest import REPO


# Seed truth, named by a phrase only that post contains.
PAIRS = {
    "Global Digital Forum": ("Глобальный цифровой форум", "hosted the Global Digital Forum"),
    "Medinsky on bodies and prisoners": ("Стамбульскими договорённостями", "Istanbul agreements"),
    "Lavrov's opening remarks": ("Вступительное слово", "opening remarks"),
    "Outcome of the Lavrov-Ryzhenkov talks": ("провёл переговоры", "Foreign Minister Sergey Lavrov held talks"),
}
NO_TWIN = "по приглашению Министра"  # the Russian announcement of Ryzhenkov's visit


@pytest.fixture(scope="module")
def feed(built_project: Path) -> pl.DataFrame:
    """The parsed, language-tagged feed from a real run of the workflow."""
    paths = sorted((built_project / "results" / "langid").glob("telegram-*/*/documents.parquet"))
    assert len(paths) == 1
    return pl.read_parquet(paths[0])


def doc_with(feed: pl.DataFrame, phrase: str) -> str:
    ids = feed.filter(pl.col("text").str.contains(phrase, literal=True))["doc_id"].to_list()
    assert len(ids) == 1, (phrase, ids)
    return ids[0]


def test_seed_pairs_linked_and_nothing_else(feed: pl.DataFrame) -> None:
    result = link_translations(feed, {})
    expected = {tuple(sorted((doc_with(feed, ru), doc_with(feed, en)))) for ru, en in PAIRS.values()}
    found = {(link["doc_a"], link["doc_b"]) for link in result.report["links"]}
    true_positives = len(found & expected)
    precision = true_positives / len(found) if found else 0.0
    recall = true_positives / len(expected)
    print(f"seed translation links: precision {precision:.2f}, recall {recall:.2f}")
    assert found == expected
    assert doc_with(feed, NO_TWIN) not in result.groups
    for a, b in expected:
        assert result.groups[a] == result.groups[b] == f"tr/{min(a, b)}"


def test_both_runs_identical(feed: pl.DataFrame) -> None:
    shuffled = feed.sample(fraction=1.0, shuffle=True, seed=3)
    assert link_translations(feed, {}).report == link_translations(shuffled, {}).report


def test_number_forms_normalized() -> None:
    assert numbers_in("1'000 and 1 000 and 1,000") == {"1000"}
    assert numbers_in("более 6 тыс. тел") == numbers_in("6000 bodies") == {"6000"}
    assert numbers_in("80-летия Победы, XXI веке, 9-10 июня") == numbers_in("80th, 21st Century, June 9-10")
    assert numbers_in("05.06.2025") == {"5", "m6", "2025"}


def test_names_match_after_transliteration() -> None:
    assert transliterate("Рыженков") == transliterate("Ryzhenkov")
    assert transliterate("Шойтов") == transliterate("Shoitov")
    assert transliterate("Максим") == transliterate("Maxim")


# The plain forms of the evidence patterns (before their speedups): the fast ones must find the same.
REFERENCE_CAPITALIZED = re.compile(r"(?<=[\w,:;«»\"“”()–—-] )[A-ZА-ЯЁ][a-zа-яё]{2,}|(?<=[.])[A-ZА-ЯЁ][a-zа-яё]{2,}")
REFERENCE_PATTERNS = {
    "_MONTH_WORD": re.compile(r"\b(?:январ|феврал|марта?|апрел|ма[яй]|июн|июл|августа?|сентябр|октябр|ноябр|декабр)"
                              r"[а-я]*|\b(?:January|February|March|April|May|June|July|August|September|October"
                              r"|November|December)\b"),
    "_DATE": re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b"),
    "_NUMBER": re.compile(r"(?<![\d.,])(\d{1,3}(?:[ '’\u00a0\u202f,]\d{3})+|\d+)(?:[.,](\d{1,2})(?!\d))?"
                          r"(\s*(?:тыс|thousand|млн|million|млрд|billion)\b)?", re.IGNORECASE),
    "_ROMAN": re.compile(r"\b[IVXLC]{2,6}\b"),
}


def test_fast_evidence_patterns_find_what_the_plain_ones_find() -> None:
    from infospace import translation
    from infospace.translation import entities_in, glossary_in, translation_config

    sys.path.insert(0, str(REPO / "benchmarks"))
    from synthetic_corpus import generate

    texts = [post["text"] for post in generate(400, seed=3)[0]]
    texts += [path.read_text(encoding="utf-8") for path in sorted((REPO / "data" / "raw").glob("*.txt"))]
    texts += ["XXI век. Ivanov 12.06.2025, 1 000,5 тыс.", "Встреча.Лавров и Путин; (Минск) ООН-ОБСЕ, ЕАЭСЕС", ""]
    texts += ["1.2.2024 01.02.2024x 3.4.20251 a1.2.2024 ²1.2.2024 май мая майские Май прима марта мартовский",
              "1,234,567.5 12 345 ,5 5,5 1.000 2 млн 3 тыс. 10thousand 7 Billion ١٢٣ 4\u00a0000 ⅫX XII, XIIX IIII xII",
              "января,февраля;Мартa January May Mayday June July2 Augusts aJune _May й1999 1999й"]
    glossary = translation_config(None).glossary
    for text in texts:
        for name, pattern in REFERENCE_PATTERNS.items():
            fast = [(m.span(), m.groups()) for m in getattr(translation, name).finditer(text)]
            plain = [(m.span(), m.groups()) for m in pattern.finditer(text)]
            if name == "_MONTH_WORD":  # the fast pattern has no groups
                fast, plain = [span for span, _ in fast], [span for span, _ in plain]
            assert fast == plain, (name, text[:80])
        months = translation._MONTH_WORD.findall(text)  # numbers_in scans only texts holding one of the substrings
        assert all(any(word in month for word in translation._MONTH_SUBSTRINGS) for month in months), text[:80]
        words = set(REFERENCE_CAPITALIZED.findall(text))
        for tag in translation._HASHTAG.findall(text):
            words.update(translation._CAMEL_PART.findall(tag))
        expected = frozenset(s for s in (transliterate(w) for w in words if not w.isupper()) if len(s) >= 3)
        assert entities_in(text) == expected, text[:80]
        assert glossary_in(text, glossary) == reference_glossary_in(text, glossary), text[:80]


def reference_glossary_in(text: str, glossary) -> frozenset[int]:
    """The glossary rules done plainly: one pattern per term, at each word start the match that ends last (then the
    longer term), matches not overlapping; a match also names the concepts of the terms inside its term."""
    terms = _reference_terms(glossary)
    found, end = set(), 0
    for start in (m.start() for m in re.finditer(r"(?<!\w)\w", text)):
        if start < end:
            continue
        best = max(((m.end(), len(term), concept, term) for pattern, concept, term in terms
                    if (m := pattern.match(text, start))), default=None)
        if best:
            end, _, concept, term = best
            words = term.split()
            found.add(concept)
            for i in range(len(words)):
                for j in range(i + 1, len(words) + 1):
                    if (i, j) != (0, len(words)):
                        found |= reference_glossary_in(" ".join(words[i:j]), glossary)
    return frozenset(found)


_REFERENCE_TERMS: dict[int, tuple[object, list]] = {}


def _reference_terms(glossary) -> list:
    """One compiled pattern per term of `glossary` (compiled once per glossary object)."""
    cached = _REFERENCE_TERMS.get(id(glossary))
    if cached is None or cached[0] is not glossary:
        def word_pattern(word: str) -> str:
            if word.upper() == word and word.lower() != word:
                return re.escape(word) + r"(?!\w)"
            return f"(?i:{re.escape(word)})" + (r"(?!\w)" if len(word) <= 2 else r"\w*")

        terms = [(re.compile(r"(?<!\w)" + r"\s+".join(map(word_pattern, term.split()))), concept, term)
                 for (ru, en, _), concept in zip(glossary.entries, glossary.concepts) for term in (ru, en)]
        cached = _REFERENCE_TERMS[id(glossary)] = (glossary, terms)
    return cached[1]


def test_glossary_matching_rules() -> None:
    from infospace.translation import glossary_from_entries, glossary_in

    glossary = glossary_from_entries([
        ("посольств", "embass", "diplomatic"), ("ООН", "UN", "acronyms"), ("СВО", "SMO", "acronyms"),
        ("министерств иностран дел", "foreign ministry", "state_bodies"), ("МИД", "foreign ministry", "acronyms"),
        ("совет", "council", "vocabulary"), ("совет безопасност ООН", "UN security council", "organisations"),
    ])
    names = lambda text: sorted(glossary.concept_name(c) for c in glossary_in(text, glossary))  # noqa: E731
    # Stems take endings, in any case; acronyms only in capitals and as whole words.
    assert names("Посольству России и посольствам") == ["посольств=embass"]
    assert names("свобода слова, un peu, ООНовский") == []
    assert names("в рамках СВО") == ["СВО=SMO"]
    # Terms sharing a side are one concept: МИД and the ministry's full name.
    assert names("Министерства иностранных дел") == names("МИД") == names("the Foreign Ministry")
    # The longest term wins, and it also names the concepts of the terms inside it.
    inside = ["ООН=UN", "совет безопасност ООН=UN security council", "совет=council"]
    assert names("Совет Безопасности ООН") == names("the UN Security Council") == inside
    assert names("Совет Безопасности ООН и совет") == inside


def test_glossary_file_entries_are_complete(tmp_path: Path) -> None:
    from infospace.translation import load_glossary

    glossary = load_glossary()
    assert len(glossary.entries) >= 300
    bad = tmp_path / "glossary.yaml"
    bad.write_text("sources: {vocabulary: x}\nterms:\n  - {ru: посол, en: ambassador, source: vocabulary}\n"
                   "  - {ru: визит, source: vocabulary}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"glossary.yaml: term 2: missing en"):
        load_glossary(bad)


def test_precision_and_recall_on_labelled_twins() -> None:
    """35 RU/EN twins and 35 hard negatives (same institutions, minutes apart, not translations), one channel."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from translation_eval import evaluate, half_of, load_pairs

    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))["translation"]
    pairs = load_pairs()
    assert sum(p["label"] == "twin" for p in pairs) >= 30 and sum(p["label"] == "negative" for p in pairs) >= 30
    quality = {half: evaluate(half_of(pairs, half), config) for half in ("odd", "even", "all")}
    for half, q in quality.items():
        print(f"{half}: {q.links} links, {q.correct} correct: precision {q.precision:.3f}, recall {q.recall:.3f}")
    # Weights were chosen on the odd half; the even half is held out.
    assert quality["even"].precision >= 0.8 and quality["even"].recall >= 0.8
    assert quality["all"].precision >= 0.85 and quality["all"].recall >= 0.75
    # Timing alone never links: the same feed with every text replaced by an unrelated one gives no link.
    unrelated = [{**p, "ru": "Погода в выходные будет тёплой.", "en": "Quarterly sales rose at the bakery."}
                 for p in pairs]
    assert evaluate(unrelated, config).links == 0


def test_scoring_in_chunks_gives_the_same_links(monkeypatch) -> None:
    """Candidates are scored a chunk at a time (bounded memory); any chunk size gives the same report."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from translation_eval import labelled_feed, load_pairs

    import infospace.translation as translation

    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))["translation"]
    feed, _ = labelled_feed(load_pairs())
    whole = link_translations(feed, config).report
    monkeypatch.setattr(translation, "SCORE_CHUNK_PAIRS", 7)
    chunked = translation.link_translations(feed, config).report
    assert chunked == whole and whole["links"] and whole["rejected"]


def test_early_rejection_keeps_exactly_the_pairs_full_scoring_keeps() -> None:
    """`score_pair(..., min_score=m)` skips most of the work on pairs that cannot reach m; on every candidate pair
    of the labelled feed it keeps exactly the pairs whose full score reaches m, with the same score and evidence."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from translation_eval import labelled_feed, load_pairs

    import infospace.translation as translation

    config = translation.translation_config(
        yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))["translation"])
    feed, _ = labelled_feed(load_pairs())
    documents = feed.select("doc_id", "source_id", "position", "language", "n_chars").join(
        translation.translation_features(feed, config), on="doc_id").sort("doc_id")
    evidence = translation.evidence_of(documents)
    rarity = translation.rarity_weights(documents)
    pairs = list(translation.candidate_pairs(documents, config).iter_rows())
    assert len(pairs) > 100
    kept = rejected = 0
    for min_score in (config.threshold / 2, 0.05, 0.0):
        for a, b in pairs:
            full = translation.score_pair(evidence[a], evidence[b], rarity, config)
            early = translation.score_pair(evidence[a], evidence[b], rarity, config, min_score=min_score)
            assert early == (full if full.score >= min_score else None), (a, b, min_score)
            kept, rejected = kept + (early is not None), rejected + (early is None)
    assert kept and rejected
