"""Translation links on the seed Telegram feed: the four known RU<->EN pairs and no false link."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import polars as pl
import pytest

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


# The plain forms of the evidence patterns (before their lookahead speedups): the fast ones must find the same.
REFERENCE_CAPITALIZED = re.compile(r"(?<=[\w,:;«»\"“”()–—-] )[A-ZА-ЯЁ][a-zа-яё]{2,}|(?<=[.])[A-ZА-ЯЁ][a-zа-яё]{2,}")


def test_fast_evidence_patterns_find_what_the_plain_ones_find() -> None:
    from infospace import translation
    from infospace.translation import entities_in, glossary_in, translation_config

    sys.path.insert(0, str(REPO / "benchmarks"))
    from synthetic_corpus import generate

    texts = [post["text"] for post in generate(400, seed=3)[0]]
    texts += [path.read_text(encoding="utf-8") for path in sorted((REPO / "data" / "raw").glob("*.txt"))]
    texts += ["XXI век. Ivanov 12.06.2025, 1 000,5 тыс.", "Встреча.Лавров и Путин; (Минск) ООН-ОБСЕ, ЕАЭСЕС", ""]
    plain = {name: re.compile(getattr(translation, name).pattern.split(")", 1)[1], getattr(translation, name).flags)
             for name in ("_MONTH_WORD", "_DATE", "_NUMBER", "_ROMAN")}
    glossary = translation_config(None).glossary
    for text in texts:
        for name, pattern in plain.items():
            assert getattr(translation, name).findall(text) == pattern.findall(text), (name, text[:80])
        words = set(REFERENCE_CAPITALIZED.findall(text))
        for tag in translation._HASHTAG.findall(text):
            words.update(translation._CAMEL_PART.findall(tag))
        expected = frozenset(s for s in (transliterate(w) for w in words if not w.isupper()) if len(s) >= 3)
        assert entities_in(text) == expected, text[:80]
        tokens = set(re.findall(r"\w+", text))
        assert glossary_in(text, glossary) == frozenset(
            i for i, pair in enumerate(glossary) if any(term in tokens for term in pair)), text[:80]
