"""Language tagging: hand-labelled seed paragraphs, short lines, unexpected languages, documents, the harness."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest

from infospace.langid import UND, Detector, LangidConfig, build_detector, count_letters, evidence_text, tag_document
from infospace.langid import add_language_columns, cyrillic_words, dictionary_paths, dominant_script, tag_paragraph
from infospace.langid import tag_paragraphs
from infospace.langid import word_classes, word_list_factors
from infospace.schema import schema_for
from infospace.tables import to_arrow

REPO = Path(__file__).resolve().parents[1]
SEED_LABELS = REPO / "tests" / "data" / "langid_seed_labels.tsv"
CONFIG = LangidConfig.from_dict({"languages": ["en", "ru", "uk", "be", "kk"]})


@pytest.fixture(scope="module")
def detector() -> Detector:
    return build_detector(CONFIG)


def test_fasttext_model_is_the_documented_lid_176() -> None:
    """The shipped model is the file resources/README.md documents (origin, licence, sha256)."""
    import hashlib

    from infospace.langid import FASTTEXT_MODEL

    digest = hashlib.sha256(FASTTEXT_MODEL.read_bytes()).hexdigest()
    assert digest == "8f3472cfe8738a7b6099e8e999c3cbfae0dcd15696aac7d7738a8039db603e83"
    assert digest in (REPO / "resources" / "README.md").read_text(encoding="utf-8")


def seed_rows() -> list[dict[str, str]]:
    with SEED_LABELS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_seed_labels_cover_every_source_file() -> None:
    rows = seed_rows()
    assert {row["source"] for row in rows} == {"000", "001", "002", "003", "004"}
    assert {row["label"] for row in rows} == {"en", "ru", UND}
    assert len({row["text"] for row in rows}) == len(rows)


def test_seed_paragraphs_of_20_letters_are_tagged_correctly(detector: Detector) -> None:
    wrong = []
    for row in seed_rows():
        if count_letters(evidence_text(row["text"])) >= 20:
            tag = tag_paragraph(row["text"], detector, CONFIG)
            if tag.language != row["label"]:
                wrong.append((row["source"], row["line"], row["label"], tag))
    assert wrong == []


def test_tagging_in_batches_gives_each_paragraph_its_own_tag(detector: Detector,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # Batches of 3, texts repeated within and across batches, short and hashtag-only lines among them.
    monkeypatch.setattr("infospace.langid.FASTTEXT_BATCH", 3)
    texts = [row["text"] for row in seed_rows()][:40]
    texts = texts + ["#Минск", "ok", ""] + texts[::-3] + texts[:2]
    assert tag_paragraphs(texts, detector, CONFIG) == [tag_paragraph(text, detector, CONFIG) for text in texts]


def test_no_seed_paragraph_gets_a_wrong_language_above_threshold(detector: Detector) -> None:
    wrong = []
    for row in seed_rows():
        tag = tag_paragraph(row["text"], detector, CONFIG)
        if tag.language not in (row["label"], UND) and tag.score >= CONFIG.min_score:
            wrong.append((row["source"], row["line"], row["label"], tag))
    assert wrong == []


def test_low_accuracy_mode_on_long_text_keeps_every_seed_language(detector: Detector) -> None:
    always_high = replace(CONFIG, lingua_low_accuracy_letters=10**9)
    threshold = CONFIG.lingua_low_accuracy_letters
    long_rows = [row for row in seed_rows() if count_letters(evidence_text(row["text"])) >= threshold]
    assert len(long_rows) > 50
    for row in long_rows:
        low, high = tag_paragraph(row["text"], detector, CONFIG), tag_paragraph(row["text"], detector, always_high)
        assert low.language == high.language == row["label"], row
        assert abs(low.score - high.score) < 0.01, row


def test_hashtag_only_seed_lines_are_und(detector: Detector) -> None:
    for row in seed_rows():
        if row["label"] == UND:
            assert tag_paragraph(row["text"], detector, CONFIG).language == UND, row


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Друзья,", "ru"),
        ("Colleagues,", "en"),
        ("#RussiaBelarus", UND),
        ("#РоссияБелоруссия #СоюзноеГосударство", UND),
        ("🇷🇺🇧🇾 💬 2025", UND),
        ("52,000", UND),
    ],
)
def test_short_lines_are_und_or_right(detector: Detector, text: str, expected: str) -> None:
    assert tag_paragraph(text, detector, CONFIG).language in (expected, UND)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Үкімет сәрсенбіде шағын және орта бизнесті қолдаудың жаңа жоспарын қабылдады.", "kk"),
        ("Уряд у середу ухвалив новий план підтримки малого та середнього бізнесу.", "uk"),
        ("Урад у сераду ўхваліў новы план падтрымкі малога і сярэдняга бізнесу.", "be"),
        ("Правительство в среду утвердило новый план поддержки малого и среднего бизнеса.", "ru"),
        ("Гадаю, що це тобі відомо.", "uk"),  # щ: lingua alone says Kazakh here
        ("мінулую суботу", "be"),  # short: fastText says Ukrainian at 1.00, so its shortcut must not apply
    ],
)
def test_cyrillic_languages_are_told_apart(detector: Detector, text: str, expected: str) -> None:
    assert tag_paragraph(text, detector, CONFIG).language == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("продавец сказал", "ru"),  # "продавец" is no Ukrainian word form (Ukrainian: продавець)
        ("товарищ сказал", "ru"),
        ("реформи далеко", "uk"),  # "реформи" is no Russian word form (Russian: реформы)
        ("Дякую за увагу!", "uk"),  # "дякую", "увагу": Ukrainian word forms only; lingua alone says Belarusian
    ],
)
def test_word_lists_settle_short_russian_and_ukrainian_text(detector: Detector, text: str, expected: str) -> None:
    assert tag_paragraph(text, detector, CONFIG).language == expected
    without_word_lists = replace(CONFIG, word_list_weight=0.0)
    assert tag_paragraph(text, detector, without_word_lists).language != expected  # the word lists decide it


def test_word_lists_come_from_the_installed_dictionary_packages(detector: Detector) -> None:
    site_packages = Path(pl.__file__).resolve().parents[1]
    for language, path in dictionary_paths().items():
        assert Path(path).resolve().is_relative_to(site_packages), (language, path)
    assert set(detector.lexicons) == {"ru", "uk"}
    russian, ukrainian = detector.lexicons["ru"], detector.lexicons["uk"]
    assert russian.knows("значащих") and not russian.knows("значущих")
    assert ukrainian.knows("значущих") and ukrainian.knows("п'ять") and ukrainian.knows("будь-який")
    assert cyrillic_words("П’ять пʼять, hello будь-який 2025") == ["п'ять", "п'ять", "будь-який"]
    assert word_classes(["значущих", "значащих", "xyzщ"], detector.lexicons) == Counter(
        {(False, True): 1, (True, False): 1, (False, False): 1})


def test_word_list_factors() -> None:
    languages = ("en", "ru", "uk", "be", "kk", "pl")
    assert word_list_factors(Counter(), languages, 0.5) == dict.fromkeys(languages, 1.0)  # no Cyrillic words
    ukrainian_only = word_list_factors(Counter({(False, True): 2}), languages, 0.5)
    assert ukrainian_only["uk"] == 1.0 and max(ukrainian_only[lang] for lang in ("ru", "be", "kk")) < 0.2
    unknown_to_both = word_list_factors(Counter({(False, False): 2}), languages, 0.5)
    assert unknown_to_both["kk"] == 1.0 and unknown_to_both["be"] > 0.5
    assert max(unknown_to_both["ru"], unknown_to_both["uk"]) < 0.05
    assert ukrainian_only["pl"] == unknown_to_both["pl"] == 1.0  # no counts: no evidence either way
    assert word_list_factors(Counter({(False, True): 2}), languages, 0.0) == dict.fromkeys(languages, 1.0)


def test_word_class_counts_are_those_of_the_tuning_half(detector: Detector) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    from langid_eval import DEFAULT_DATA, load_samples
    from langid_word_classes import count_word_classes

    from infospace.langid import WORD_CLASS_COUNTS

    sentences = load_samples(DEFAULT_DATA, None, "first")["sentences"]
    assert count_word_classes(sentences, detector.lexicons) == WORD_CLASS_COUNTS


@pytest.mark.parametrize(
    "text",
    [
        "Die Bundesregierung hat am Mittwoch neue Maßnahmen zur Stärkung der Wirtschaft beschlossen.",
        "Rząd przyjął w środę nowy plan wsparcia dla małych i średnich przedsiębiorstw.",
        "Правителството прие в сряда нов план за подкрепа на малките и средните предприятия.",
        "Hukumat chorshanba kuni kichik va o'rta biznesni qo'llab-quvvatlash bo'yicha yangi rejani qabul qildi.",
        "Ҳукумат чоршанба куни кичик ва ўрта бизнесни қўллаб-қувватлаш бўйича янги режани қабул қилди.",
        "Влада је у среду усвојила нови план подршке малим и средњим предузећима.",
    ],
)
def test_unexpected_language_is_not_forced_into_a_configured_one(detector: Detector, text: str) -> None:
    tag = tag_paragraph(text, detector, CONFIG)
    assert tag.language == UND or tag.score < CONFIG.min_score, tag


def test_a_language_needs_a_letter_of_its_script(detector: Detector) -> None:
    from infospace.langid import script_allows, scripts_present

    assert not script_allows("en", scripts_present("Привет, мир"))
    assert not script_allows("ru", scripts_present("Hello, world"))
    assert script_allows("en", scripts_present("Привет, world")) and script_allows("ru", scripts_present("Привет"))
    assert tag_paragraph("Брифинг", detector, CONFIG).language != "en"


def test_harness_halves() -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    from langid_eval import split_half

    lines = [str(i) for i in range(5)]
    assert split_half(lines, "first") + split_half(lines, "second") == lines
    assert split_half(lines, "first") == ["0", "1", "2"]
    assert split_half(lines, "all") == lines


def test_script() -> None:
    assert dominant_script("Привет, world") == "Cyrl"
    assert dominant_script("Hello, мир") == "Latn"
    assert dominant_script("Καλημέρα") == "Grek"
    assert dominant_script("#1 2025 💬") == "Zyyy"


LETTER_EDGE_CASES = ["", "💬🇷🇺 #тег @user x@y.org", "Καλημέρα κόσμε", "ёЁ ґЄ їі ўЎ қҚ әӘ ԱԲ", "\ud800x", "日本語のテキスト",
                     "١٢٣ abc ²½ _x_", "x\u0301y e\u0300", "𝐀𝐁𝐂 𐐀𐐨", "ЩщЪъЫыЭэ Ѣѣ Ѐ ҂", "Straße ÆØÅ ×÷ ÿŸ"]


def plain_letter_counts(text: str) -> tuple[int, ...]:
    """Letters, Cyrillic, basic Latin and each language's foreign letters by the defining regular expressions."""
    from infospace.langid import FOREIGN_LANGUAGES, foreign_letters

    return (len(re.sub(r"[\W\d_]", "", text)), len(re.sub(r"[^\u0400-\u04ff]", "", text)),
            len(re.sub(r"[^A-Za-z\u00c0-\u024f]", "", text)),
            *(foreign_letters(text, language) for language in FOREIGN_LANGUAGES))


def test_letters_counted_in_bulk_are_those_of_the_regular_expressions() -> None:
    """The class table, counted with numpy for many texts and in Python for one, agrees with the regular expressions
    on every code point of the Basic Multilingual Plane and on texts of the seeds, the dev set and odd scripts."""
    from infospace.langid import _basic_plane_classes, _class_table, letter_counts

    every_character = "".join(map(chr, range(0x10000)))
    assert _class_table(every_character).tolist() == _basic_plane_classes().tolist()
    expected = [(1 if re.fullmatch(r"[\W\d_]", c) is None else 0) for c in every_character]
    assert [value & 1 for value in _basic_plane_classes().tolist()] == expected
    texts = [row["text"] for row in seed_rows()] + LETTER_EDGE_CASES
    texts += (REPO / "benchmarks" / "data" / "langid-dev" / "sentences" / "be.txt").read_text(
        encoding="utf-8").splitlines()[:200]
    plain = [plain_letter_counts(text) for text in texts]
    in_bulk = letter_counts(texts)  # thousands of characters: numpy
    one_by_one = [letter_counts([text])[0] for text in texts]  # one short text: Python
    assert sum(map(len, texts)) > 10_000
    for text, counts in zip(texts, plain):
        assert (in_bulk.pop(0), one_by_one.pop(0)) == ((*counts[:3], counts[3:]),) * 2, text


MIXED_TEXT = [
    "Министр иностранных дел провёл переговоры с коллегой из Республики Беларусь в Москве.",
    "Стороны обсудили широкий круг вопросов двустороннего сотрудничества и международной повестки.",
    "The ministers discussed a wide range of issues of bilateral cooperation.",
    "#RussiaBelarus",
]


def test_document_aggregation_on_mixed_ru_en_text(detector: Detector) -> None:
    tags = [tag_paragraph(text, detector, CONFIG) for text in MIXED_TEXT]
    assert [tag.language for tag in tags] == ["ru", "ru", "en", UND]
    assert [tag.letters for tag in tags] == [count_letters(evidence_text(text)) for text in MIXED_TEXT]
    document = tag_document(tags, CONFIG)
    assert document.language == "ru"
    assert document.languages == ["ru", "en"]
    assert document.is_mixed_language
    assert 0.5 < document.score < 1.0
    # One language only, and no evidence at all.
    assert tag_document(tags[:2], CONFIG).languages == ["ru"]
    assert tag_document(tags[3:], CONFIG) == (UND, [], False, 0.0)


def test_add_language_columns_gives_exactly_the_langid_schema(detector: Detector) -> None:
    paragraphs = pl.from_arrow(schema_for("paragraphs", "parse").empty_table()).extend(
        pl.DataFrame(
            {
                "para_id": [f"s/0/{i}" for i in range(len(MIXED_TEXT))],
                "doc_id": ["s/0"] * len(MIXED_TEXT),
                "source_id": ["s"] * len(MIXED_TEXT),
                "index": list(range(len(MIXED_TEXT))),
                "byte_start": [i * 1000 for i in range(len(MIXED_TEXT))],
                "byte_end": [i * 1000 + 999 for i in range(len(MIXED_TEXT))],
                "char_start": [None] * len(MIXED_TEXT),
                "char_end": [None] * len(MIXED_TEXT),
                "text": MIXED_TEXT,
            },
            schema=pl.from_arrow(schema_for("paragraphs", "parse").empty_table()).schema,
        )
    )
    document_schema = pl.from_arrow(schema_for("documents", "parse").empty_table()).schema
    documents = pl.DataFrame([{name: None for name in document_schema}], schema=document_schema).with_columns(
        pl.lit("s/0").alias("doc_id")
    )
    documents, paragraphs = add_language_columns(documents, paragraphs, detector, CONFIG)
    assert paragraphs["language"].to_list() == ["ru", "ru", "en", UND]
    assert paragraphs["script"].to_list() == ["Cyrl", "Cyrl", "Latn", "Latn"]
    assert documents.row(0, named=True)["languages"] == ["ru", "en"]
    assert set(paragraphs.columns) == set(schema_for("paragraphs", "langid").names)
    assert set(documents.columns) == set(schema_for("documents", "langid").names)
    to_arrow(paragraphs, "paragraphs", "langid")  # casts cleanly to the schema


def test_config_defaults_and_unknown_keys() -> None:
    assert LangidConfig.from_dict({"languages": ["EN", "ru"]}).languages == ("en", "ru")
    assert LangidConfig.from_dict(None) == LangidConfig()
    with pytest.raises(ValueError, match="unknown langid config keys"):
        LangidConfig.from_dict({"min_leters": 3})


def test_card_states_the_accuracy_the_harness_measures(detector: Detector) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    from langid_eval import DEFAULT_DATA, load_samples

    from infospace.card import LANGID_DEV_ACCURACY

    samples = load_samples(DEFAULT_DATA, None)
    for granularity, stated in LANGID_DEV_ACCURACY.items():
        by_language = samples[granularity.replace(" ", "-")]
        accuracy = [
            sum(tag_paragraph(text, detector, CONFIG).language == language for text in texts) / len(texts)
            for language, texts in by_language.items()
        ]
        assert round(sum(accuracy) / len(accuracy), 4) == stated, granularity


def test_harness_runs_on_a_small_sample() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "langid_eval.py"), "--limit", "20"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "lingua acc" in out and "fasttext acc" in out and "combined acc" in out
    for granularity in ("sentences", "word-pairs", "single-words"):
        assert f"{granularity:<13}macro" in out
    assert "seed paragraphs with >= 20 letters" in out
    assert "peak memory" in out
    # 20 samples per language and granularity, all five languages.
    assert out.count(" 20 ") >= 15
