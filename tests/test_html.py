"""Format html: saved article pages. trafilatura keeps the article, every other visible block is audited with a
reason; encodings (UTF-8, windows-1251 with entities); the page's own metadata; provenance of every row."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from infospace.clean import DecodeError
from infospace.html import decode_page, html_text, page_accounting_problems, visible_blocks
from infospace.parse import ParsedSource, parse_page
from infospace.provenance import SPAN_COLUMNS, resolve

from conftest import REPO

PAGES = REPO / "tests" / "data" / "html"


def source(name: str, encoding: str | None = None) -> dict:
    return {"source_id": "page", "path": name, "format": "html", "encoding": encoding, "published": "unknown"}


def parse(path: Path, encoding: str | None = None) -> ParsedSource:
    return parse_page(path.read_bytes(), source(path.name, encoding))


def spans(parsed: ParsedSource) -> pl.DataFrame:
    return pl.concat([parsed.paragraphs.select(pl.col("para_id").alias("id"), *SPAN_COLUMNS[1:]),
                      parsed.audit.select(pl.col("audit_id").alias("id"), *SPAN_COLUMNS[1:])])


def check_provenance(path: Path, parsed: ParsedSource) -> None:
    encoding = parsed.documents["encoding"][0]
    for row in parsed.paragraphs.to_dicts() + parsed.audit.to_dicts():
        assert resolve(path, source(path.name), row, encoding) == row["text"], row
    assert page_accounting_problems("page", path.read_bytes(), encoding, spans(parsed)) == []


def test_english_page_in_utf8() -> None:
    path = PAGES / "en_utf8.html"
    parsed = parse(path)
    document = parsed.documents.row(0, named=True)
    assert parsed.documents.height == 1 and document["encoding"] == "utf-8"
    assert parsed.paragraphs["text"].to_list() == [
        "Foreign ministers of the Union State discuss regional security",
        "MINSK, 5 June (ENA) – The foreign ministers of Belarus and Russia met in Minsk on Thursday to discuss "
        "regional security, the ministry’s press service said.",
        "The ministers reviewed the implementation of the programme of coordinated actions in foreign policy and "
        "agreed to hold the next round of consultations in the autumn.",
        "Particular attention was paid to cooperation within the CSTO and the OSCE, as well as to humanitarian "
        "issues.",
        "“Our countries share a common view of the challenges facing the region,” the Belarusian minister said.",
        "The talks were followed by a working lunch.",
        "A joint statement will be published later.",
    ]
    assert (document["title"], document["author"], document["site_name"]) == (
        "Foreign ministers of the Union State discuss regional security", "Maria Petrova", "Example News Agency")
    assert document["url"] == "https://news.example.org/en/world/ministers-discuss-regional-security-2025-06-05"
    assert document["tags"] == ["Union State", "diplomacy", "security"]
    assert (document["published"], document["published_tz"], document["published_precision"],
            document["published_origin"]) == (datetime(2025, 6, 5, 11, 20), "+03:00", "second", "page")
    assert document["dateline"] == "MINSK, 5 June (ENA) –"
    reasons = dict(zip(parsed.audit["text"], parsed.audit["reason"]))
    assert reasons["Politics"] == "navigation" and reasons["Home › World"] == "navigation"
    assert reasons["Share this article: Facebook Telegram VK"] == "share_bar"
    assert reasons["An important meeting for the whole region."] == "comments"
    assert reasons["CSTO foreign ministers to meet in Astana in November"] == "related_stories"
    assert reasons["© 2025 Example News Agency. All rights reserved."] == "footer"
    assert reasons["5 June 2025, 14:20 By Maria Petrova"] == "metadata:published"
    assert reasons["This site uses cookies. By continuing to browse you agree to our use of cookies. Learn more"] == \
        "cookie_notice"
    assert not any("analytics" in text or "font-family" in text for text in parsed.audit["text"])
    check_provenance(path, parsed)


def test_russian_page_in_windows_1251_with_json_ld() -> None:
    path = PAGES / "ru_cp1251.html"
    parsed = parse(path)
    document = parsed.documents.row(0, named=True)
    assert document["encoding"] == "cp1251"
    assert "«Қазақстан әлемге ашиқ»" in document["text"]  # letters outside windows-1251, written as entities
    assert (document["title"], document["author"], document["site_name"]) == (
        "В Астане обсудили сотрудничество в сфере СМИ", "Айгерим Сапарова", "Пример-Инфо")
    assert (document["published"], document["published_tz"]) == (datetime(2025, 9, 29, 6, 5), "+05:00")
    assert document["tags"] == ["СМИ", "медиафорум", "Казахстан"] and document["rubric"] == "Общество"
    assert parsed.paragraphs["text"].to_list()[-1] == "Работа форума продлится два дня."
    reasons = dict(zip(parsed.audit["text"], parsed.audit["reason"]))
    assert reasons["Главная | Политика | Общество | Қазақша"] == "navigation"
    assert reasons["Курс тенге укрепился на торгах"] == "related_stories"
    assert reasons["Общество"] == "metadata:rubric" and reasons["29 сентября 2025, 11:05"] == "metadata:published"
    raw = path.read_bytes()
    first = parsed.paragraphs.row(1, named=True)
    assert b"&#" not in raw[first["byte_start"]:first["byte_end"]]
    check_provenance(path, parsed)


UNSEEN = """<html><head><meta charset="utf-8"><title>Statement on the anniversary | Ministry</title></head>
<body><div id="wrapper"><div class="topbar">Search | English | Русский</div>
<div id="content"><div class="page-heading"><span class="kicker">Statements</span>
<h2 class="headline">Statement by the Ministry on the anniversary of the Helsinki Final Act</h2></div>
<div class="entry"><p>Fifty years ago, the Helsinki Final Act laid the foundations of security and cooperation in Europe.
Its principles remain relevant today.</p>
<p>The Ministry calls on all participating States to return to equal dialogue and respect for each other's interests,
as envisaged by the founding documents of the Organization.</p>
<p>We are convinced that only such an approach can restore trust on the continent.</p></div>
<div class="widget sidebar-block"><h4>Most read</h4><p><a href="/1">Briefing schedule for next week</a></p></div></div>
<div id="bottom-line">Ministry of Foreign Affairs, 2025</div></div></body></html>"""


def test_an_unseen_layout(tmp_path: Path) -> None:
    path = tmp_path / "unseen.html"
    path.write_text(UNSEEN, encoding="utf-8")
    parsed = parse(path)
    texts = parsed.paragraphs["text"].to_list()
    assert texts[-1] == "We are convinced that only such an approach can restore trust on the continent."
    assert any(text.startswith("Fifty years ago, the Helsinki Final Act") for text in texts)
    audited = dict(zip(parsed.audit["text"], parsed.audit["reason"]))
    assert "Briefing schedule for next week" in audited and "Search | English | Русский" in audited
    assert "Ministry of Foreign Affairs, 2025" in audited
    assert audited["Search | English | Русский"] == "navigation" and audited["Statements"] == "metadata:rubric"
    check_provenance(path, parsed)


def test_every_visible_block_is_accounted_for() -> None:
    path = PAGES / "en_utf8.html"
    parsed = parse(path)
    encoding = parsed.documents["encoding"][0]
    rows = spans(parsed)
    lost = rows.filter(pl.col("id") != rows["id"][3])
    assert any("is in no paragraph or audit row" in p
               for p in page_accounting_problems("page", path.read_bytes(), encoding, lost))
    edited = rows.with_columns(text=pl.when(pl.col("id") == rows["id"][0]).then(pl.lit("x")).otherwise("text"))
    assert any("round trip" in p for p in page_accounting_problems("page", path.read_bytes(), encoding, edited))
    blocks = visible_blocks(decode_page(path.read_bytes(), None, path.name)[0])
    assert len(blocks) == rows.height


def test_encodings(tmp_path: Path) -> None:
    page = "<html><body><p>Привет, мир. Это проверка кодировки страницы.</p></body></html>"
    bom = tmp_path / "bom.html"
    bom.write_bytes(b"\xef\xbb\xbf" + page.encode("utf-8"))
    assert decode_page(bom.read_bytes(), None, "bom.html")[1:] == ("utf-8", 3)
    parsed = parse(bom)
    assert parsed.paragraphs["byte_start"][0] > 3
    check_provenance(bom, parsed)
    declared = tmp_path / "koi.html"
    declared.write_bytes(page.encode("koi8-r"))
    assert decode_page(declared.read_bytes(), "koi8-r", "koi.html")[1] == "koi8-r"
    undecodable = b'<html><head><meta charset="utf-8"></head><body><p>caf\xe9</p></body></html>'
    with pytest.raises(DecodeError, match=r"broken\.html: byte 53: cannot decode"):
        decode_page(undecodable, None, "broken.html")


def test_visible_text_rule() -> None:
    assert html_text("<b>MINSK</b>, 5&nbsp;June &ndash;\n  the <a href='x'>OSCE</a>&#8217;s") == "MINSK, 5 June – the OSCE’s"
    assert html_text("<script>var x = 1;</script>Text<style>p{}</style>") == "Text"
