"""Provenance: how each row maps back to the exact raw bytes it came from, per format, and the accounting check.

The rule, by format (a row is a kept paragraph or an audit row; `normalize` is clean.normalize_text):

- line formats (web_article, telegram_feed): `normalize(raw[byte_start:byte_end].decode(encoding)) == text`.
- html: `html_text(raw[byte_start:byte_end].decode(encoding)) == text` (tags stripped, entities unescaped, white
  space collapsed, normalized; infospace.html).
- jsonl: `[byte_start, byte_end)` is the record's line; with `record = json.loads(raw[byte_start:byte_end])`,
  `normalize(record[fields.text][char_start:char_end]) == text`.
- parquet: `byte_start` is the row index; with `record` that row, the same slice rule holds.
- telegram_json: `[byte_start, byte_end)` is the message object; with `message = json.loads(raw[byte_start:byte_end])`,
  `normalize(flatten(message["text"])[char_start:char_end]) == text` (telegram.flatten: entity texts in order).
- a whole bad record (an audit row `bad_record:*`, no character range): `text` is the normalized record as read
  (its line decoded as UTF-8, invalid bytes replaced; for Parquet its text value).

The accounting check (`shard_accounting_problems`) holds every shard to it: the rows cover every non-white-space
byte of a line-format file exactly once, and every record of a record-format shard is a document whose text the
rows cover exactly once, or is covered by audit rows, or is a blank line. Nothing is lost silently.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from infospace.clean import normalize_text
from infospace import html, telegram
from infospace.records import jsonl_lines, parquet_columns, shown_text
from infospace.schema import LINE_FORMATS
from infospace.shards import Shard, read_bytes

BOM = "\ufeff"
SPAN_COLUMNS = ["id", "byte_start", "byte_end", "char_start", "char_end", "text"]


@dataclass(frozen=True)
class RawRecord:
    """One record as the raw file holds it: its span, its text field (None when the record is bad), and the raw
    value (line bytes, Parquet value or Telegram message) from which `shown` gives the text a whole-record audit row
    of it shows."""

    index: int
    byte_start: int
    byte_end: int
    text: str | None
    raw: Any
    show: Callable[[Any], str] = shown_text
    blank: bool = False

    @property
    def shown(self) -> str:
        """Normalized only when a check needs it (a whole-record row, or a message): normalizing every record's
        whole line was a third of the job."""
        return self.show(self.raw)


def jsonl_records(data: bytes, shard: Shard, text_field: str) -> Iterator[RawRecord]:
    for index, (start, end, line) in enumerate(jsonl_lines(data, shard.byte_start), start=shard.first_record):
        text = None
        try:
            record = json.loads(line.decode("utf-8"))
            value = record.get(text_field) if isinstance(record, dict) else None
            text = value if isinstance(value, str) else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            pass
        yield RawRecord(index, start, end, text, line, blank=not line.strip())


def parquet_records(path: Path, shard: Shard, text_field: str) -> Iterator[RawRecord]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    handle = pq.ParquetFile(path)
    parquet_columns(handle.schema_arrow.names, {"text": text_field}, path.name)
    start = 0
    for group in range(handle.metadata.num_row_groups):
        n = handle.metadata.row_group(group).num_rows
        low, high = max(shard.first_record, start), min(shard.end_record, start + n)
        if low < high:
            column = handle.read_row_group(group, columns=[text_field]).column(0).slice(low - start, high - low)
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                column = column.cast(pa.binary())
            for index, value in enumerate(column.to_pylist(), start=low):
                try:
                    text = value.decode("utf-8") if isinstance(value, bytes) else None
                except UnicodeDecodeError:
                    text = None
                yield RawRecord(index, index, index + 1, text, value)
        start += n


def telegram_records(path: Path, shard: Shard) -> Iterator[RawRecord]:
    """The messages of one shard of a Telegram export; a message's text is its flattened `text`."""
    with path.open("rb") as handle:
        for index, (start, end) in enumerate(telegram.message_spans(path, shard.byte_start, shard.byte_end),
                                             start=shard.first_record):
            handle.seek(start)
            message = json.loads(handle.read(end - start))
            yield RawRecord(index, start, end, telegram.flatten(message.get("text"))[0], message,
                            telegram.shown_text)


def raw_records(path: Path, source: dict[str, Any], shard: Shard) -> Iterator[RawRecord]:
    """The records of one shard of a record-format source, as its raw file holds them."""
    if source["format"] == "telegram_json":
        return telegram_records(path, shard)
    text_field = json.loads(source["fields"])["text"]
    if source["format"] == "jsonl":
        return jsonl_records(read_bytes(path, shard), shard, text_field)
    if source["format"] == "parquet":
        return parquet_records(path, shard, text_field)
    raise ValueError(f"no provenance rule for format {source['format']!r}")


def resolve(path: Path, source: dict[str, Any], row: dict[str, Any], encoding: str = "utf-8") -> str:
    """The text the provenance rule gives for one row (a paragraph or an audit row), read from the raw file."""
    if source["format"] in LINE_FORMATS:
        with path.open("rb") as handle:
            handle.seek(row["byte_start"])
            return normalize_text(handle.read(row["byte_end"] - row["byte_start"]).decode(encoding))
    if source["format"] == "html":
        with path.open("rb") as handle:
            handle.seek(row["byte_start"])
            return html.html_text(handle.read(row["byte_end"] - row["byte_start"]).decode(encoding))
    shard = Shard("", row["byte_start"] if source["format"] == "parquet" else 0,
                  row["byte_end"] if source["format"] == "parquet" else 1, row["byte_start"], row["byte_end"])
    if source["format"] == "telegram_json":
        with path.open("rb") as handle:
            handle.seek(row["byte_start"])
            message = json.loads(handle.read(row["byte_end"] - row["byte_start"]))
        if row["char_start"] is None:
            return telegram.shown_text(message)
        return normalize_text(telegram.flatten(message.get("text"))[0][row["char_start"]:row["char_end"]])
    record = next(raw_records(path, source, shard))
    if row["char_start"] is None:
        return record.shown
    return normalize_text((record.text or "")[row["char_start"]:row["char_end"]])


# --- Accounting ---------------------------------------------------------------------------------------------------


def _decode(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _unaccounted(raw: bytes, start: int, end: int, encoding: str, source_id: str) -> str | None:
    text = _decode(raw[start:end], encoding)
    if text is not None and not text.replace(BOM, "").strip():
        return None
    shown = repr(text[:60]) if text is not None else "undecodable bytes"
    return f"{source_id}: bytes [{start}, {end}) are in no paragraph or audit row: {shown}"


def byte_accounting_problems(source_id: str, raw: bytes, encoding: str, spans: pl.DataFrame) -> list[str]:
    """A line-format file: no overlaps, no gaps but white space, and the decode-normalize round trip of every row.

    `spans` holds columns id, byte_start, byte_end, text (any order of rows).
    """
    problems: list[str] = []
    covered_until, last_id = 0, None
    for row_id, start, end, text in spans.sort("byte_start", "byte_end", "id").select(
            "id", "byte_start", "byte_end", "text").iter_rows():
        if start < covered_until:
            problems.append(f"{source_id}: {row_id} [{start}, {end}) overlaps {last_id} (ends at {covered_until})")
        elif start > covered_until:
            gap = _unaccounted(raw, covered_until, start, encoding, source_id)
            problems += [gap] if gap else []
        if end > len(raw):
            problems.append(f"{source_id}: {row_id} ends at byte {end}, past the file's {len(raw)} bytes")
        decoded = _decode(raw[start:end], encoding)
        if decoded is None:
            problems.append(f"{source_id}: {row_id} bytes [{start}, {end}) do not decode as {encoding}")
        elif normalize_text(decoded) != text:
            problems.append(f"{source_id}: {row_id} round trip gives {normalize_text(decoded)[:60]!r}, "
                            f"stored {str(text)[:60]!r}")
        if end > covered_until:
            covered_until, last_id = end, row_id
    if covered_until < len(raw):
        gap = _unaccounted(raw, covered_until, len(raw), encoding, source_id)
        problems += [gap] if gap else []
    return problems


def record_accounting_problems(source_id: str, records: Iterator[RawRecord], spans: pl.DataFrame) -> list[str]:
    """A record-format shard: every record is covered by its rows, exactly once, with the slice round trip."""
    problems: list[str] = []
    by_record: dict[tuple[int, int], list[tuple]] = {}
    for row in spans.sort("byte_start", "char_start", "id", nulls_last=False).select(SPAN_COLUMNS).iter_rows():
        by_record.setdefault((row[1], row[2]), []).append(row)
    for record in records:
        rows = by_record.pop((record.byte_start, record.byte_end), [])
        label = f"{source_id}: record {record.index} [{record.byte_start}, {record.byte_end})"
        if record.blank:
            problems += [f"{label} is blank but has row {row[0]}" for row in rows]
            continue
        if not rows:
            problems.append(f"{label} is in no paragraph or audit row: {record.shown[:60]!r}")
            continue
        whole = [row for row in rows if row[3] is None]
        if whole:
            if len(rows) > 1:
                problems.append(f"{label}: whole-record row {whole[0][0]} beside {len(rows) - 1} other row(s)")
            elif whole[0][5] != record.shown:
                problems.append(f"{label}: {whole[0][0]} shows {whole[0][5][:60]!r}, the record is "
                                f"{record.shown[:60]!r}")
            continue
        if record.text is None:
            problems.append(f"{label} has no text field, but rows {[row[0] for row in rows][:3]} slice it")
            continue
        covered = 0
        for row_id, _, _, start, end, text in rows:
            if start < covered:
                problems.append(f"{label}: {row_id} chars [{start}, {end}) overlap the row before")
            elif record.text[covered:start].strip():
                problems.append(f"{label}: chars [{covered}, {start}) are in no row: {record.text[covered:start][:60]!r}")
            if normalize_text(record.text[start:end]) != text:
                problems.append(f"{label}: {row_id} round trip gives {normalize_text(record.text[start:end])[:60]!r}, "
                                f"stored {str(text)[:60]!r}")
            covered = max(covered, end)
        if record.text[covered:].strip():
            problems.append(f"{label}: chars [{covered}, {len(record.text)}) are in no row: "
                            f"{record.text[covered:][:60]!r}")
    for (start, end), rows in sorted(by_record.items()):
        problems += [f"{source_id}: {row[0]} [{start}, {end}) is not the span of a record of this shard" for row in rows]
    return problems


def shard_accounting_problems(path: Path, source: dict[str, Any], shard: Shard, encoding: str,
                              spans: pl.DataFrame) -> list[str]:
    """The accounting check of one shard; `spans` are its kept paragraphs and audit rows (SPAN_COLUMNS)."""
    if not path.is_file():
        return [f"{source['source_id']}: raw file not found"]
    if source["format"] in LINE_FORMATS:
        return byte_accounting_problems(source["source_id"], path.read_bytes(), encoding, spans)
    if source["format"] == "html":
        return html.page_accounting_problems(source["source_id"], path.read_bytes(), encoding, spans)
    return record_accounting_problems(source["source_id"], raw_records(path, source, shard), spans)


def shard_problems(path: Path, source: dict[str, Any], shard: Shard, documents: pl.DataFrame,
                   paragraphs: pl.DataFrame, audit: pl.DataFrame) -> list[str]:
    """The accounting check of one shard's final tables (the `provenance` job of that shard). The encoding of a
    line format is the one parse recorded on the shard's documents, else the registry's, else UTF-8."""
    encodings = documents["encoding"].unique().sort().to_list() if "encoding" in documents.columns else []
    encoding = (encodings[0] if encodings else None) or source.get("encoding") or "utf-8"
    spans = pl.concat([paragraphs.select(pl.col("para_id").alias("id"), *SPAN_COLUMNS[1:]),
                       audit.select(pl.col("audit_id").alias("id"), *SPAN_COLUMNS[1:])])
    return shard_accounting_problems(path, source, shard, encoding, spans)
