"""Record formats: one document per record (a JSONL line, a Parquet row), read one shard at a time.

Contract (the same for every record format): the records of one shard in, `DocumentDraft`s out. A record's text
field is split into paragraphs at line breaks; each paragraph keeps its character range in that text, so

    normalize_text(record_text(raw record)[char_start:char_end]) == paragraph text

(see `infospace.provenance`). A document's `byte_start`/`byte_end` is its record's span: the bytes of its line for
JSONL, and the row index (`row`, `row + 1`) for Parquet. Bad records (not JSON, invalid UTF-8, no or non-string or
empty text, an unparsable date, a field of the wrong type) stop the run with a RecordError naming the file, the line
or row, and the field, or become an audit row `bad_record:<problem>` when config `records.bad_records` says `audit`.
Nothing is dropped silently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from infospace.clean import CleanRules, clean_text, first_match, normalize_text
from infospace.progress import progress, shown
from infospace.schema import BAD_RECORD_PROBLEMS

# Dataset keys a registry entry's `fields:` block may map to record fields. `text` is required.
FIELD_KEYS = ("text", "id", "published", "title", "author", "url", "channel", "forwarded_from", "views")
STRING_KEYS = ("title", "author", "url", "channel", "forwarded_from")
POLICIES = ("fail", "audit")
LINE_BREAK = re.compile(r"\r\n|\r|\n")
UNIX_TIME = re.compile(r"^\d{9,11}$")
HAS_SECONDS = re.compile(r"T?\d{2}:\d{2}:\d{2}")
# Dates without a time, to their precision (a full date with a time goes to datetime.fromisoformat).
TRUNCATED_DATES = ((re.compile(r"\d{4}$"), "%Y", "year"), (re.compile(r"\d{4}-\d{2}$"), "%Y-%m", "month"),
                   (re.compile(r"\d{4}-\d{2}-\d{2}$"), "%Y-%m-%d", "day"))


class RecordError(Exception):
    """A bad record under a `fail` policy. The message names the file, the line or row, and the field."""


@dataclass(frozen=True)
class Piece:
    """A piece of a record's text: its character range and its normalized text."""

    char_start: int
    char_end: int
    text: str
    repaired: bool


@dataclass(frozen=True)
class RecordDate:
    value: datetime  # UTC when `tz` is set, else the stated local time
    precision: str
    tz: str | None


@dataclass
class RecordDraft:
    """What one record becomes: a document (kept pieces), or only removed pieces, or one whole audit row (a bad
    record; a Telegram service message)."""

    index: int  # 0-based record index in the source (line number - 1, row index)
    byte_start: int
    byte_end: int
    kept: list[Piece] = field(default_factory=list)
    removed: list[tuple[Piece, str, str]] = field(default_factory=list)  # (piece, reason, rule)
    fields: dict[str, Any] = field(default_factory=dict)
    whole: tuple[str, str, str] | None = None  # (reason, rule, text) when the whole record is one audit row


@dataclass(frozen=True)
class RecordPolicy:
    """What each bad-record problem does (config `records.bad_records`): `fail` (the default) or `audit`."""

    actions: Mapping[str, str]

    @classmethod
    def from_config(cls, section: Mapping[str, Any] | None) -> RecordPolicy:
        actions = dict((section or {}).get("bad_records") or {})
        unknown = sorted(set(actions) - set(BAD_RECORD_PROBLEMS))
        if unknown:
            raise ValueError(f"records.bad_records: unknown problems {unknown}; known: {list(BAD_RECORD_PROBLEMS)}")
        wrong = {k: v for k, v in actions.items() if v not in POLICIES}
        if wrong:
            raise ValueError(f"records.bad_records: each value must be one of {list(POLICIES)}, got {wrong}")
        return cls({problem: actions.get(problem, "fail") for problem in BAD_RECORD_PROBLEMS})

    def audits(self, problem: str) -> bool:
        return self.actions[problem] == "audit"


class BadRecord(Exception):
    """One record's problem, raised inside the record reader and turned into an error or an audit row."""

    def __init__(self, problem: str, field_name: str | None, detail: str) -> None:
        super().__init__(detail)
        self.problem, self.field_name, self.detail = problem, field_name, detail


# --- Text and metadata of one record -----------------------------------------------------------------------------


def text_pieces(text: str) -> list[Piece]:
    """The non-blank lines of `text`, white space at their ends excluded, with their character ranges."""
    pieces = []
    position = 0
    for match in [*LINE_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        line = text[position:end]
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            normalized, repaired = clean_text(stripped)
            if normalized:
                start = position + lead
                pieces.append(Piece(start, start + len(stripped), normalized, repaired))
        if match:
            position = match.end()
    return pieces


def parse_record_date(value: Any) -> RecordDate | None:
    """A record's date: unix seconds (number or digit string) or ISO 8601, to its stated precision.

    An offset (`Z`, `+03:00`) makes the value UTC with `tz` set; without one it stays the stated local time.
    Raises ValueError for anything else; None for a null value.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a date")
    if isinstance(value, (int, float)) or (isinstance(value, str) and UNIX_TIME.match(value.strip())):
        moment = datetime.fromtimestamp(float(value), tz=timezone.utc)
        return RecordDate(moment.replace(tzinfo=None, microsecond=0), "second", "+00:00")
    if isinstance(value, datetime):
        return _from_datetime(value, "second")
    if isinstance(value, date):
        return RecordDate(datetime(value.year, value.month, value.day), "day", None)
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date")
    text = value.strip()
    for form, pattern, precision in TRUNCATED_DATES:
        if form.match(text):
            try:
                return RecordDate(datetime.strptime(text, pattern), precision, None)
            except ValueError as error:
                raise ValueError(f"{value!r} is not a date: {error}") from error
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise ValueError(f"{value!r} is not ISO 8601 or unix time") from error
    return _from_datetime(moment, "second" if HAS_SECONDS.search(text) else "minute")


def _from_datetime(moment: datetime, precision: str) -> RecordDate:
    moment = moment.replace(microsecond=0)
    if moment.tzinfo is None:
        return RecordDate(moment, precision, None)
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    tz = f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return RecordDate(moment.astimezone(timezone.utc).replace(tzinfo=None), precision, tz)


def record_fields(record: Mapping[str, Any], mapping: Mapping[str, str], index: int) -> tuple[str, dict[str, Any]]:
    """The text and the document fields of one record (raises BadRecord naming the record field)."""
    text_field = mapping["text"]
    if record.get(text_field) is None:
        raise BadRecord("missing_text", text_field, "has no text")
    text = record[text_field]
    if not isinstance(text, str):
        raise BadRecord("text_not_string", text_field, f"text is a {type(text).__name__}, not a string")
    if not text.strip():
        raise BadRecord("empty_text", text_field, "text is empty")
    fields: dict[str, Any] = {"record_id": str(index)}
    if "id" in mapping:
        value = record.get(mapping["id"])
        if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
            raise BadRecord("bad_field", mapping["id"], f"id must be a string or an integer, got {value!r}")
        fields["record_id"] = str(value)
    if "published" in mapping:
        try:
            fields["record_published"] = parse_record_date(record.get(mapping["published"]))
        except ValueError as error:
            raise BadRecord("unparsable_date", mapping["published"], str(error)) from error
    for key in STRING_KEYS:
        if key in mapping:
            value = record.get(mapping[key])
            if value is not None and not isinstance(value, str):
                raise BadRecord("bad_field", mapping[key], f"{key} must be a string, got {value!r}")
            fields[key] = value.strip() if isinstance(value, str) and value.strip() else None
    if "views" in mapping:
        value = record.get(mapping["views"])
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise BadRecord("bad_field", mapping["views"], f"views must be a non-negative integer, got {value!r}")
        fields["views"] = value
    return text, fields


def draft_record(record: Mapping[str, Any], mapping: Mapping[str, str], index: int, byte_start: int, byte_end: int,
                 rules: CleanRules) -> RecordDraft:
    """One good record as a draft: paragraphs, platform artifacts removed (audited), metadata fields."""
    text, fields = record_fields(record, mapping, index)
    draft = RecordDraft(index, byte_start, byte_end, fields=fields)
    add_pieces(draft, text, rules)
    return draft


def add_pieces(draft: RecordDraft, text: str, rules: CleanRules) -> None:
    """A record's text into the draft as pieces: platform artifacts removed (audited), every other piece kept."""
    for piece in text_pieces(text):
        rule = first_match(rules.platform_artifacts, piece.text)
        if rule is not None:
            draft.removed.append((piece, "platform_artifact", rule))
        else:
            draft.kept.append(piece)


def shown_text(value: Any) -> str:
    """The text a whole bad record shows in the audit table: its bytes decoded with invalid UTF-8 replaced (or its
    value as a string), normalized."""
    if isinstance(value, bytes):
        return normalize_text(value.decode("utf-8", "replace"))
    return normalize_text("" if value is None else value if isinstance(value, str) else str(value))


def bad_draft(index: int, byte_start: int, byte_end: int, problem: str, message: str, raw: Any) -> RecordDraft:
    return RecordDraft(index, byte_start, byte_end, whole=(f"bad_record:{problem}", message, shown_text(raw)))


def _settle(error: BadRecord, where: str, policy: RecordPolicy, index: int, byte_start: int, byte_end: int,
            raw: Any) -> RecordDraft:
    """A bad record under its policy: raise RecordError, or return the record as an audited bad draft."""
    field_part = f", field `{error.field_name}`" if error.field_name else ""
    message = f"{where}{field_part}: {error.detail} (bad_record:{error.problem})"
    if not policy.audits(error.problem):
        raise RecordError(message + f"; set records.bad_records.{error.problem}: audit to keep it as an audit row")
    return bad_draft(index, byte_start, byte_end, error.problem, message, raw)


# --- JSONL ------------------------------------------------------------------------------------------------------


def jsonl_lines(data: bytes, offset: int) -> Iterator[tuple[int, int, bytes]]:
    """(start, end, line) of every line of `data` (absolute byte offsets; line breaks and a BOM excluded)."""
    position = 0
    if offset == 0 and data.startswith(b"\xef\xbb\xbf"):
        position = 3
    while position < len(data):
        newline = data.find(b"\n", position)
        end = len(data) if newline < 0 else newline
        content_end = end - 1 if end > position and data[end - 1:end] == b"\r" else end
        yield offset + position, offset + content_end, data[position:content_end]
        position = end + 1


def parse_jsonl(data: bytes, byte_offset: int, first_record: int, mapping: Mapping[str, str], rules: CleanRules,
                policy: RecordPolicy, path: str) -> list[RecordDraft]:
    """Drafts of the records of one JSONL shard: `data` is the shard's bytes, starting at `byte_offset` in the
    file, its first line being record `first_record`. Blank lines are no record."""
    drafts = []
    total = data.count(b"\n") + 1 if shown() else None  # counted only for a bar that is drawn
    lines = progress(jsonl_lines(data, byte_offset), f"parse {path}", total=total)
    for number, (start, end, line) in enumerate(lines, start=first_record):
        if not line.strip():
            continue
        where = f"{path}: line {number + 1} (byte {start})"
        try:
            try:
                decoded = line.decode("utf-8")
            except UnicodeDecodeError as error:
                raise BadRecord("invalid_utf8", None,
                                f"invalid UTF-8 {line[error.start:error.end]!r} at byte {start + error.start}") from None
            try:
                record = json.loads(decoded)
            except json.JSONDecodeError as error:
                raise BadRecord("not_json", None, f"not JSON: {error.msg} at column {error.colno}") from None
            if not isinstance(record, dict):
                raise BadRecord("not_json", None, f"a JSON {type(record).__name__}, not an object")
            drafts.append(draft_record(record, mapping, number, start, end, rules))
        except BadRecord as error:
            drafts.append(_settle(error, where, policy, number, start, end, line))
    return drafts


# --- Parquet ----------------------------------------------------------------------------------------------------


def parquet_columns(schema_names: list[str], mapping: Mapping[str, str], path: str) -> list[str]:
    """The record fields to read; a mapped field missing from the file is an error naming it."""
    columns = list(dict.fromkeys(mapping.values()))
    missing = [name for name in columns if name not in schema_names]
    if missing:
        raise RecordError(f"{path}: field `{missing[0]}` (registry fields) is not a column of the file; "
                          f"its columns are {schema_names}")
    return columns


def parse_parquet_rows(rows: list[dict[str, Any]], first_record: int, mapping: Mapping[str, str],
                       rules: CleanRules, policy: RecordPolicy, path: str) -> list[RecordDraft]:
    """Drafts of Parquet rows (dicts of the mapped columns, the text column as bytes); row i is record
    `first_record + i`, and its span is (row, row + 1)."""
    drafts = []
    text_field = mapping["text"]
    for index, row in enumerate(progress(rows, f"parse {path}"), start=first_record):
        raw_text = row.get(text_field)
        try:
            if isinstance(raw_text, bytes):
                try:
                    row = {**row, text_field: raw_text.decode("utf-8")}
                except UnicodeDecodeError as error:
                    raise BadRecord("invalid_utf8", text_field,
                                    f"invalid UTF-8 {raw_text[error.start:error.end]!r} at byte {error.start} of "
                                    "the text") from None
            drafts.append(draft_record(row, mapping, index, index, index + 1, rules))
        except BadRecord as error:
            drafts.append(_settle(error, f"{path}: row {index}", policy, index, index, index + 1, raw_text))
    return drafts


def parquet_text_as_binary(table: Any, text_field: str) -> Any:
    """The Arrow table with its text column as binary, so invalid UTF-8 is found per record, not per file."""
    import pyarrow as pa

    column = table.column(text_field)
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return table.set_column(table.schema.get_field_index(text_field), text_field, column.cast(pa.binary()))
    return table


def json_dumps_fields(mapping: Mapping[str, str] | None) -> str | None:
    """The `fields` column of the sources table: the mapping as JSON with sorted keys, or null."""
    return None if mapping is None else json.dumps(dict(mapping), sort_keys=True, ensure_ascii=False)


def duplicate_record_ids(documents: Any, paths: Mapping[str, str], formats: Mapping[str, str]) -> list[str]:
    """Problems for record ids used twice within a source; `documents` has source_id, record_id and position
    (the record index). Each names the file and both records."""
    import polars as pl

    repeated = (documents.drop_nulls("record_id")
                .group_by("source_id", "record_id").agg(pl.col("position").sort().alias("records"))
                .filter(pl.col("records").list.len() > 1).sort("source_id", "record_id"))

    def where(source_id: str, index: int) -> str:
        return f"row {index}" if formats[source_id] == "parquet" else f"line {index + 1}"

    return [f"{paths[source_id]}: record_id {record_id!r} is used by {where(source_id, records[0])} and "
            f"{where(source_id, records[1])}; ids must be unique within a source (field `id`)"
            for source_id, record_id, records in repeated.iter_rows()]
