"""Decoding and normalization of raw bytes, with byte offsets kept for every line.

Cleaning repairs encodings and white space only; it never edits a word. The one normalization used everywhere
(`normalize_text`) is what the byte-offset round trip checks: decoding a row's raw byte range and normalizing it
gives exactly the row's text.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

import charset_normalizer
import ftfy
import ftfy.badness

UTF8_BOM = codecs.BOM_UTF8

# Only encoding repairs: ftfy must not touch quotes, dashes, ligatures, widths or HTML entities.
FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=False,
    decode_inconsistent_utf8=True,
    fix_c1_controls=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=False,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)

# White space other than a plain space that becomes a plain space (tab, NBSP and the typographic spaces).
# Zero-width characters are kept: ZWJ joins emoji sequences.
ODD_SPACES = re.compile(r"[\t\x0b\x0c\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
SPACE_RUNS = re.compile(r" {2,}")
LINE_BREAK = re.compile(rb"\r\n|\r|\n")
# Encodings in which every line break is one ASCII byte, so lines can be cut in the raw bytes.
ASCII_COMPATIBLE_PROBE = "\r\n abc"


class DecodeError(Exception):
    """Raw bytes that cannot be decoded. The message names the file and the byte offset."""


@dataclass(frozen=True)
class Line:
    """One non-blank line of a raw file: its content's byte range and its decoded (not yet normalized) text."""

    number: int  # 1-based line number in the raw file
    byte_start: int
    byte_end: int
    raw_text: str
    text: str  # normalized
    repaired: bool  # ftfy repaired mojibake in this line


@dataclass(frozen=True)
class DecodedSource:
    lines: tuple[Line, ...]
    encoding: str


def normalize_text(text: str) -> str:
    """The text of a row, from the decoded text of its raw byte range.

    Repairs mojibake (ftfy, encoding fixes only), applies NFC, turns odd spaces into a space, collapses runs of
    spaces and strips the ends. Words, quotes, dashes and emoji are left as they are.
    """
    return clean_text(text)[0]


# ftfy (with FTFY_CONFIG: encoding fixes only) returns a line unchanged unless its mojibake heuristic
# (ftfy.badness.is_bad, a large regular expression) matches it, and every pattern of that heuristic needs one of the
# characters of MOJIBAKE_CHARACTERS, or a quote between two of the Cyrillic or Greek letters that start
# windows-1251/1253 mojibake (MOJIBAKE_QUOTED). Looking for those first is exact and about twenty times cheaper than
# the heuristic on ordinary Russian text; tests/test_parse.py checks the claim against ftfy's own is_bad.
_MOJIBAKE = ftfy.badness.MOJIBAKE_CATEGORIES
_QUOTES = _MOJIBAKE["start_punctuation"] + _MOJIBAKE["end_punctuation"]
MOJIBAKE_CHARACTERS = re.compile(
    "[" + "".join(_MOJIBAKE[name] for name in ("c1", "bad", "lower_accented", "upper_accented", "box", "currency",
                                                "numeric", "law", "kaomoji")) + "\u0402\u00b0\u00b5]")
MOJIBAKE_QUOTED = re.compile(f"[ВГРСΒΓΞΟ][{_QUOTES}][ВГРСΒΓΞΟ]")


def may_be_mojibake(text: str) -> bool:
    """False when ftfy's heuristic cannot match `text` (two character scans instead of the heuristic)."""
    return MOJIBAKE_CHARACTERS.search(text) is not None or MOJIBAKE_QUOTED.search(text) is not None


def clean_text(text: str) -> tuple[str, bool]:
    """`normalize_text(text)`, and whether ftfy repaired mojibake in it (ftfy runs once, and only when it could
    change something: see may_be_mojibake)."""
    repaired = ftfy.fix_text(text, FTFY_CONFIG) if may_be_mojibake(text) else text
    composed = unicodedata.normalize("NFC", repaired)
    spaced = ODD_SPACES.sub(" ", composed)
    return SPACE_RUNS.sub(" ", spaced).strip(), repaired != text


def decode_source(raw: bytes, declared_encoding: str | None, name: str) -> DecodedSource:
    """Split `raw` into non-blank lines with byte offsets, decoding each with the source's encoding.

    The encoding is the declared one, else UTF-8, else what charset-normalizer detects. Undecodable bytes and
    binary files raise DecodeError naming `name` and the byte offset; nothing is replaced silently.
    """
    body_start = len(UTF8_BOM) if raw.startswith(UTF8_BOM) else 0
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise DecodeError(f"{name}: byte {nul}: NUL byte; this looks like a binary file, not text")
    encoding = _choose_encoding(raw, body_start, declared_encoding, name)
    lines = []
    for number, (start, end) in enumerate(_line_spans(raw, body_start), start=1):
        chunk = raw[start:end]
        try:
            text = chunk.decode(encoding)
        except UnicodeDecodeError as error:
            raise DecodeError(
                f"{name}: byte {start + error.start}: cannot decode {chunk[error.start:error.end]!r} as {encoding} "
                f"(line {number}); fix the registry's `encoding` or the file"
            ) from error
        if not text.strip():
            continue
        lead = len(text) - len(text.lstrip())
        trail = len(text.rstrip())
        normalized, repaired = clean_text(text[lead:trail])
        if not normalized:
            continue
        content_start = start + len(text[:lead].encode(encoding))
        content_end = start + len(text[:trail].encode(encoding))
        lines.append(Line(number, content_start, content_end, text[lead:trail], normalized, repaired))
    return DecodedSource(tuple(lines), encoding)


def _line_spans(raw: bytes, start: int) -> list[tuple[int, int]]:
    """(start, end) byte ranges of every line, line breaks (LF, CRLF, CR) excluded."""
    spans = []
    position = start
    for match in LINE_BREAK.finditer(raw, start):
        spans.append((position, match.start()))
        position = match.end()
    if position < len(raw):
        spans.append((position, len(raw)))
    return spans


def _choose_encoding(raw: bytes, body_start: int, declared: str | None, name: str) -> str:
    if declared:
        encoding = codecs.lookup(declared).name
        _require_ascii_compatible(encoding, name)
        _decode_strict(raw[body_start:], encoding, name, body_start)
        return encoding
    body = raw[body_start:]
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        utf8_error = error
    # Text that is valid UTF-8 up to a bad byte is corrupt UTF-8, not another encoding: stop rather than guess.
    if re.search(rb"[\xc2-\xf4][\x80-\xbf]", body[: utf8_error.start]):
        raise DecodeError(
            f"{name}: byte {body_start + utf8_error.start}: invalid UTF-8 "
            f"{body[utf8_error.start:utf8_error.end]!r} in a file that is otherwise UTF-8"
        )
    best = charset_normalizer.from_bytes(body).best()
    if best is None:
        raise DecodeError(
            f"{name}: byte {body_start + utf8_error.start}: not UTF-8 and no text encoding fits; "
            "declare `encoding` in config/sources.yaml if this is text"
        )
    encoding = codecs.lookup(best.encoding).name
    _require_ascii_compatible(encoding, name)
    _decode_strict(body, encoding, name, body_start)
    return encoding


def _require_ascii_compatible(encoding: str, name: str) -> None:
    if ASCII_COMPATIBLE_PROBE.encode(encoding, errors="replace") != ASCII_COMPATIBLE_PROBE.encode("ascii"):
        raise DecodeError(f"{name}: encoding {encoding} is not ASCII-compatible; convert the file to UTF-8 first")


def _decode_strict(body: bytes, encoding: str, name: str, offset: int) -> None:
    try:
        body.decode(encoding)
    except UnicodeDecodeError as error:
        raise DecodeError(
            f"{name}: byte {offset + error.start}: cannot decode {body[error.start:error.end]!r} as {encoding}"
        ) from error


# Page furniture ---------------------------------------------------------------------------------------------------

SENTENCE_END = re.compile(r"[.!?…:;»\"”)]$")
LETTER = re.compile(r"[^\W\d_]")
BULLETS = re.compile(r"[•·\-–—*▪►]")


def _patterns(values: list[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(value, re.IGNORECASE) for value in values)


@dataclass(frozen=True)
class CleanRules:
    """The configurable page-furniture rules (config `clean:`), compiled."""

    navigation: tuple[re.Pattern[str], ...]
    call_to_action: tuple[re.Pattern[str], ...]
    related_stories_headers: tuple[re.Pattern[str], ...]
    related_stories_controls: tuple[re.Pattern[str], ...]
    archive_headers: tuple[re.Pattern[str], ...]
    template_placeholder: re.Pattern[str]
    headline_max_chars: int
    platform_artifacts: tuple[re.Pattern[str], ...]
    photo_credit: re.Pattern[str]
    views: re.Pattern[str]
    rubric_max_chars: int
    author_role: re.Pattern[str]

    @classmethod
    def from_config(cls, clean: dict) -> "CleanRules":
        metadata = clean["metadata"]
        return cls(
            navigation=_patterns(clean["navigation"]),
            call_to_action=_patterns(clean["call_to_action"]),
            related_stories_headers=_patterns(clean["related_stories_headers"]),
            related_stories_controls=_patterns(clean["related_stories_controls"]),
            archive_headers=_patterns(clean["archive_headers"]),
            template_placeholder=re.compile(clean["template_placeholder"]),
            headline_max_chars=int(clean["headline_max_chars"]),
            platform_artifacts=_patterns(clean["platform_artifacts"]),
            photo_credit=re.compile(metadata["photo_credit"], re.IGNORECASE),
            views=re.compile(metadata["views"]),
            rubric_max_chars=int(metadata["rubric_max_chars"]),
            author_role=re.compile(metadata["author_role"], re.IGNORECASE),
        )


def first_match(patterns: tuple[re.Pattern[str], ...], text: str) -> str | None:
    """The source of the first pattern matching the whole of `text`, or None."""
    for pattern in patterns:
        if pattern.fullmatch(text):
            return pattern.pattern
    return None


def is_placeholder_line(text: str, rules: CleanRules) -> bool:
    """A line made only of template placeholders (and bullets/punctuation), e.g. "• [[month.label]]"."""
    if not rules.template_placeholder.search(text):
        return False
    return LETTER.search(rules.template_placeholder.sub("", text)) is None


def is_headline_like(text: str, rules: CleanRules) -> bool:
    """A short line that does not end like a sentence: how other stories' headlines look in a list."""
    return len(text) <= rules.headline_max_chars and not text.endswith(".")


def ends_like_sentence(text: str) -> bool:
    return SENTENCE_END.search(text) is not None
