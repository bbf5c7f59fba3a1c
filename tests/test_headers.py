"""Page headers of web_article text copies, on pages no rule was written for: the title is found by structure
(its place above the body and its form), a short line above it is a rubric, a breadcrumb trail is navigation."""

from __future__ import annotations

from datetime import datetime

import pytest
import yaml

from infospace.clean import CleanRules
from infospace.parse import parse_source
from infospace.provenance import byte_accounting_problems

import polars as pl

from conftest import REPO

RULES = CleanRules.from_config(yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))["clean"])

BODY_EN = ("The sides discussed cooperation in trade, education and culture, and agreed to hold the next meeting of "
           "the intergovernmental commission in the autumn.\n"
           "Particular attention was paid to joint projects in the field of digital technologies and transport.\n")
BODY_RU = ("Стороны обсудили сотрудничество в торговле, образовании и культуре и договорились провести следующее "
           "заседание межправительственной комиссии осенью.\n"
           "Особое внимание было уделено совместным проектам в сфере цифровых технологий и транспорта.\n")

PAGES = {
    "rubric above the date banner": (
        "Politics\nThursday, 5 June 2025\n05 June 2025, 12:15\n\nPresident meets OSCE Secretary General in Minsk\n\n"
        "MINSK, 5 June (Agency) - The President met with the OSCE Secretary General in Minsk on Thursday, the press "
        "service reported.\n" + BODY_EN,
        {"title": "President meets OSCE Secretary General in Minsk", "rubric": "Politics",
         "published": datetime(2025, 6, 5, 12, 15)}),
    "breadcrumb trail": (
        "Главная / Новости / Политика\nМинистры иностранных дел обсудили подготовку саммита\n14 марта 2025\n\n"
        + BODY_RU,
        {"title": "Министры иностранных дел обсудили подготовку саммита", "rubric": None,
         "published": datetime(2025, 3, 14), "navigation": ["Главная / Новости / Политика"]}),
    "no rubric at all": (
        "Belarus and Kazakhstan sign a new programme of cultural cooperation\n12.02.2025 09:40\n" + BODY_EN,
        {"title": "Belarus and Kazakhstan sign a new programme of cultural cooperation", "rubric": None,
         "published": datetime(2025, 2, 12, 9, 40)}),
    "title repeated in the body": (
        "В Минске прошёл форум региональных СМИ\n\n27 апреля 2025, 16:00\n\nВ Минске прошёл форум региональных СМИ\n\n"
        + BODY_RU,
        {"title": "В Минске прошёл форум региональных СМИ", "rubric": None, "published": datetime(2025, 4, 27, 16, 0),
         "repeated_title": ["В Минске прошёл форум региональных СМИ"]}),
    "only a date and a body": (
        "6 June 2025\n" + BODY_EN,
        {"title": None, "rubric": None, "published": datetime(2025, 6, 6)}),
    "quoted headline under a rubric": (
        "Экономика\nМинистр: «Мы откроем новые рынки для наших производителей»\n2025-09-29 10:00\n" + BODY_RU,
        {"title": "Министр: «Мы откроем новые рынки для наших производителей»", "rubric": "Экономика",
         "published": datetime(2025, 9, 29, 10, 0)}),
    "section and subsection above a question": (
        "World\nEurope\nWill the new security dialogue in Europe succeed?\n3 November 2025\n" + BODY_EN,
        {"title": "Will the new security dialogue in Europe succeed?", "rubric": "World",
         "published": datetime(2025, 11, 3), "navigation": ["Europe"]}),
    "rubric after the headline": (
        "Что ждёт медиарынок Казахстана в 2026 году?\nОбщество\n" + BODY_RU,
        {"title": "Что ждёт медиарынок Казахстана в 2026 году?", "rubric": "Общество", "published": None}),
}


@pytest.mark.parametrize("layout", sorted(PAGES))
def test_header_by_structure(layout: str) -> None:
    text, expected = PAGES[layout]
    raw = text.encode("utf-8")
    source = {"source_id": "page", "path": "page.txt", "format": "web_article", "encoding": None,
              "published": "unknown"}
    parsed = parse_source(raw, source, RULES)
    document = parsed.documents.row(0, named=True)
    assert document["title"] == expected["title"]
    assert document["rubric"] == expected["rubric"]
    assert document["published"] == expected["published"]
    body = [line for line in (BODY_EN + BODY_RU).splitlines() if line in text]
    assert all(line in parsed.paragraphs["text"].to_list() for line in body)
    if expected["title"] is not None:
        assert parsed.paragraphs["text"][0] == expected["title"]
    for reason in ("navigation", "repeated_title"):
        audited = parsed.audit.filter(pl.col("reason") == reason)["text"].to_list()
        assert [t for t in audited if t in expected.get(reason, [])] == expected.get(reason, []), reason
    spans = pl.concat([parsed.paragraphs.select(pl.col("para_id").alias("id"), "byte_start", "byte_end", "text"),
                       parsed.audit.select(pl.col("audit_id").alias("id"), "byte_start", "byte_end", "text")])
    assert byte_accounting_problems("page", raw, "utf-8", spans) == []
