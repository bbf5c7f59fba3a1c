"""Parse one registered source (or one shard of it) into documents, kept paragraphs and audit rows, by `format`.

Line formats (web_article, telegram_feed): every non-blank line of the raw file ends up in exactly one place: a kept
paragraph, or an audit row with the reason it was removed (page furniture, platform artifacts, repeats, or metadata
consumed into a document field). Each row carries the byte range it came from.

Record formats (jsonl, parquet; scripts/infospace/records.py): every record becomes a document, or audit rows (a bad
record, or a record whose every line was removed). Rows carry their record's span and a character range into the
record's text. Both kinds go through the same row builders below, so the tables do not depend on the format.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import polars as pl

from infospace.clean import (
    CleanRules,
    DecodedSource,
    Line,
    clean_text,
    decode_source,
    ends_like_sentence,
    first_match,
    is_headline_like,
    is_placeholder_line,
)
from infospace.html import Block, byte_offsets, decode_page, page_metadata, split_page
from infospace.records import (
    RecordDate,
    RecordDraft,
    RecordPolicy,
    parquet_columns,
    parquet_text_as_binary,
    parse_jsonl,
    parse_parquet_rows,
)
from infospace.schema import LINE_FORMATS, audit_id, rows_frame
from infospace.shards import Shard, read_bytes
from infospace.telegram import parse_messages


@dataclass(frozen=True)
class Span:
    """A piece of a raw line: its byte range and its normalized text."""

    byte_start: int
    byte_end: int
    text: str
    raw_text: str  # decoded, not yet normalized: where cuts inside the line are found
    repaired: bool = False
    char_start: int | None = None  # record formats: the range in the record's text
    char_end: int | None = None


@dataclass(frozen=True)
class Removal:
    span: Span
    reason: str
    rule: str


@dataclass
class DocumentDraft:
    """One document as the parser sees it, before it becomes table rows."""

    kept: list[Span] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    title_span: Span | None = None
    position: int | None = None  # record formats: the record index; line formats number their documents

    def remove(self, span: Span, reason: str, rule: str) -> None:
        self.removed.append(Removal(span, reason, rule))


@dataclass(frozen=True)
class ParsedSource:
    documents: pl.DataFrame
    paragraphs: pl.DataFrame
    audit: pl.DataFrame


def to_span(line: Line) -> Span:
    return Span(line.byte_start, line.byte_end, line.text, line.raw_text, line.repaired)


def _span(byte_start: int, byte_end: int, raw_text: str) -> Span:
    text, repaired = clean_text(raw_text)
    return Span(byte_start, byte_end, text, raw_text, repaired)


def split_span(span: Span, char_index: int, encoding: str) -> tuple[Span, Span]:
    """Cut a span in two at a character index of its raw text (white space at the cut goes to neither)."""
    head_text = span.raw_text[:char_index].rstrip()
    tail_text = span.raw_text[char_index:].lstrip()
    head_end = span.byte_start + len(head_text.encode(encoding))
    tail_start = span.byte_end - len(tail_text.encode(encoding))
    return _span(span.byte_start, head_end, head_text), _span(tail_start, span.byte_end, tail_text)


# Dates ------------------------------------------------------------------------------------------------------------
# Only fully explicit formats are accepted; a lenient date parser would read view counters and headlines as dates.

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan", "января", "январь"),
            ("february", "feb", "февраля", "февраль"),
            ("march", "mar", "марта", "март"),
            ("april", "apr", "апреля", "апрель"),
            ("may", "мая", "май"),
            ("june", "jun", "июня", "июнь"),
            ("july", "jul", "июля", "июль"),
            ("august", "aug", "августа", "август"),
            ("september", "sep", "sept", "сентября", "сентябрь"),
            ("october", "oct", "октября", "октябрь"),
            ("november", "nov", "ноября", "ноябрь"),
            ("december", "dec", "декабря", "декабрь"),
        ],
        start=1,
    )
    for name in names
}
TIME = r"(?:,?\s+(?P<hour>\d{1,2}):(?P<minute>\d{2}))?"
DATE_FORMS = (
    re.compile(r"(?P<day>\d{1,2})\s+(?P<month_name>[^\W\d_]+)\s+(?P<year>\d{4})" + TIME),
    re.compile(r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})" + TIME),
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?:[ T](?P<hour>\d{2}):(?P<minute>\d{2}))?"),
)
# A labelled date at the start of a line, e.g. " date 2025-09-29 <title>".
DATE_LABEL = re.compile(r"(?:date|дата|published|опубликовано)\s*:?\s+", re.IGNORECASE)


@dataclass(frozen=True)
class StatedDate:
    value: datetime
    precision: str  # "minute" or "day"


def parse_date(text: str) -> tuple[StatedDate, int] | None:
    """A date at the start of `text`, and the character index where it ends; None when there is none."""
    for form in DATE_FORMS:
        match = form.match(text)
        if not match:
            continue
        parts = match.groupdict()
        month = MONTHS.get(parts["month_name"].lower()) if parts.get("month_name") else int(parts["month"])
        if not month:
            continue
        try:
            value = datetime(int(parts["year"]), month, int(parts["day"]), int(parts["hour"] or 0),
                             int(parts["minute"] or 0))
        except ValueError:
            continue
        return StatedDate(value, "minute" if parts["hour"] else "day"), match.end()
    return None


def registry_date(value: str) -> tuple[datetime | None, str]:
    """A registry date string (ISO 8601 truncated to its precision, or 'unknown') as (start of period, precision)."""
    formats = {16: ("%Y-%m-%dT%H:%M", "minute"), 10: ("%Y-%m-%d", "day"), 7: ("%Y-%m", "month"), 4: ("%Y", "year")}
    if value == "unknown" or len(value) not in formats:
        return None, "unknown"
    pattern, precision = formats[len(value)]
    return datetime.strptime(value, pattern), precision


# web_article ------------------------------------------------------------------------------------------------------

DATELINE = re.compile(r"^(?P<dateline>[A-ZА-ЯЁ][A-ZА-ЯЁ .\-]+,\s+\d{1,2}\s+[^\W\d_]+\s+\([^)]+\)\s+[-–—])\s")
HASHTAG = re.compile(r"#[^\W_][\w]*")
URL = re.compile(r"https?://[^\s<>\"«»]+")
TRAILING_PUNCTUATION = ".,;:!?)]}'\""
NAME_LIKE = re.compile(r"^(?:[A-ZА-ЯЁ][a-zа-яё'’-]+\s){1,3}[A-ZА-ЯЁ][a-zа-яё'’-]+$")
# Page header structure (not words): a headline has at least HEADLINE_MIN_WORDS words; a rubric at most
# LABEL_MAX_WORDS; a breadcrumb trail is two to six short items between spaced separators (Home > World > Europe).
HEADLINE_MIN_WORDS = 3
LABEL_MAX_WORDS = 3
BREADCRUMB = re.compile(r"[^\W\d_][^>›»/|→\n]{0,30}?(?:\s+[>›»/|→]\s+[^\W\d_][^>›»/|→\n]{0,30}?){1,5}")
STATEMENT_END = re.compile(r"[.…:;]$")
CLOSERS = "»\"”’')]"


def parse_web_article(source: DecodedSource, rules: CleanRules) -> list[DocumentDraft]:
    """A news page: one document. Removes furniture blocks, then reads metadata from the page header."""
    document = DocumentDraft()
    candidates = _remove_furniture(source.lines, rules, document)
    if not candidates:
        return []
    candidates = _read_header(candidates, source.encoding, rules, document)
    for span in candidates:
        if rules.photo_credit.fullmatch(span.text) and "photo_credit" not in document.fields:
            document.fields["photo_credit"] = span.text
            document.remove(span, "metadata:photo_credit", rules.photo_credit.pattern)
        elif document.title_span is not None and span.text == document.title_span.text and span is not document.title_span:
            document.remove(span, "repeated_title", "line equal to the title")
        else:
            document.kept.append(span)
    for span in document.kept:
        match = DATELINE.match(span.text)
        if match:
            document.fields["dateline"] = match.group("dateline")
            break
    return [document] if document.kept else []


def _remove_furniture(lines: tuple[Line, ...], rules: CleanRules, document: DocumentDraft) -> list[Span]:
    """Remove navigation, calls to action, related-story lists and archive widgets; return the other lines."""
    remaining: list[Span] = []
    block: str | None = None  # "related_stories" or "archive_widget" while inside such a block
    for line in lines:
        span = to_span(line)
        text = span.text
        if (rule := first_match(rules.related_stories_headers, text)) is not None:
            block = "related_stories"
            document.remove(span, "related_stories", f"list header: {rule}")
            continue
        if (rule := first_match(rules.archive_headers, text)) is not None:
            block = "archive_widget"
            document.remove(span, "archive_widget", f"widget header: {rule}")
            continue
        if is_placeholder_line(text, rules):
            document.remove(span, "archive_widget", f"template placeholder: {rules.template_placeholder.pattern}")
        elif (rule := first_match(rules.navigation, text)) is not None:
            document.remove(span, "navigation", rule)
        elif (rule := first_match(rules.call_to_action, text)) is not None:
            document.remove(span, "call_to_action", rule)
        elif block == "related_stories" and (rule := first_match(rules.related_stories_controls, text)) is not None:
            document.remove(span, "related_stories", f"list control: {rule}")
        elif block == "related_stories" and is_headline_like(text, rules):
            document.remove(span, "related_stories", "headline-like line inside a related-stories list")
        elif block == "archive_widget" and is_headline_like(text, rules) and not ends_like_sentence(text):
            document.remove(span, "archive_widget", "short line inside an archive widget")
        else:
            block = None
            remaining.append(span)
    return remaining


def _read_header(spans: list[Span], encoding: str, rules: CleanRules, document: DocumentDraft) -> list[Span]:
    """Consume the page header's metadata lines (date, views, byline, rubric, breadcrumbs) and find the title.

    The header is every line before the first line of prose (longer than a headline, or ending with a period,
    colon or semicolon: a headline may end with a question mark or a quotation). The title is found by structure,
    not by words: the first of the header's remaining lines with at least HEADLINE_MIN_WORDS words (shorter lines
    above it are site sections); failing that, a line of two words with no date line below it (a short line above
    the date banner is a site section). So a page with only a date and a body has no title. A short line (at most
    LABEL_MAX_WORDS words, no digits) above the headline is the rubric, and a second one navigation; below it, a
    first short line is the rubric.
    """
    header_end = next((i for i, s in enumerate(spans) if is_prose(s.text, rules)), len(spans))
    fields = document.fields
    remaining: list[Span] = []
    date_line: int | None = None  # where the date line is, among the header's remaining lines
    for index, span in enumerate(spans[:header_end]):
        next_text = spans[index + 1].text if index + 1 < header_end else ""
        if "published" not in fields and (stated := _stated_date(span, encoding)) is not None:
            date, rest = stated
            fields["published"] = date
            document.remove(date[0], "metadata:published", "date line in the page header")
            date_line = len(remaining)
            remaining += [rest] if rest is not None else []
        elif "views" not in fields and rules.views.fullmatch(span.text):
            fields["views"] = int(span.text)
            document.remove(span, "metadata:views", rules.views.pattern)
        elif "author_role" not in fields and rules.author_role.fullmatch(span.text):
            fields["author_role"] = span.text
            document.remove(span, "metadata:author_role", rules.author_role.pattern)
        elif "author" not in fields and NAME_LIKE.match(span.text) and rules.author_role.fullmatch(next_text):
            fields["author"] = span.text
            document.remove(span, "metadata:author", "name line followed by a byline role")
        elif BREADCRUMB.fullmatch(span.text):
            document.remove(span, "navigation", "breadcrumb trail: short items between separators")
        else:
            remaining.append(span)
    candidates = [s for s in remaining if not rules.photo_credit.fullmatch(s.text)]
    headline = next((s for s in candidates if len(s.text.split()) >= HEADLINE_MIN_WORDS), None)
    if headline is None:  # a two-word headline, when no date line stands below it
        headline = next((s for s in candidates if len(s.text.split()) >= 2
                         and (date_line is None or remaining.index(s) >= date_line)), None)
    if headline is not None:
        fields["title"], document.title_span = headline.text, headline
    kept: list[Span] = []
    above = headline is not None
    for span in remaining:
        if span is headline:
            above = False
            kept.append(span)
        elif span in candidates and is_short_label(span.text, rules) and span.text != fields.get("title"):
            if "rubric" not in fields:
                fields["rubric"] = span.text
                where = "above the headline" if above else "after the title" if headline else "without a headline"
                document.remove(span, "metadata:rubric", f"short line {where} in the page header")
            elif above:
                document.remove(span, "navigation", "second short line above the headline")
            else:
                kept.append(span)
        else:
            kept.append(span)
    return kept + spans[header_end:]


def is_prose(text: str, rules: CleanRules) -> bool:
    """A body line: longer than a headline, or ending like a statement (closing quotes and brackets aside)."""
    return len(text) > rules.headline_max_chars or STATEMENT_END.search(text.rstrip(CLOSERS)) is not None


def is_short_label(text: str, rules: CleanRules) -> bool:
    """A rubric-like line: short, at most LABEL_MAX_WORDS words, no digits, not ending like a sentence."""
    return (len(text) <= rules.rubric_max_chars and len(text.split()) <= LABEL_MAX_WORDS
            and not any(ch.isdigit() for ch in text) and not ends_like_sentence(text))


def _stated_date(span: Span, encoding: str) -> tuple[tuple[Span, StatedDate], Span | None] | None:
    """A date that fills the line, or a labelled date that starts it ("date 2025-09-29 <rest>")."""
    raw = span.raw_text
    label = DATE_LABEL.match(raw)
    text = raw[label.end():] if label else raw
    parsed = parse_date(text)
    if parsed is None:
        return None
    date, end = parsed
    if label is None:
        return ((span, date), None) if not text[end:].strip() else None
    cut = label.end() + end
    if not raw[cut:].strip():
        return (span, date), None
    head, rest = split_span(span, cut, encoding)
    return (head, date), rest


# telegram_feed ----------------------------------------------------------------------------------------------------

FORWARDED_FROM = re.compile(r"^Forwarded from (?P<channel>.+)$")


def parse_telegram_feed(source: DecodedSource, rules: CleanRules) -> list[DocumentDraft]:
    """A channel feed dump: one document per post. "Forwarded from <channel>" starts a post."""
    posts: list[DocumentDraft] = []
    current = DocumentDraft(fields={"forwarded_from": None})
    seen: dict[str, int] = {}
    for line in source.lines:
        span = to_span(line)
        forwarded = FORWARDED_FROM.match(span.text)
        if forwarded:
            posts.append(current)
            current = DocumentDraft(fields={"forwarded_from": forwarded.group("channel")})
            current.remove(span, "metadata:forwarded_from", FORWARDED_FROM.pattern)
            seen = {}
        elif (rule := first_match(rules.platform_artifacts, span.text)) is not None:
            current.remove(span, "platform_artifact", rule)
        elif span.text in seen:
            # The dump repeats a post's body after its lead line: keep the first copy of every line.
            current.remove(span, "repeated_block", f"repeats line {seen[span.text]} of this post")
        else:
            seen[span.text] = line.number
            current.kept.append(span)
    posts.append(current)
    return [post for post in posts if post.kept or post.removed]


PARSERS: dict[str, Callable[[DecodedSource, CleanRules], list[DocumentDraft]]] = {
    "web_article": parse_web_article,
    "telegram_feed": parse_telegram_feed,
}


# Tables -----------------------------------------------------------------------------------------------------------


def parse_source(raw: bytes, source: dict[str, Any], rules: CleanRules) -> ParsedSource:
    """Decode, parse and clean one raw source of a line format into the parse-stage tables."""
    decoded = decode_source(raw, source.get("encoding"), source["path"])
    return tables_of(PARSERS[source["format"]](decoded, rules), source, decoded.encoding)


def parse_shard(path: Path, source: dict[str, Any], shard: Shard, rules: CleanRules,
                policy: RecordPolicy) -> ParsedSource:
    """The parse-stage tables of one shard of a source, whatever its format (the one entry point of this step)."""
    if source["format"] in LINE_FORMATS:
        return parse_source(path.read_bytes(), source, rules)
    if source["format"] == "html":
        return parse_page(path.read_bytes(), source)
    mapping = json.loads(source["fields"]) if source.get("fields") else {}
    if source["format"] == "jsonl":
        records = parse_jsonl(read_bytes(path, shard), shard.byte_start, shard.first_record, mapping, rules, policy,
                              source["path"])
    elif source["format"] == "parquet":
        records = parse_parquet_rows(read_parquet_rows(path, shard, mapping, source["path"]), shard.first_record,
                                     mapping, rules, policy, source["path"])
    elif source["format"] == "telegram_json":
        records = parse_messages(path, shard.byte_start, shard.byte_end, shard.first_record,
                                 source.get("facts") or {}, rules, source["path"])
    else:
        raise ValueError(f"{source['path']}: no parser for format {source['format']!r}")
    return parse_records(records, source)


def read_parquet_rows(path: Path, shard: Shard, mapping: dict[str, str], name: str) -> list[dict[str, Any]]:
    """Rows [first_record, end_record) of a Parquet file, mapped columns only, the text column as bytes."""
    import pyarrow.parquet as pq

    handle = pq.ParquetFile(path)
    columns = parquet_columns(handle.schema_arrow.names, mapping, name)
    rows: list[dict[str, Any]] = []
    start = 0
    for group in range(handle.metadata.num_row_groups):  # read only the row groups that overlap the shard
        n = handle.metadata.row_group(group).num_rows
        low, high = max(shard.first_record, start), min(shard.end_record, start + n)
        if low < high:
            table = handle.read_row_group(group, columns=columns).slice(low - start, high - low)
            rows.extend(parquet_text_as_binary(table, mapping["text"]).to_pylist())
        start += n
    return rows


def parse_page(raw: bytes, source: dict[str, Any]) -> ParsedSource:
    """A saved article page (infospace.html): one document of the blocks trafilatura keeps, every other visible
    block an audit row with its reason, each at the byte range of its text in the file."""
    text, encoding, skip = decode_page(raw, source.get("encoding"), source["path"])
    meta = page_metadata(text)
    kept, removed = split_page(text, meta.title)
    offsets = byte_offsets(text, encoding, [p for b in kept + [b for b, _ in removed] for p in (b.start, b.end)], skip)

    def span(block: Block) -> Span:
        return Span(offsets[block.start], offsets[block.end], block.text, block.text)

    draft = DocumentDraft(kept=[span(b) for b in kept], position=0, fields={
        "title": meta.title, "author": meta.author, "site_name": meta.site_name, "url": meta.url, "tags": meta.tags,
        "record_published": meta.published, "date_origin": "page"})
    for block, reason in removed:
        draft.remove(span(block), reason, f"outside the article ({' > '.join(reversed(block.context[:4]))})")
        if reason == "metadata:rubric":
            draft.fields.setdefault("rubric", block.text)
    for kept_span in draft.kept:
        match = DATELINE.match(kept_span.text)
        if match:
            draft.fields["dateline"] = match.group("dateline")
            break
    return tables_of([draft], source, encoding)


def record_documents(records: list[RecordDraft]) -> list[DocumentDraft]:
    """Record drafts as document drafts: pieces become spans with the record's span and their character range."""
    drafts = []
    for record in records:
        draft = DocumentDraft(position=record.index)
        if record.whole is not None:
            reason, rule, text = record.whole
            draft.remove(Span(record.byte_start, record.byte_end, text, text), reason, rule)
            draft.fields = dict(record.fields)  # a Telegram service message has its id; a bad record none
        else:
            def span(piece: Any) -> Span:
                return Span(record.byte_start, record.byte_end, piece.text, piece.text, piece.repaired,
                            piece.char_start, piece.char_end)

            draft.kept = [span(piece) for piece in record.kept]
            for piece, reason, rule in record.removed:
                draft.remove(span(piece), reason, rule)
            draft.fields = dict(record.fields)
        drafts.append(draft)
    return drafts


def parse_records(records: list[RecordDraft], source: dict[str, Any]) -> ParsedSource:
    """The parse-stage tables of the records of one shard of a record format (text is UTF-8)."""
    return tables_of(record_documents(records), source, "utf-8")


def tables_of(drafts: list[DocumentDraft], source: dict[str, Any], encoding: str) -> ParsedSource:
    """Document drafts as the parse-stage tables. A draft with nothing kept (a post of platform artifacts only, a bad
    record) gives audit rows with no document."""
    documents, paragraphs, audit = [], [], []
    position = 0
    for draft in drafts:
        if not draft.kept:
            audit.extend(_audit_rows(source["source_id"], None, draft.removed, draft.fields.get("record_id")))
            continue
        position = draft.position if draft.position is not None else position
        doc_id = f"{source['source_id']}/{position}"
        documents.append(_document_row(doc_id, position, draft, encoding, source))
        paragraphs.extend(_paragraph_rows(doc_id, source["source_id"], draft.kept))
        audit.extend(_audit_rows(source["source_id"], doc_id, draft.removed, draft.fields.get("record_id")))
        position += 1
    return ParsedSource(
        documents=rows_frame(documents, "documents", "parse"),
        paragraphs=rows_frame(paragraphs, "paragraphs", "parse"),
        audit=rows_frame(audit, "audit", "parse"),
    )


def _document_row(doc_id: str, position: int, draft: DocumentDraft, encoding: str,
                  source: dict[str, Any]) -> dict[str, Any]:
    text = "\n".join(span.text for span in draft.kept)
    spans = [s.byte_start for s in draft.kept] + [r.span.byte_start for r in draft.removed]
    ends = [s.byte_end for s in draft.kept] + [r.span.byte_end for r in draft.removed]
    fields = draft.fields
    published, precision, origin, tz = _published(fields.get("published"), fields.get("record_published"),
                                                  source["published"], fields.get("date_origin", "record"))
    hashtags = list(dict.fromkeys(tag for span in draft.kept for tag in HASHTAG.findall(span.text)))
    links = fields["links"] if "links" in fields else list(dict.fromkeys(
        url.rstrip(TRAILING_PUNCTUATION) for span in draft.kept for url in URL.findall(span.text)))
    return {
        "doc_id": doc_id,
        "source_id": source["source_id"],
        "position": position,
        "record_id": fields.get("record_id"),
        "message_id": fields.get("message_id"),
        "byte_start": min(spans),
        "byte_end": max(ends),
        "text": text,
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "n_paragraphs": len(draft.kept),
        "n_chars": len(text),
        "title": fields.get("title"),
        "published": published,
        "published_precision": precision,
        "published_tz": tz,
        "edited_at": fields.get("edited_at"),
        "published_origin": origin,
        "author": fields.get("author"),
        "author_role": fields.get("author_role"),
        "views": fields.get("views"),
        "rubric": fields.get("rubric"),
        "photo_credit": fields.get("photo_credit"),
        "hashtags": hashtags,
        "dateline": fields.get("dateline"),
        "forwarded_from": fields.get("forwarded_from"),
        "reply_to_message_id": fields.get("reply_to_message_id"),
        "channel": fields.get("channel"),
        "channel_id": fields.get("channel_id"),
        "url": fields.get("url"),
        "site_name": fields.get("site_name"),
        "tags": fields.get("tags", []),
        "media_type": fields.get("media_type"),
        "links": links,
        "reactions": fields.get("reactions", []),
        "encoding": encoding,
        "mojibake_repaired": any(s.repaired for s in draft.kept) or any(r.span.repaired for r in draft.removed),
    }


def _published(stated: tuple[Span, StatedDate] | None, record: RecordDate | None, registry_value: str,
               record_origin: str = "record") -> tuple[datetime | None, str, str, str | None]:
    """(published, precision, origin, tz). A record's (or a page's) own date wins (it is per document); then the
    registry's date unless it is unknown; then the date stated in the text, if any."""
    if record is not None:
        return record.value, record.precision, record_origin, record.tz
    value, precision = registry_date(registry_value)
    if value is not None:
        return value, precision, "registry", None
    if stated is not None:
        return stated[1].value, stated[1].precision, "text", None
    return None, "unknown", "unknown", None


def _paragraph_rows(doc_id: str, source_id: str, kept: list[Span]) -> list[dict[str, Any]]:
    return [
        {
            "para_id": f"{doc_id}/{index}",
            "doc_id": doc_id,
            "source_id": source_id,
            "index": index,
            "byte_start": span.byte_start,
            "byte_end": span.byte_end,
            "char_start": span.char_start,
            "char_end": span.char_end,
            "text": span.text,
        }
        for index, span in enumerate(kept)
    ]


def _audit_rows(source_id: str, doc_id: str | None, removed: list[Removal],
                record_id: str | None = None) -> list[dict[str, Any]]:
    return [
        {
            "audit_id": audit_id(source_id, removal.span.byte_start, removal.span.char_start),
            "source_id": source_id,
            "doc_id": doc_id,
            "record_id": record_id,
            "byte_start": removal.span.byte_start,
            "byte_end": removal.span.byte_end,
            "char_start": removal.span.char_start,
            "char_end": removal.span.char_end,
            "text": removal.span.text,
            "reason": removal.reason,
            "rule": removal.rule,
            "duplicate_of": None,
        }
        for removal in removed
    ]
