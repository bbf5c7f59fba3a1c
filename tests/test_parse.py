"""Parse and clean on the real seeds: metadata, furniture removal, byte offsets and the accounting invariant."""

from __future__ import annotations

import codecs
import re

import polars as pl
import pytest
import yaml

from infospace.clean import CleanRules, DecodeError, decode_source, normalize_text
from infospace.parse import ParsedSource, parse_source
from infospace.sources import load_registry

from conftest import REPO, RAW_DIR

CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
RULES = CleanRules.from_config(CONFIG["clean"])
REGISTRY = load_registry(REPO / "config" / "sources.yaml", REPO / "config" / "sources.schema.yaml")


def source_entry(path: str, **overrides: object) -> dict:
    entry = next(e for e in REGISTRY if e["path"] == path)
    return {**entry, "source_id": entry["id"], **overrides}


def synthetic_source(name: str, fmt: str = "web_article", encoding: str | None = None) -> dict:
    return {"source_id": name, "path": name, "format": fmt, "encoding": encoding, "published": "unknown"}


@pytest.fixture(scope="module")
def seeds() -> dict[str, ParsedSource]:
    return {e["path"][:3]: parse_source((RAW_DIR / e["path"]).read_bytes(), source_entry(e["path"]), RULES)
            for e in REGISTRY}


def all_rows(seeds: dict[str, ParsedSource], table: str) -> pl.DataFrame:
    return pl.concat([getattr(parsed, table) for parsed in seeds.values()])


def raw_lines(prefix: str) -> list[str]:
    path = next(RAW_DIR.glob(f"{prefix}_*.txt"))
    return path.read_text(encoding="utf-8").splitlines()


def test_fifteen_documents(seeds):
    assert all_rows(seeds, "documents").height == 15
    assert seeds["002"].documents.height == 11


def test_web_article_metadata(seeds):
    belta = seeds["000"].documents.row(0, named=True)
    assert belta["title"] == "Belarus-Russia Union State information space becomes more united in 2023"
    assert str(belta["published"]) == "2024-01-03 10:30:00"
    assert belta["dateline"] == "MINSK, 3 January (BelTA) -"
    assert belta["text"].split("\n")[1].startswith("MINSK, 3 January (BelTA) - In 2023")

    kazinform = seeds["003"].documents.row(0, named=True)
    assert kazinform["views"] == 68
    assert kazinform["author"] is None and kazinform["author_role"] is None
    assert kazinform["photo_credit"] == "Фото: Kazinform/ А.Павский"
    assert kazinform["rubric"] == "Масс-медиа"
    assert kazinform["title"] == "В Алматы обсудили будущее медиапространства Казахстана и России"
    assert str(kazinform["published"]) == "2025-09-29 00:00:00"
    assert kazinform["hashtags"] == ["#Казахстан", "#Россия", "#СМИ", "#медиа"]

    kazpravda = seeds["004"].documents.row(0, named=True)
    assert kazpravda["views"] == 1571
    assert kazpravda["author"] == "Дана Аменова"
    assert kazpravda["author_role"] == "специальный корреспондент"
    assert kazpravda["photo_credit"] == "Фото: пресс-служба МКИ РК"
    assert kazpravda["published"] is None and kazpravda["published_origin"] == "unknown"


def test_registry_wins_unless_unknown(seeds):
    origins = {k: p.documents["published_origin"][0] for k, p in seeds.items()}
    assert origins == {"000": "registry", "001": "registry", "002": "registry", "003": "registry", "004": "unknown"}
    dated = parse_source("03 January 2024, 10:30\nTitle line\nBody sentence one.\n".encode(),
                         synthetic_source("dated"), RULES)
    row = dated.documents.row(0, named=True)
    assert (str(row["published"]), row["published_precision"], row["published_origin"]) == (
        "2024-01-03 10:30:00", "minute", "text")


def test_forwarded_from_of_every_post(seeds):
    expected = [None] + [line.removeprefix("Forwarded from ").strip()
                         for line in raw_lines("002") if line.startswith("Forwarded from ")]
    assert seeds["002"].documents.sort("position")["forwarded_from"].to_list() == expected


FURNITURE = ["Subscribe to us", "Recent news from Belarus", "All news", "Популярное", "Читайте также", "[[year]]",
             "Media is too big", "VIEW IN TELEGRAM"]


def test_no_furniture_in_kept_text(seeds):
    kept = "\n".join(all_rows(seeds, "paragraphs")["text"])
    for phrase in FURNITURE:
        assert phrase not in kept, phrase
    lines = raw_lines("004")
    start, end = lines.index("Популярное"), lines.index("Читайте также")
    headlines = [line.strip() for line in lines[start + 1:end] if line.strip() and line.strip() != "Все"]
    assert len(headlines) >= 55
    kept_004 = set(seeds["004"].paragraphs["text"])
    assert not kept_004 & set(headlines)


def test_body_lines_are_kept(seeds):
    kept = set(all_rows(seeds, "paragraphs")["text"])
    for line in ["Друзья,", "Дорогие коллеги,", "Colleagues,", "Alexander Lukashenko, President of Belarus:",
                 "Мы на месте.", "Россия всегда держит слово."]:
        assert line in kept, line
    # The source's own spelling is never corrected.
    assert any(text.startswith("Масшабное мероприятие") for text in seeds["004"].paragraphs["text"])


def test_every_web_body_line_is_kept(seeds):
    """Every line of 001 and 003 after the header is body text and must survive."""
    for prefix, header_lines in (("001", 3), ("003", 4)):
        lines = [normalize_text(line) for line in raw_lines(prefix) if line.strip()]
        kept = set(seeds[prefix].paragraphs["text"])
        for line in lines[header_lines:]:
            if not line.startswith("Фото:"):
                assert line in kept, line


def test_no_repeated_paragraph_within_a_post(seeds):
    paragraphs = seeds["002"].paragraphs
    assert paragraphs.group_by("doc_id", "text").len()["len"].max() == 1
    reasons = seeds["002"].audit.group_by("reason").len()
    assert dict(reasons.iter_rows())["repeated_block"] > 50


def test_byte_offsets_round_trip(seeds):
    for prefix, parsed in seeds.items():
        raw = next(RAW_DIR.glob(f"{prefix}_*.txt")).read_bytes()
        for table in (parsed.paragraphs, parsed.audit):
            for start, end, text in table.select("byte_start", "byte_end", "text").iter_rows():
                assert end > start
                assert normalize_text(raw[start:end].decode("utf-8")) == text


def covered_bytes(parsed: ParsedSource) -> list[tuple[int, int]]:
    spans = list(parsed.paragraphs.select("byte_start", "byte_end").iter_rows())
    spans += list(parsed.audit.select("byte_start", "byte_end").iter_rows())
    return sorted(spans)


def assert_accounted(raw: bytes, parsed: ParsedSource, encoding: str = "utf-8") -> None:
    """Every non-white-space character of the raw file lies in exactly one kept paragraph or audit row."""
    spans = covered_bytes(parsed)
    for (_, end), (start, _) in zip(spans, spans[1:]):
        assert end <= start, "overlapping spans"
    gaps = [(0, spans[0][0] if spans else len(raw))]
    gaps += [(end, start) for (_, end), (start, _) in zip(spans, spans[1:])]
    gaps.append((spans[-1][1] if spans else 0, len(raw)))
    for start, end in gaps:
        gap = raw[start:end].removeprefix(codecs.BOM_UTF8) if start == 0 else raw[start:end]
        assert not gap.decode(encoding).strip(), f"unaccounted bytes {start}-{end}: {gap[:60]!r}"


def test_accounting_invariant(seeds):
    for prefix, parsed in seeds.items():
        assert_accounted(next(RAW_DIR.glob(f"{prefix}_*.txt")).read_bytes(), parsed)


def test_document_span_and_hash(seeds):
    import hashlib

    for parsed in seeds.values():
        for doc in parsed.documents.iter_rows(named=True):
            paragraphs = parsed.paragraphs.filter(pl.col("doc_id") == doc["doc_id"]).sort("index")
            assert doc["text"] == "\n".join(paragraphs["text"])
            assert doc["text_sha256"] == hashlib.sha256(doc["text"].encode()).hexdigest()
            assert doc["byte_start"] <= paragraphs["byte_start"].min()
            assert doc["byte_end"] >= paragraphs["byte_end"].max()


def test_ids_are_stable(seeds):
    again = {e["path"][:3]: parse_source((RAW_DIR / e["path"]).read_bytes(), source_entry(e["path"]), RULES)
             for e in reversed(REGISTRY)}
    for prefix in seeds:
        for table in ("documents", "paragraphs", "audit"):
            assert getattr(seeds[prefix], table).equals(getattr(again[prefix], table))
    ids = all_rows(seeds, "paragraphs")["para_id"]
    assert ids.n_unique() == ids.len()
    assert all(re.fullmatch(r"[a-z0-9-]+/\d+/\d+", i) for i in ids)


# Encodings and bad input --------------------------------------------------------------------------------------------

ARTICLE = "Заголовок новости\n\nВ Алматы состоялся форум.\nФото: пресс-служба\n"


def test_windows_1251_declared_and_detected():
    raw = (ARTICLE + "Второй абзац текста о медиасотрудничестве двух стран, длинный и связный.\n").encode("cp1251")
    for declared in ("windows-1251", None):
        parsed = parse_source(raw, synthetic_source("cp1251", encoding=declared), RULES)
        doc = parsed.documents.row(0, named=True)
        assert doc["encoding"] == "cp1251"
        assert "В Алматы состоялся форум." in doc["text"]
        assert doc["photo_credit"] == "Фото: пресс-служба"
        for start, end, text in parsed.paragraphs.select("byte_start", "byte_end", "text").iter_rows():
            assert normalize_text(raw[start:end].decode("cp1251")) == text
        assert_accounted(raw, parsed, "cp1251")


def test_koi8r_declared():
    raw = ARTICLE.encode("koi8-r")
    parsed = parse_source(raw, synthetic_source("koi8", encoding="koi8-r"), RULES)
    assert parsed.documents["encoding"][0] == "koi8-r"
    assert "В Алматы состоялся форум." in parsed.documents["text"][0]


def test_utf8_bom_and_crlf():
    raw = codecs.BOM_UTF8 + ARTICLE.replace("\n", "\r\n").encode("utf-8") + b"Old Mac line.\rLast\xc2\xa0 line."
    parsed = parse_source(raw, synthetic_source("bom"), RULES)
    texts = parsed.paragraphs["text"].to_list()
    assert texts[0] == "Заголовок новости"
    assert "Old Mac line." in texts and "Last line." in texts
    assert parsed.paragraphs["byte_start"][0] == 3
    assert_accounted(raw, parsed)


def test_mojibake_is_repaired_and_recorded():
    mojibake = "В Алматы состоялся форум.".encode("utf-8").decode("cp1251")
    assert mojibake.startswith("Р’ Р")
    raw = f"Заголовок\n{mojibake}\nОбычная строка текста.\n".encode("utf-8")
    parsed = parse_source(raw, synthetic_source("mojibake"), RULES)
    assert "В Алматы состоялся форум." in parsed.paragraphs["text"].to_list()
    assert parsed.documents["mojibake_repaired"][0] is True
    clean = parse_source(ARTICLE.encode(), synthetic_source("clean"), RULES)
    assert clean.documents["mojibake_repaired"][0] is False


def test_quotes_dashes_and_emoji_are_kept():
    line = "🇷🇺🇧🇾 «Цитата» — \u201cquote\u201d - it’s 100%…"
    parsed = parse_source(f"Title\n{line}\n".encode(), synthetic_source("quotes"), RULES)
    assert line in parsed.paragraphs["text"].to_list()


def test_empty_file_gives_no_rows():
    parsed = parse_source(b"", synthetic_source("empty"), RULES)
    assert parsed.documents.height == parsed.paragraphs.height == parsed.audit.height == 0
    parsed = parse_source(b"  \n\n \r\n", synthetic_source("blank"), RULES)
    assert parsed.documents.height == 0


def test_binary_file_is_an_error():
    with pytest.raises(DecodeError, match=r"binary\.bin: byte 4: NUL"):
        parse_source(b"\x89PNG\x00\x00\x01\xff\xfe", synthetic_source("binary.bin"), RULES)


def test_undecodable_bytes_name_file_and_offset():
    raw = "Заголовок\nТекст".encode("utf-8") + b"\xff" + "ещё".encode("utf-8")
    with pytest.raises(DecodeError, match=r"broken\.txt: byte 29"):
        parse_source(raw, synthetic_source("broken.txt"), RULES)
    with pytest.raises(DecodeError, match=r"declared\.txt: byte 0"):
        decode_source(b"\xff\xfe", "utf-8", "declared.txt")


def test_odd_spaces_are_normalized():
    assert normalize_text("a\u00a0\u00a0b\u2009c\t d ") == "a b c d"
    assert normalize_text("e\u0301") == "\u00e9"
    assert normalize_text("й ё") == "й ё"


def test_rules_are_not_keyed_to_one_file():
    """An unseen page with other menus, headline lists and dates is cleaned the same way."""
    page = "\n".join([
        "Home", "Friday, 5 September 2025", "12 March 2025, 09:15", "",
        "Ministers meet in Astana", "", "ASTANA, 12 March (Kazinform) - Ministers met on Tuesday.",
        "They agreed on a plan.", "Read also", "", "Another story about something",
        "Yet another headline here", "Subscribe to us", "Archive", "  • {{ year }}",
    ]).encode()
    parsed = parse_source(page, synthetic_source("unseen"), RULES)
    doc = parsed.documents.row(0, named=True)
    assert doc["title"] == "Ministers meet in Astana"
    assert doc["dateline"] == "ASTANA, 12 March (Kazinform) -"
    assert doc["published_origin"] == "text" and str(doc["published"]) == "2025-03-12 09:15:00"
    assert parsed.paragraphs["text"].to_list() == [
        "Ministers meet in Astana", "ASTANA, 12 March (Kazinform) - Ministers met on Tuesday.",
        "They agreed on a plan."]
    reasons = dict(parsed.audit.group_by("reason").len().iter_rows())
    assert reasons == {"navigation": 2, "metadata:published": 1, "related_stories": 3, "call_to_action": 1,
                       "archive_widget": 2}
    assert_accounted(page, parsed)


def test_the_mojibake_prefilter_never_skips_what_ftfy_would_change():
    """clean_text skips ftfy only where ftfy's own heuristic cannot match: random strings over every character the
    heuristic names (its categories and literals), Cyrillic, Greek, quotes and ASCII."""
    import random
    import re as regex

    import ftfy
    import ftfy.badness

    from infospace.clean import FTFY_CONFIG, may_be_mojibake

    alphabet = set("abcxyzABCXYZ .,!?-:;\t0123456789")
    for category in ftfy.badness.MOJIBAKE_CATEGORIES.values():
        for match in regex.finditer(r"(.)-(.)|(.)", category):
            if match.group(1):
                alphabet.update(map(chr, range(ord(match.group(1)), ord(match.group(2)) + 1)))
            else:
                alphabet.add(match.group(3))
    alphabet.update(ch for ch in ftfy.badness.BADNESS_RE.pattern if ord(ch) > 127)
    alphabet.update(map(chr, range(0x400, 0x460)))
    alphabet.update(map(chr, range(0x391, 0x3CA)))
    common = sorted(set("абвгдежзиклмнопрстуфхцчшщъыьэюяВГРС «»“”„—–…’ ,.") | set("ΒΓΞΟ"))
    rare = sorted(alphabet)
    rng = random.Random(11)
    skipped = 0
    for _ in range(200_000):
        text = "".join(rng.choice(rare) if rng.random() < 0.15 else rng.choice(common)
                       for _ in range(rng.randint(1, 12)))
        if not may_be_mojibake(text):
            skipped += 1
            assert not ftfy.badness.is_bad(text), repr(text)
            assert ftfy.fix_text(text, FTFY_CONFIG) == text, repr(text)
    assert skipped > 50_000  # the check is exercised, not vacuous
    assert may_be_mojibake("РџСЂРёРІРµС‚") and may_be_mojibake("Ð¿Ñ€Ð¸Ð²ÐµÑ‚") and may_be_mojibake("Р«С")
    assert not may_be_mojibake("«Привет» — сказал он, и ушёл…")
