"""Record formats (jsonl, parquet): field mapping, dates, bad records, shards, and provenance back to the raw bytes."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from infospace.clean import CleanRules
from infospace.parse import ParsedSource, parse_shard
from infospace.provenance import SPAN_COLUMNS, resolve, shard_accounting_problems
from infospace.records import RecordError, RecordPolicy, duplicate_record_ids, parse_record_date, text_pieces
from infospace.schema import BAD_RECORD_PROBLEMS
from infospace.shards import format_manifest, read_manifest, source_shards

from conftest import REPO

CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
RULES = CleanRules.from_config(CONFIG["clean"])
FAIL = RecordPolicy.from_config({})
AUDIT_ALL = RecordPolicy.from_config({"bad_records": dict.fromkeys(BAD_RECORD_PROBLEMS, "audit")})
FIELDS = {"text": "body", "id": "msg_id", "published": "date", "channel": "chan", "views": "views",
          "forwarded_from": "fwd", "title": "title", "url": "link", "author": "by"}

GOOD = [
    {"msg_id": 7, "date": "2025-06-05T10:30:00+03:00", "chan": "МИД", "views": 1200, "fwd": None,
     "body": "  Заявление министерства.  \n\nВторой абзац с «кавычками» — и тире.\nMedia is too big\n#МИД #ОБСЕ",
     "title": "Заявление", "link": "https://example.org/7", "by": "Пресс-служба"},
    {"msg_id": "x-8", "date": 1717570000, "chan": "MFA", "views": 5, "fwd": "Russian MFA",
     "body": "Statement of the Ministry.\r\nSecond paragraph, with an emoji 🇷🇺.", "title": None, "link": None,
     "by": None},
    {"msg_id": 9, "date": "2025-06-06", "chan": "MFA", "views": None, "fwd": None,
     "body": "Only a date to the day.\u00a0 Spaces\u2003inside.", "title": "T", "link": None, "by": None},
]


def source(fmt: str, path: str, fields: dict | None = None) -> dict:
    return {"source_id": "bulk", "path": path, "format": fmt, "encoding": None, "published": "unknown",
            "fields": json.dumps(fields or FIELDS, sort_keys=True)}


def write_jsonl(folder: Path, records: list, name: str = "feed.jsonl", prefix: bytes = b"") -> Path:
    lines = [r if isinstance(r, bytes) else json.dumps(r, ensure_ascii=False).encode() for r in records]
    path = folder / name
    path.write_bytes(prefix + b"\n".join(lines) + b"\n")
    return path


def parse_all(path: Path, src: dict, policy: RecordPolicy = FAIL, shard_size: int = 1000) -> list[ParsedSource]:
    return [parse_shard(path, src, shard, RULES, policy) for shard in source_shards(path, src["format"], shard_size)]


def concat(parsed: list[ParsedSource], table: str) -> pl.DataFrame:
    return pl.concat([getattr(p, table) for p in parsed], how="vertical")


def spans(parsed: ParsedSource) -> pl.DataFrame:
    kept = parsed.paragraphs.select(pl.col("para_id").alias("id"), *SPAN_COLUMNS[1:])
    removed = parsed.audit.select(pl.col("audit_id").alias("id"), *SPAN_COLUMNS[1:])
    return pl.concat([kept, removed])


def assert_provenance(path: Path, src: dict, parsed: list[ParsedSource], shard_size: int = 1000) -> None:
    """Every paragraph and audit row resolves to its text, and every shard passes the accounting check."""
    for part in parsed:
        for row in part.paragraphs.to_dicts() + part.audit.to_dicts():
            assert resolve(path, src, row) == row["text"], row
    for shard, part in zip(source_shards(path, src["format"], shard_size), parsed, strict=True):
        assert shard_accounting_problems(path, src, shard, "utf-8", spans(part)) == []


# --- JSONL --------------------------------------------------------------------------------------------------------


def test_jsonl_fields_paragraphs_and_audit(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path, GOOD)
    parsed = parse_all(path, source("jsonl", path.name))
    documents, paragraphs, audit = (concat(parsed, t) for t in ("documents", "paragraphs", "audit"))
    first, second, third = documents.to_dicts()
    assert [d["doc_id"] for d in (first, second, third)] == ["bulk/0", "bulk/1", "bulk/2"]
    assert (first["record_id"], second["record_id"]) == ("7", "x-8")
    assert first["published"] == datetime(2025, 6, 5, 7, 30) and first["published_tz"] == "+03:00"
    assert (first["published_precision"], first["published_origin"]) == ("second", "record")
    assert second["published"] == datetime(2024, 6, 5, 6, 46, 40) and second["published_tz"] == "+00:00"
    assert (third["published_precision"], third["published_tz"]) == ("day", None)
    assert (first["channel"], first["views"], first["title"], first["url"], first["author"]) == (
        "МИД", 1200, "Заявление", "https://example.org/7", "Пресс-служба")
    assert (second["forwarded_from"], second["title"]) == ("Russian MFA", None)
    assert first["hashtags"] == ["#МИД", "#ОБСЕ"]
    assert first["text"] == "Заявление министерства.\nВторой абзац с «кавычками» — и тире.\n#МИД #ОБСЕ"
    assert third["text"] == "Only a date to the day. Spaces inside."
    assert audit.select("reason", "text", "doc_id").row(0) == ("platform_artifact", "Media is too big", "bulk/0")
    line = path.read_bytes().split(b"\n")[0]
    assert (first["byte_start"], first["byte_end"]) == (0, len(line))
    assert json.loads(path.read_bytes()[second["byte_start"]:second["byte_end"]])["msg_id"] == "x-8"
    assert paragraphs.filter(pl.col("doc_id") == "bulk/1")["char_start"].to_list() == [0, 28]
    assert_provenance(path, source("jsonl", path.name), parsed)


def test_jsonl_bom_crlf_blank_lines_and_record_index(tmp_path: Path) -> None:
    lines = [json.dumps(r, ensure_ascii=False).encode() for r in GOOD]
    path = tmp_path / "crlf.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + lines[0] + b"\r\n\r\n   \r\n" + lines[1] + b"\r\n" + lines[2])
    src = source("jsonl", path.name, {"text": "body"})
    parsed = parse_all(path, src)
    documents = concat(parsed, "documents")
    assert documents["position"].to_list() == [0, 3, 4]  # line index: blank lines are no record
    assert documents["record_id"].to_list() == ["0", "3", "4"]  # no `id` field: the record index
    assert documents["published_origin"].to_list() == ["unknown"] * 3
    assert_provenance(path, src, parsed)


def test_text_pieces_keep_exact_character_ranges() -> None:
    text = " a\tb  \r\n\n  \u00a0c d\u2003 \ne"
    pieces = text_pieces(text)
    assert [(p.text, text[p.char_start:p.char_end]) for p in pieces] == [
        ("a b", "a\tb"), ("c d", "c d"), ("e", "e")]


BAD_LINES = {
    "not_json": (b'{"body": "unterminated', "line 2 (byte"),
    "invalid_utf8": (b'{"body": "caf\xe9"}', "invalid UTF-8"),
    "missing_text": (b'{"other": "x"}', "field `body`"),
    "text_not_string": (b'{"body": ["a", "b"]}', "field `body`"),
    "empty_text": (b'{"body": "  \\n "}', "field `body`"),
    "unparsable_date": (b'{"msg_id": 2, "body": "Text.", "date": "yesterday"}', "field `date`"),
    "bad_field": (b'{"msg_id": 2, "body": "Text.", "views": "many"}', "field `views`"),
}


@pytest.mark.parametrize("problem", sorted(BAD_LINES))
def test_bad_jsonl_record_fails_by_default_naming_file_line_and_field(problem: str, tmp_path: Path) -> None:
    line, named = BAD_LINES[problem]
    path = write_jsonl(tmp_path, [GOOD[1], line, GOOD[2]])
    with pytest.raises(RecordError) as error:
        parse_all(path, source("jsonl", path.name))
    message = str(error.value)
    assert message.startswith("feed.jsonl: line 2 (byte ") and named in message and f"bad_record:{problem}" in message


@pytest.mark.parametrize("problem", sorted(BAD_LINES))
def test_bad_jsonl_record_is_audited_when_configured(problem: str, tmp_path: Path) -> None:
    line, _ = BAD_LINES[problem]
    path = write_jsonl(tmp_path, [GOOD[1], line, GOOD[2]])
    src = source("jsonl", path.name)
    parsed = parse_all(path, src, AUDIT_ALL)
    assert concat(parsed, "documents")["position"].to_list() == [0, 2]
    bad = concat(parsed, "audit").filter(pl.col("reason").str.starts_with("bad_record:")).to_dicts()
    assert [row["reason"] for row in bad] == [f"bad_record:{problem}"]
    assert bad[0]["doc_id"] is None and bad[0]["char_start"] is None and "line 2" in bad[0]["rule"]
    assert_provenance(path, src, parsed)


def test_policy_config_is_checked() -> None:
    with pytest.raises(ValueError, match="unknown problems"):
        RecordPolicy.from_config({"bad_records": {"not_jsn": "audit"}})
    with pytest.raises(ValueError, match="one of"):
        RecordPolicy.from_config({"bad_records": {"not_json": "skip"}})


def test_record_dates() -> None:
    assert parse_record_date("2025") == parse_record_date("2025").__class__(datetime(2025, 1, 1), "year", None)
    assert parse_record_date("2025-06").precision == "month"
    assert parse_record_date("2025-06-05T10:30").precision == "minute"
    moment = parse_record_date("2025-06-05T10:30:15Z")
    assert (moment.value, moment.precision, moment.tz) == (datetime(2025, 6, 5, 10, 30, 15), "second", "+00:00")
    assert parse_record_date("2025-06-05T10:30:00-04:30").value == datetime(2025, 6, 5, 15, 0)
    assert parse_record_date("1717570000") == parse_record_date(1717570000)
    assert parse_record_date(None) is None
    for bad in ("05.06.2025", "yesterday", True, [2025]):
        with pytest.raises(ValueError):
            parse_record_date(bad)


def test_duplicate_record_ids_name_the_file_and_both_records() -> None:
    documents = pl.DataFrame({"source_id": ["a", "a", "a", "b"], "record_id": ["7", "8", "7", "7"],
                              "position": [0, 1, 5, 0]})
    problems = duplicate_record_ids(documents, {"a": "a.jsonl", "b": "b.parquet"}, {"a": "jsonl", "b": "parquet"})
    assert problems == ["a.jsonl: record_id '7' is used by line 1 and line 6; ids must be unique within a source "
                        "(field `id`)"]


# --- Shards -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shard_size", [1, 2, 3, 7, 1000])
def test_shards_cover_the_file_and_parse_the_same_rows(shard_size: int, tmp_path: Path) -> None:
    records = [dict(GOOD[i % 3], msg_id=i) for i in range(7)]
    path = write_jsonl(tmp_path, records)
    src = source("jsonl", path.name)
    shards = source_shards(path, "jsonl", shard_size)
    assert read_manifest_text(format_manifest(shards), tmp_path) == shards
    assert shards[0].byte_start == 0 and shards[-1].byte_end == path.stat().st_size
    assert all(a.byte_end == b.byte_start and a.end_record == b.first_record for a, b in zip(shards, shards[1:]))
    whole = parse_all(path, src, shard_size=1000)
    sharded = parse_all(path, src, shard_size=shard_size)
    for table in ("documents", "paragraphs", "audit"):
        assert concat(sharded, table).equals(concat(whole, table)), table
    assert_provenance(path, src, sharded, shard_size)


def read_manifest_text(text: str, folder: Path) -> list:
    (folder / "manifest.tsv").write_text(text, encoding="utf-8")
    return read_manifest(folder / "manifest.tsv")


def test_an_empty_file_is_one_empty_shard(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    assert [(s.shard, s.first_record, s.end_record) for s in source_shards(path, "jsonl", 10)] == [("00000", 0, 0)]


# --- Parquet ------------------------------------------------------------------------------------------------------


def write_parquet(folder: Path, records: list[dict], row_group_size: int = 2) -> Path:
    table = pa.Table.from_pylist([{**r, "date": str(r["date"]), "msg_id": str(r["msg_id"])} for r in records])
    path = folder / "feed.parquet"
    pq.write_table(table, path, row_group_size=row_group_size)
    return path


@pytest.mark.parametrize("shard_size", [1, 2, 5])
def test_parquet_rows_are_records(shard_size: int, tmp_path: Path) -> None:
    records = [dict(GOOD[i % 3], msg_id=i) for i in range(5)]
    path = write_parquet(tmp_path, records)
    src = source("parquet", path.name)
    parsed = parse_all(path, src, shard_size=shard_size)
    documents = concat(parsed, "documents")
    assert documents["position"].to_list() == [0, 1, 2, 3, 4]
    assert documents.select("byte_start", "byte_end").rows() == [(i, i + 1) for i in range(5)]
    assert documents["record_id"].to_list() == ["0", "1", "2", "3", "4"]
    assert documents["published_tz"].to_list()[:2] == ["+03:00", "+00:00"]
    assert_provenance(path, src, parsed, shard_size)


def test_parquet_invalid_utf8_and_missing_column(tmp_path: Path) -> None:
    texts = pa.array([b"Good text.", b"caf\xe9 bad", b"Fine again."], pa.binary()).view(pa.string())
    path = tmp_path / "bad.parquet"
    pq.write_table(pa.table({"body": texts}), path)
    src = source("parquet", path.name, {"text": "body"})
    with pytest.raises(RecordError, match=r"bad\.parquet: row 1, field `body`: invalid UTF-8"):
        parse_all(path, src)
    parsed = parse_all(path, src, AUDIT_ALL)
    assert concat(parsed, "audit")["reason"].to_list() == ["bad_record:invalid_utf8"]
    assert_provenance(path, src, parsed)
    with pytest.raises(RecordError, match=r"field `missing` \(registry fields\) is not a column"):
        parse_all(path, source("parquet", path.name, {"text": "missing"}))


# --- The accounting check catches what it must --------------------------------------------------------------------


def test_accounting_finds_a_lost_record_a_lost_line_and_an_edit(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path, GOOD)
    src = source("jsonl", path.name)
    [shard] = source_shards(path, "jsonl", 1000)
    [parsed] = parse_all(path, src)
    rows = spans(parsed)
    lost_record = rows.filter(~pl.col("id").str.starts_with("bulk/1/"))
    assert any("record 1" in p and "in no paragraph" in p
               for p in shard_accounting_problems(path, src, shard, "utf-8", lost_record))
    lost_line = rows.filter(pl.col("id") != "bulk/0/1")
    assert any("are in no row" in p for p in shard_accounting_problems(path, src, shard, "utf-8", lost_line))
    edited = rows.with_columns(text=pl.when(pl.col("id") == "bulk/2/0").then(pl.lit("Edited.")).otherwise("text"))
    assert any("round trip" in p for p in shard_accounting_problems(path, src, shard, "utf-8", edited))
