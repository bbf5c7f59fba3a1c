"""Format `html`: a saved article page. trafilatura decides what the article is; every other visible block is audited.

1. Decoding: the registry's `encoding`, else the BOM, else `<meta charset>` or `http-equiv` Content-Type, else
   charset-normalizer. Entities such as `&#1186;` (letters outside windows-1251) are unescaped in the text, never
   in the raw bytes.
2. Blocks (`visible_blocks`): the page's visible text, cut at block-level elements and `<br>`, each block with the
   byte range of its text in the file. Scripts, styles and the head hold no visible text. The rule of provenance:
   `html_text(raw[byte_start:byte_end].decode(encoding))` (tags stripped, entities unescaped, white space
   collapsed, normalized) is the block's text.
3. Article: trafilatura (2.x) extracts the main text of the page; a block is a kept paragraph when its text is a line
   of that extraction, and an audit row otherwise, with a reason read from where it sits (a `nav`, a `footer`, an
   element whose class or id names comments, sharing, cookies or related stories; else `boilerplate`).
4. Metadata: the page's own structured data first (JSON-LD NewsArticle, `article:published_time`), with the
   precision and time zone they state; then trafilatura's metadata (title, author, site name, canonical URL, tags).
"""

from __future__ import annotations

import codecs
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from typing import Any

import charset_normalizer

from infospace.clean import DecodeError, normalize_text
from infospace.records import RecordDate, parse_record_date

# Elements that start and end a block of text (HTML's block-level and table elements, and list items).
BLOCK_TAGS = frozenset(
    "address article aside blockquote body br caption dd details dialog div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr html li main menu nav ol option p pre section summary table tbody td tfoot th "
    "thead tr ul".split())
# Elements whose content is never visible text.
HIDDEN_TAGS = frozenset("head script style noscript template svg math select textarea iframe object".split())
VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr".split())
WHITE_SPACE = re.compile(r"\s+")
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))

# Where a dropped block sits: the first of these words in the tag, id or class of its element or an ancestor, the
# innermost first. A word matches a whole token of the id or class ("share-bar", "post_comments").
CONTEXT_REASONS = (
    ("metadata:published", ("time", "date", "dateline", "datetime", "published", "pubdate")),
    ("metadata:author", ("author", "authors", "byline")),
    ("metadata:rubric", ("rubric", "category", "kicker", "overline", "section-name")),
    ("cookie_notice", ("cookie", "cookies", "consent", "gdpr")),
    ("comments", ("comment", "comments", "discussion", "disqus", "replies")),
    ("share_bar", ("share", "sharing", "social", "socials", "sharebar")),
    ("related_stories", ("related", "recommended", "popular", "more", "readmore", "read-also", "also", "trending",
                         "aside", "sidebar", "widget")),
    ("navigation", ("nav", "navbar", "menu", "breadcrumb", "breadcrumbs", "crumbs", "pagination", "header",
                    "masthead", "topbar", "tags")),
    ("footer", ("footer", "copyright", "bottom", "subscribe", "newsletter")),
)


@dataclass(frozen=True)
class Block:
    """A run of visible text: its character range in the decoded page, its text, and where it sits."""

    start: int
    end: int
    text: str
    context: tuple[str, ...]  # tags, ids and classes of its element and ancestors, innermost first


def html_text(fragment: str) -> str:
    """The visible text of an HTML fragment: tags stripped, entities unescaped, white space collapsed, normalized."""
    collector = _TextCollector()
    collector.feed(fragment)
    collector.close()
    return normalize_text(WHITE_SPACE.sub(" ", unescape("".join(collector.parts))))


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in HIDDEN_TAGS and tag not in VOID_TAGS:
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN_TAGS and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)

    def handle_entityref(self, name: str) -> None:
        self.handle_data(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.handle_data(f"&#{name};")


class _BlockParser(HTMLParser):
    """Visible text events with their positions, cut into blocks at block-level elements."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.text = text
        self.stack: list[tuple[str, tuple[str, ...]]] = []
        self.hidden = 0
        self.pieces: list[tuple[int, int]] = []  # char ranges of the current block's visible text
        self.context: tuple[str, ...] = ()
        self.blocks: list[Block] = []
        self.pending: int | None = None  # start of the last visible event, ended by the next event

    def position(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def _event(self) -> int:
        here = self.position()
        if self.pending is not None:
            self.pieces.append((self.pending, here))
            self.pending = None
        return here

    def _close_block(self) -> None:
        self._event()
        if self.pieces:
            start, end = self.pieces[0][0], self.pieces[-1][1]
            raw = self.text[start:end]
            lead, trail = len(raw) - len(raw.lstrip()), len(raw.rstrip())
            start, end = start + lead, start + trail
            text = html_text(self.text[start:end]) if end > start else ""
            if text:
                self.blocks.append(Block(start, end, text, self.context))
        self.pieces = []

    def _words(self, tag: str, attrs: list) -> tuple[str, ...]:
        """The element's tag, and the tokens of its id and classes and their parts ("top-menu": top, menu)."""
        values = dict(attrs)
        tokens = [t for t in re.split(r"\s+", f"{values.get('id') or ''} {values.get('class') or ''}".lower()) if t]
        parts = [part for token in tokens for part in re.split(r"[-_]+", token) if part and part != token]
        return (tag, *tokens, *parts)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in BLOCK_TAGS:
            self._close_block()
        else:
            self._event()
        if tag in VOID_TAGS:
            return
        self.stack.append((tag, self._words(tag, attrs)))
        if tag in HIDDEN_TAGS:
            self.hidden += 1
        if tag in BLOCK_TAGS or not self.pieces:
            self.context = tuple(word for _, words in reversed(self.stack) for word in words)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag in BLOCK_TAGS:
            self._close_block()
        else:
            self._event()

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCK_TAGS:
            self._close_block()
        else:
            self._event()
        for depth in range(len(self.stack) - 1, -1, -1):  # close up to the matching tag (HTML forgives a lot)
            if self.stack[depth][0] == tag:
                for closed, _ in self.stack[depth:]:
                    if closed in HIDDEN_TAGS and self.hidden:
                        self.hidden -= 1
                del self.stack[depth:]
                break
        if tag in BLOCK_TAGS:
            self.context = tuple(word for _, words in reversed(self.stack) for word in words)

    def _visible(self) -> None:
        here = self._event()
        if not self.hidden:
            if not self.pieces and self.pending is None:
                self.context = tuple(word for _, words in reversed(self.stack) for word in words)
            self.pending = here

    def handle_data(self, data: str) -> None:
        self._visible()

    def handle_entityref(self, name: str) -> None:
        self._visible()

    def handle_charref(self, name: str) -> None:
        self._visible()

    def handle_comment(self, data: str) -> None:
        self._event()

    def handle_decl(self, decl: str) -> None:
        self._event()

    def handle_pi(self, data: str) -> None:
        self._event()

    def close(self) -> None:
        super().close()
        if self.pending is not None:
            self.pieces.append((self.pending, len(self.text)))
            self.pending = None
        self._close_block()


def visible_blocks(text: str) -> list[Block]:
    """The visible text of a decoded page as blocks, in page order."""
    parser = _BlockParser(text)
    parser.feed(text)
    parser.close()
    return parser.blocks


def removal_reason(block: Block) -> str:
    """Why a block that is not in the article was removed, read from its element and ancestors."""
    for word in block.context:
        for reason, words in CONTEXT_REASONS:
            if word in words:
                return reason
    return "boilerplate"


# --- Decoding ------------------------------------------------------------------------------------------------------


def page_encoding(raw: bytes, declared: str | None, name: str) -> tuple[str, int]:
    """(encoding, length of the BOM to skip): the registry's, the BOM's, the page's meta charset, or detected."""
    for bom, encoding in BOMS:
        if raw.startswith(bom):
            if encoding.startswith("utf-16"):
                raise DecodeError(f"{name}: byte 0: a UTF-16 page; convert it to UTF-8 first")
            return (codecs.lookup(declared).name if declared else encoding), len(bom)
    if declared:
        return codecs.lookup(declared).name, 0
    meta = META_CHARSET.search(raw[:8192])
    if meta:
        try:
            return codecs.lookup(meta.group(1).decode("ascii")).name, 0
        except LookupError:
            pass
    try:
        raw.decode("utf-8")
        return "utf-8", 0
    except UnicodeDecodeError:
        best = charset_normalizer.from_bytes(raw).best()
        if best is None:
            raise DecodeError(f"{name}: no text encoding fits; declare `encoding` in config/sources.yaml") from None
        return codecs.lookup(best.encoding).name, 0


def decode_page(raw: bytes, declared: str | None, name: str) -> tuple[str, str, int]:
    """(text, encoding, BOM length); undecodable bytes raise DecodeError naming the byte."""
    encoding, skip = page_encoding(raw, declared, name)
    try:
        return raw[skip:].decode(encoding), encoding, skip
    except UnicodeDecodeError as error:
        raise DecodeError(f"{name}: byte {skip + error.start}: cannot decode {raw[skip + error.start:skip + error.end]!r}"
                          f" as {encoding}; fix the registry's `encoding` or the page's meta charset") from None


def byte_offsets(text: str, encoding: str, positions: list[int], base: int) -> dict[int, int]:
    """Byte offset in the file of each character position of the decoded text."""
    out, byte, last = {}, base, 0
    for position in sorted(set(positions)):
        byte += len(text[last:position].encode(encoding))
        out[position], last = byte, position
    return out


# --- Metadata --------------------------------------------------------------------------------------------------------

ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting",
                 "OpinionNewsArticle", "WebPage"}
JSON_LD = re.compile(r"""<script[^>]+type\s*=\s*["']application/ld\+json["'][^>]*>(.*?)</script>""",
                     re.IGNORECASE | re.DOTALL)


def _meta_content(text: str, key: str) -> str | None:
    for tag in re.finditer(r"<meta\b[^>]*>", text, flags=re.IGNORECASE):
        attrs = dict((k.lower(), unescape(v)) for k, _, v in
                     re.findall(r"""([\w:-]+)\s*=\s*(["'])(.*?)\2""", tag.group()))
        if key in (attrs.get("property", "").lower(), attrs.get("name", "").lower()):
            return attrs.get("content")
    return None


def json_ld_article(text: str) -> dict[str, Any]:
    """The first article object of the page's JSON-LD (also inside @graph), or {}."""
    for script in JSON_LD.finditer(text):
        try:
            data = json.loads(unescape(script.group(1)).strip())
        except json.JSONDecodeError:
            continue
        queue = data if isinstance(data, list) else [data]
        while queue:
            item = queue.pop(0)
            if isinstance(item, dict):
                kinds = item.get("@type")
                kinds = set(kinds) if isinstance(kinds, list) else {kinds}
                if kinds & ARTICLE_TYPES - {"WebPage"}:
                    return item
                queue.extend(item.get("@graph", []))
    return {}


def _name(value: Any) -> str | None:
    if isinstance(value, list):
        names = [n for n in (_name(v) for v in value) if n]
        return ", ".join(names) or None
    if isinstance(value, dict):
        return _name(value.get("name"))
    return value.strip() if isinstance(value, str) and value.strip() else None


@dataclass
class PageMetadata:
    title: str | None = None
    author: str | None = None
    site_name: str | None = None
    url: str | None = None
    tags: list[str] = field(default_factory=list)
    published: RecordDate | None = None
    published_basis: str | None = None  # where the date came from (JSON-LD, meta, trafilatura)


def page_metadata(text: str) -> PageMetadata:
    """The page's metadata: its own structured data first, then trafilatura's (never its file date)."""
    import trafilatura

    found = trafilatura.extract_metadata(text)
    ld = json_ld_article(text)
    meta = PageMetadata()
    meta.title = _name(ld.get("headline")) or (found.title if found else None)
    meta.author = _name(ld.get("author")) or (found.author if found else None)
    meta.site_name = _name(ld.get("publisher")) or (found.sitename if found else None)
    canonical = re.search(r"""<link\b[^>]*rel\s*=\s*["']canonical["'][^>]*>""", text, flags=re.IGNORECASE)
    href = re.search(r"""href\s*=\s*["']([^"']+)["']""", canonical.group()) if canonical else None
    meta.url = unescape(href.group(1)) if href else (found.url if found else None)
    keywords = ld.get("keywords")
    tags = keywords if isinstance(keywords, list) else (keywords.split(",") if isinstance(keywords, str) else [])
    if not tags and found:
        tags = [tag for value in (found.tags or []) + (found.categories or []) for tag in value.split(",")]
    meta.tags = list(dict.fromkeys(t.strip() for t in tags if isinstance(t, str) and t.strip()))
    for basis, value in (("JSON-LD datePublished", ld.get("datePublished")),
                         ("meta article:published_time", _meta_content(text, "article:published_time")),
                         ("trafilatura (htmldate)", found.date if found else None)):
        if isinstance(value, str) and value.strip():
            try:
                meta.published, meta.published_basis = parse_record_date(value.strip()), basis
                break
            except ValueError:
                continue
    return meta


# --- The article -------------------------------------------------------------------------------------------------


def article_lines(text: str) -> Counter[str]:
    """The lines trafilatura keeps as the article (title and body), normalized like block texts."""
    import trafilatura

    extracted = trafilatura.extract(text, output_format="txt", include_comments=False, include_tables=True,
                                    include_images=False, deduplicate=False) or ""
    return Counter(line for line in (html_text(line) for line in extracted.splitlines()) if line)


def split_page(text: str, title: str | None = None) -> tuple[list[Block], list[tuple[Block, str]]]:
    """The blocks of a page: those of the article (kept, in order) and the others with their removal reasons.

    The headline is kept too: the first block whose text is the page's `title` (trafilatura reports it as
    metadata, and does not always repeat it in the text); so is a web_article's title line.
    """
    lines = article_lines(text)
    kept, removed = [], []
    headline = title
    for block in visible_blocks(text):
        if lines[block.text] > 0:
            lines[block.text] -= 1
            kept.append(block)
        elif headline is not None and block.text == headline:
            kept.append(block)
        else:
            removed.append((block, removal_reason(block)))
        if block.text == headline:
            headline = None
    return kept, removed


def page_accounting_problems(source_id: str, raw: bytes, encoding: str, spans: Any) -> list[str]:
    """An html source: every visible block of the page is exactly one row (a kept paragraph or an audit row) with
    the block's byte range, and each row's text is the block's (`spans`: id, byte_start, byte_end, text)."""
    text, _, skip = decode_page(raw, encoding, source_id)
    blocks = visible_blocks(text)
    offsets = byte_offsets(text, encoding, [p for b in blocks for p in (b.start, b.end)], skip)
    expected = {(offsets[b.start], offsets[b.end]): b.text for b in blocks}
    problems = []
    for row_id, start, end, stored in spans.select("id", "byte_start", "byte_end", "text").iter_rows():
        block = expected.pop((start, end), None)
        if block is None:
            problems.append(f"{source_id}: {row_id} [{start}, {end}) is not a visible block of the page")
        elif block != stored:
            problems.append(f"{source_id}: {row_id} round trip gives {block[:60]!r}, stored {str(stored)[:60]!r}")
    problems += [f"{source_id}: visible block [{a}, {b}) is in no paragraph or audit row: {text!r:.60}"
                 for (a, b), text in sorted(expected.items())]
    return problems
