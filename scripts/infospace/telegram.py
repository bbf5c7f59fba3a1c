"""Format `telegram_json`: Telegram Desktop's JSON export (result.json) of a channel or chat, read as a stream.

The export is one JSON object: `name`, `type`, `id` and `messages` (a full-account export nests chats under
`chats.list[]`; the registry's `chat:` picks one by name or id). A streaming scanner (`scan_export`) finds the
messages array and the exact byte span of every message object without loading the file: strings are skipped
whole by a regular expression, and brackets are counted between them. (ijson streams values but gives no byte
offsets; provenance needs them.) Each shard then parses only its own messages with `json.loads`, so that for every
document `json.loads(raw[byte_start:byte_end])["id"] == message_id`.

A message's `text` is a string or a list of strings and entity objects (`bold`, `hashtag`, `link`, `text_link`
with `href`, ...): it is flattened to plain text (entity texts in order, no markup) and split into paragraphs at
line breaks, each keeping its character range in the flattened text (the same rule as the other record formats).
Service messages, and messages with no text (media only, polls), become audit rows with their own reasons.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from infospace.clean import CleanRules, normalize_text
from infospace.progress import progress
from infospace.records import RecordDate, RecordDraft, add_pieces

TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[{}\[\]:,]')
SCAN_BLOCK = 1 << 24
CHAT_KEYS = ("name", "type", "id")
MEDIA_KEYS = ("photo", "file", "sticker_emoji", "location_information", "contact_information", "game_title",
              "invoice_information")
URL_ENTITIES = ("link", "url")


class ExportError(Exception):
    """A malformed export. The message names the file and the byte offset or the message."""


@dataclass
class Layout:
    """Where the chosen chat's messages are in the file, and the chat's own facts."""

    chat: dict[str, Any] = field(default_factory=dict)  # name, type, id of the chat
    messages: list[tuple[int, int]] = field(default_factory=list)  # byte span of every message object
    chats: list[dict[str, Any]] = field(default_factory=list)  # every chat of a full-account export


def tokens(path: Path, start: int = 0, end: int | None = None) -> Iterator[tuple[int, bytes]]:
    """(offset, token) of the JSON structure of bytes [start, end) of a file: strings, brackets, colons, commas.

    Read in blocks; a string cut by a block's end is carried over to the next block.
    """
    with path.open("rb") as handle:
        handle.seek(start)
        offset, carry = start, b""
        remaining = None if end is None else end - start
        while True:
            block = handle.read(SCAN_BLOCK if remaining is None else min(SCAN_BLOCK, remaining))
            if remaining is not None:
                remaining -= len(block)
            data = carry + block
            last = 0
            for match in TOKEN.finditer(data):
                if match.start() > last and b'"' in data[last:match.start()]:
                    break  # an unterminated string: it continues in the next block
                yield offset + match.start(), match.group()
                last = match.end()
            tail = data[last:]
            quote = tail.find(b'"')
            carry = tail[quote:] if quote >= 0 else b""
            offset += len(data) - len(carry)
            if not block:
                if carry:
                    raise ExportError(f"{path.name}: byte {offset}: unterminated string at the end of the file")
                return


def scan_export(path: Path, chat: str | None = None) -> Layout:
    """The layout of an export: the chosen chat (`chat`: its name or id, for a full-account export) and the byte span
    of each of its messages. Raises ExportError for anything that is not such an export."""
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"{"):
        raise ExportError(f"{path.name}: byte 0: not JSON (an export is one JSON object, starting with {{)")
    layout = Layout()
    stack: list[dict[str, Any]] = []  # per open container: kind, key it sits under, its start, the path
    key: str | None = None
    pending: tuple[int, bytes] | None = None  # last string token, a key if a colon follows
    value_start: int | None = None
    current: dict[str, Any] = {}  # facts of the chat object being read
    target: dict[str, Any] | None = None
    for offset, token in tokens(path):
        top = stack[-1] if stack else None
        if token == b":":
            if pending is None or top is None or top["kind"] != "object":
                raise ExportError(f"{path.name}: byte {offset}: not JSON (a colon out of place)")
            key, pending, value_start = json.loads(pending[1]), None, offset + 1
            continue
        if token in (b",", b"}", b"]") and top is not None and top["kind"] == "object" and key in CHAT_KEYS \
                and top.get("chat") and value_start is not None:
            current[key] = _value(path, value_start, offset)
            key, value_start = None, None
        if token == b",":
            pending = None
            continue
        if token.startswith(b'"'):
            pending = (offset, token)
            continue
        if token in (b"{", b"["):
            path_here = (top["path"] + (key,)) if top is not None else ()
            entry = {"kind": "object" if token == b"{" else "array", "start": offset, "path": path_here}
            if token == b"{" and _is_chat(path_here):
                entry["chat"], current = True, {}
            if top is not None and top["kind"] == "array" and top.get("messages") and token == b"{":
                entry["message"] = True
            if token == b"[" and key == "messages" and top is not None and top.get("chat"):
                entry["messages"] = True
                current["_messages"] = []
                target_messages = current["_messages"]
                entry["list"] = target_messages
            stack.append(entry)
            key, pending = None, None
            continue
        # a closing bracket
        if top is None or (token == b"}") != (top["kind"] == "object"):
            raise ExportError(f"{path.name}: byte {offset}: not JSON (unbalanced {token.decode()})")
        stack.pop()
        if top.get("message"):
            stack[-1]["list"].append((top["start"], offset + 1))
        if top.get("chat"):
            facts = {k: current.get(k) for k in CHAT_KEYS}
            messages = current.get("_messages")
            if messages is not None:
                layout.chats.append(facts)
                if _chosen(facts, chat, top["path"]):
                    if target is not None:
                        raise ExportError(f"{path.name}: more than one chat matches `chat: {chat}`")
                    target = {**facts, "_messages": messages}
            current = {}
        key, pending = None, None
    if stack:
        raise ExportError(f"{path.name}: byte {path.stat().st_size}: not JSON (the file ends inside a value)")
    if not layout.chats:
        raise ExportError(f"{path.name}: not a Telegram export: no `messages` array (expected a chat object with "
                          "name, type, id and messages, or a full-account export with chats.list)")
    if target is None:
        names = ", ".join(f"{c['name']!r} ({c['id']})" for c in layout.chats)
        if chat is None:
            raise ExportError(f"{path.name}: a full-account export with {len(layout.chats)} chats: choose one with "
                              f"`chat:` (its name or id) in config/sources.yaml; the chats are {names}")
        raise ExportError(f"{path.name}: no chat named or numbered {chat!r}; the chats are {names}")
    layout.chat = {k: target[k] for k in CHAT_KEYS}
    layout.messages = target["_messages"]
    return layout


def _is_chat(path: tuple) -> bool:
    """A chat object: the top-level object of a one-chat export, or an element of chats.list."""
    return path == () or path == ("chats", "list", None) or path[-3:] == ("chats", "list", None)


def _chosen(facts: Mapping[str, Any], chat: str | None, path: tuple) -> bool:
    if path == ():
        return True  # a one-chat export
    return chat is not None and (facts.get("name") == chat or str(facts.get("id")) == str(chat))


def _value(path: Path, start: int, end: int) -> Any:
    with path.open("rb") as handle:
        handle.seek(start)
        raw = handle.read(end - start)
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise ExportError(f"{path.name}: byte {start}: not JSON: {error.msg}") from None


# --- Messages ----------------------------------------------------------------------------------------------------


def flatten(text: Any) -> tuple[str, list[str]]:
    """A message's plain text (entity texts in order, no markup) and its links (URLs and text_link targets)."""
    if isinstance(text, str):
        return text, []
    if not isinstance(text, list):
        return "", []
    parts, links = [], []
    for item in text:
        if isinstance(item, str):
            parts.append(item)
        elif isinstance(item, dict):
            part = item.get("text") if isinstance(item.get("text"), str) else ""
            parts.append(part)
            if item.get("type") in URL_ENTITIES and part:
                links.append(part)
            elif item.get("type") == "text_link" and isinstance(item.get("href"), str):
                links.append(item["href"])
    return "".join(parts), list(dict.fromkeys(links))


def media_type(message: Mapping[str, Any]) -> str | None:
    """What the message carries besides text: the export's media_type, else poll, photo, file, ..."""
    if isinstance(message.get("media_type"), str):
        return message["media_type"]
    if "poll" in message:
        return "poll"
    return next((key for key in MEDIA_KEYS if key in message), None)


def poll_text(message: Mapping[str, Any]) -> str:
    """A poll's question and answers, a line each (the poll's own words, kept in the audit)."""
    poll = message.get("poll") if isinstance(message.get("poll"), dict) else {}
    answers = [a.get("text", "") for a in poll.get("answers", []) if isinstance(a, dict)]
    return "\n".join(str(x) for x in [poll.get("question", ""), *answers] if x)


def shown_text(message: Mapping[str, Any]) -> str:
    """The text a whole-message audit row shows: its flattened text, or a poll's question and answers."""
    text, _ = flatten(message.get("text"))
    return normalize_text(text if text.strip() else poll_text(message))


def unix_time(value: Any) -> datetime | None:
    """UTC time of a `*_unixtime` field (a digit string in exports), or None."""
    if isinstance(value, (int, str)) and str(value).strip().isdigit():
        return datetime.fromtimestamp(int(value), tz=timezone.utc).replace(tzinfo=None)
    return None


def reactions(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Reactions as {reaction, count}: the emoji, or the custom emoji's document id."""
    out = []
    for item in message.get("reactions") or []:
        if isinstance(item, dict) and isinstance(item.get("count"), int):
            label = item.get("emoji") or item.get("document_id") or item.get("type") or "unknown"
            out.append({"reaction": str(label), "count": item["count"]})
    return out


def message_draft(message: Mapping[str, Any], index: int, start: int, end: int, chat: Mapping[str, Any],
                  rules: CleanRules, name: str) -> RecordDraft:
    """One message as a draft: a document, or (service messages, messages without text) a whole-message audit."""
    if "id" not in message or isinstance(message["id"], bool) or not isinstance(message["id"], int):
        raise ExportError(f"{name}: byte {start}: message {index} has no integer `id`")
    draft = RecordDraft(index, start, end)
    text, links = flatten(message.get("text"))
    kind = media_type(message)
    draft.fields = {
        "record_id": str(message["id"]),
        "message_id": message["id"],
        "channel": chat.get("name"),
        "channel_id": None if chat.get("id") is None else str(chat["id"]),
        "forwarded_from": message.get("forwarded_from") if isinstance(message.get("forwarded_from"), str) else None,
        "reply_to_message_id": message.get("reply_to_message_id") if isinstance(
            message.get("reply_to_message_id"), int) else None,
        "edited_at": unix_time(message.get("edited_unixtime")),
        "media_type": kind,
        "links": links,
        "reactions": reactions(message),
        "views": message.get("views") if isinstance(message.get("views"), int) else None,
    }
    moment = unix_time(message.get("date_unixtime"))
    if moment is not None:
        draft.fields["record_published"] = RecordDate(moment, "second", "+00:00")
    if message.get("type") == "service":
        action = message.get("action", "unknown")
        draft.whole = ("telegram:service", f"service message ({action})", shown_text(message))
        return draft
    if not text.strip():
        reason = "poll" if kind == "poll" else "media_only" if kind else "empty"
        draft.whole = (f"telegram:{reason}", f"no text ({kind or 'and nothing else'})", shown_text(message))
        return draft
    add_pieces(draft, text, rules)
    return draft


def message_spans(path: Path, start: int, end: int) -> list[tuple[int, int]]:
    """Byte spans of the message objects in bytes [start, end) of the messages array (one shard)."""
    spans, depth, opened = [], 0, 0
    for offset, token in tokens(path, start, end):
        if token in (b"{", b"["):
            if depth == 0:
                opened = offset
            depth += 1
        elif token in (b"}", b"]"):
            depth -= 1
            if depth == 0:
                spans.append((opened, offset + 1))
    return spans


def parse_messages(path: Path, start: int, end: int, first_record: int, chat: Mapping[str, Any],
                   rules: CleanRules, name: str) -> list[RecordDraft]:
    """Drafts of the messages of one shard (bytes [start, end) of the messages array)."""
    drafts = []
    with path.open("rb") as handle:
        spans = progress(message_spans(path, start, end), f"parse {name}", unit="messages")
        for index, (begin, finish) in enumerate(spans, start=first_record):
            handle.seek(begin)
            raw = handle.read(finish - begin)
            try:
                message = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as error:
                raise ExportError(f"{name}: byte {begin}: message {index} is not JSON: {error}") from None
            if not isinstance(message, dict):
                raise ExportError(f"{name}: byte {begin}: message {index} is not a JSON object")
            drafts.append(message_draft(message, index, begin, finish, chat, rules, name))
    return drafts
