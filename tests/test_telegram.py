"""Format telegram_json: Telegram Desktop's export, streamed: message spans, flattened entity text, metadata, audited
service and media-only messages, provenance, the gap report, full-account exports and malformed files."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
import yaml

from infospace.clean import CleanRules
from infospace.gaps import message_gaps
from infospace.parse import ParsedSource, parse_shard
from infospace.provenance import SPAN_COLUMNS, resolve, shard_accounting_problems
from infospace.records import RecordPolicy
from infospace.shards import source_layout
from infospace.telegram import ExportError, flatten, scan_export

from conftest import REPO

EXPORT = REPO / "tests" / "data" / "telegram" / "result.json"
CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
RULES = CleanRules.from_config(CONFIG["clean"])
POLICY = RecordPolicy.from_config({})


def source(path: Path, chat: str | None = None) -> dict:
    return {"source_id": "tg", "path": path.name, "format": "telegram_json", "encoding": None, "published": "unknown",
            "fields": None, "chat": chat}


def parse_all(path: Path, chat: str | None = None, shard_size: int = 1000) -> tuple[list, list[ParsedSource], dict]:
    shards, facts = source_layout(path, "telegram_json", shard_size, chat)
    src = {**source(path, chat), "facts": facts}
    return shards, [parse_shard(path, src, shard, RULES, POLICY) for shard in shards], src


def concat(parsed: list[ParsedSource], table: str) -> pl.DataFrame:
    return pl.concat([getattr(p, table) for p in parsed], how="vertical")


def test_every_message_span_is_its_object() -> None:
    layout = scan_export(EXPORT)
    raw = EXPORT.read_bytes()
    ids = [json.loads(raw[start:end])["id"] for start, end in layout.messages]
    assert ids == [1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 15]
    assert layout.chat == {"name": "Пресс-служба посольства", "type": "public_channel", "id": 1987654321}


def test_documents_fields_and_audited_messages() -> None:
    _, parsed, _ = parse_all(EXPORT)
    documents, paragraphs, audit = (concat(parsed, t) for t in ("documents", "paragraphs", "audit"))
    by_id = {row["message_id"]: row for row in documents.to_dicts()}
    assert sorted(by_id) == [2, 5, 6, 8, 9, 11, 15]
    raw = EXPORT.read_bytes()
    for row in by_id.values():
        assert json.loads(raw[row["byte_start"]:row["byte_end"]])["id"] == row["message_id"]
        assert row["record_id"] == str(row["message_id"]) and row["channel_id"] == "1987654321"
        assert row["channel"] == "Пресс-служба посольства" and row["published_tz"] == "+00:00"
    statement = by_id[2]
    assert statement["text"] == ("Заявление Министерства иностранных дел по итогам заседания Постоянного совета ОБСЕ.\n"
                                 "Полный текст опубликован на сайте ведомства.\n#ОБСЕ #МИД")
    assert statement["hashtags"] == ["#ОБСЕ", "#МИД"]
    assert statement["links"] == ["https://www.osce.org/permanent-council"]
    assert statement["reactions"] == [{"reaction": "👍", "count": 41}, {"reaction": "🔥", "count": 3}]
    assert statement["published"] == datetime(2025, 6, 5, 6, 30)  # 09:30 in Moscow, UTC from date_unixtime
    assert (statement["published_precision"], statement["published_origin"]) == ("second", "record")
    reply = by_id[5]
    assert reply["reply_to_message_id"] == 2 and reply["edited_at"] == datetime(2025, 6, 5, 8, 40)
    assert by_id[6]["forwarded_from"] == "Russian MFA" and by_id[6]["forwarded_from"] is not None
    assert by_id[15]["media_type"] == "video_file" and "video" not in by_id[15]["text"].lower()
    assert by_id[15]["text"] == "Видеозапись брифинга официального представителя посольства."
    assert by_id[11]["links"] == ["https://example.org/live"]
    assert by_id[11]["reactions"] == [{"reaction": "5368324170671202286", "count": 2}]
    whole = audit.filter(pl.col("char_start").is_null())
    assert dict(zip(whole["record_id"], whole["reason"])) == {
        "1": "telegram:service", "3": "telegram:media_only", "4": "telegram:poll", "10": "telegram:service",
        "12": "telegram:media_only"}
    assert whole.filter(pl.col("record_id") == "4")["text"][0] == (
        "Какие темы осветить на брифинге?\nСотрудничество в ОБСЕ\nКонсульские вопросы")
    artifacts = audit.filter(pl.col("reason") == "platform_artifact")
    assert sorted(artifacts["text"]) == ["Media is too big", "VIEW IN TELEGRAM"]
    assert set(artifacts["record_id"]) == {"11"}
    assert paragraphs.filter(pl.col("doc_id") == by_id[2]["doc_id"])["char_start"].to_list() == [0, 85, 130]


def test_every_row_resolves_and_the_accounting_holds() -> None:
    shards, parsed, src = parse_all(EXPORT, shard_size=4)
    assert len(shards) == 3
    for shard, part in zip(shards, parsed, strict=True):
        rows = part.paragraphs.to_dicts() + part.audit.to_dicts()
        for row in rows:
            assert resolve(EXPORT, src, row) == row["text"], row
        spans = pl.concat([part.paragraphs.select(pl.col("para_id").alias("id"), *SPAN_COLUMNS[1:]),
                           part.audit.select(pl.col("audit_id").alias("id"), *SPAN_COLUMNS[1:])])
        assert shard_accounting_problems(EXPORT, src, shard, "utf-8", spans) == []
        lost = spans.filter(~pl.col("id").str.contains(r"a\d+\.0$"))
        if lost.height < spans.height:  # dropping a paragraph's first piece is found
            assert shard_accounting_problems(EXPORT, src, shard, "utf-8", lost)


def test_shards_give_the_same_rows() -> None:
    whole = parse_all(EXPORT)[1]
    for size in (1, 2, 5):
        sharded = parse_all(EXPORT, shard_size=size)[1]
        for table in ("documents", "paragraphs", "audit"):
            assert concat(sharded, table).equals(concat(whole, table)), (size, table)


def test_gap_report() -> None:
    _, parsed, src = parse_all(EXPORT)
    messages = pl.concat([concat(parsed, "documents").select("source_id", "record_id"),
                          concat(parsed, "audit").select("source_id", "record_id")])
    gaps = message_gaps(messages, {"tg": src["facts"]})
    assert gaps.select("first_missing", "last_missing", "n_missing").rows() == [(7, 7, 1), (13, 14, 2)]
    assert set(gaps["channel"]) == {"Пресс-служба посольства"} and set(gaps["channel_id"]) == {"1987654321"}


def full_account_export(tmp_path: Path) -> Path:
    channel = json.loads(EXPORT.read_text(encoding="utf-8"))
    other = {"name": "Saved Messages", "type": "saved_messages", "id": 42,
             "messages": [{"id": 1, "type": "message", "date": "2025-01-01T00:00:00", "date_unixtime": "1735689600",
                           "text": "A note."}]}
    export = {"about": "Here is the data you requested.", "personal_information": {"first_name": "x"},
              "chats": {"about": "This page lists all chats from this export.", "list": [other, channel]}}
    path = tmp_path / "result.json"
    path.write_text(json.dumps(export, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def test_full_account_export_needs_a_chat(tmp_path: Path) -> None:
    path = full_account_export(tmp_path)
    with pytest.raises(ExportError, match=r"full-account export with 2 chats: choose one with `chat:`.*'Saved Messages' "
                                          r"\(42\)"):
        scan_export(path)
    with pytest.raises(ExportError, match="no chat named or numbered 'Nope'"):
        scan_export(path, "Nope")
    by_name = parse_all(path, chat="Пресс-служба посольства")[1]
    by_id = parse_all(path, chat="1987654321")[1]
    reference = parse_all(EXPORT)[1]
    assert concat(by_name, "documents")["text"].to_list() == concat(reference, "documents")["text"].to_list()
    assert concat(by_id, "documents")["message_id"].to_list() == concat(reference, "documents")["message_id"].to_list()
    raw = path.read_bytes()
    assert all(json.loads(raw[s:e])["id"] == i
               for s, e, i in concat(by_name, "documents").select("byte_start", "byte_end", "message_id").iter_rows())


def test_text_flattening() -> None:
    assert flatten("plain") == ("plain", [])
    assert flatten(["a ", {"type": "bold", "text": "b"}, {"type": "text_link", "text": "c", "href": "https://x.org"},
                    {"type": "custom_emoji", "text": "🙂", "document_id": "1"}]) == ("a bc🙂", ["https://x.org"])
    assert flatten(None) == ("", [])


@pytest.mark.parametrize("damage, message", [
    (lambda raw: raw[: len(raw) // 2], "byte"),
    (lambda raw: b'{"name": "x", "type": "public_channel", "id": 1, "chats": 3}', "no `messages` array"),
    (lambda raw: raw.replace(b'"id": 5,', b'"identifier": 5,', 1), "message 4 has no integer `id`"),
    (lambda raw: b"not json at all", "byte 0: not JSON"),
])
def test_a_malformed_export_names_the_file_and_the_place(damage, message: str, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(damage(EXPORT.read_bytes()))
    with pytest.raises(ExportError, match=message) as error:
        parse_all(path)
    assert str(error.value).startswith("broken.json")
