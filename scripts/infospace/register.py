"""Registering a raw source: `python -m infospace register PATH --format FORMAT [--publisher ...] ...`.

The file is copied into data/raw/ (a different file of the same name is refused; the same bytes again are fine),
its sha256 is computed, the entry is checked against config/sources.schema.yaml and against the registry (a new id,
a new path), and it is appended to config/sources.yaml with ruamel.yaml, which keeps the file's comments and order.
What the command is not told is written as `unknown` (`url: null`), never guessed; the precision of a given date is
read from its form (2025-06 is a month). Errors name the field.
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from infospace.sources import RegistryError, sha256_file

UNKNOWN = "unknown"
PRECISION_OF_FORM = ((re.compile(r"\d{4}$"), "year"), (re.compile(r"\d{4}-\d{2}$"), "month"),
                     (re.compile(r"\d{4}-\d{2}-\d{2}$"), "day"), (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$"), "minute"))
# Registry fields the command takes as options (--original-source for original_source, ...), in registry order.
TEXT_FIELDS = ("publisher", "original_source", "country", "affiliation", "affiliation_evidence", "published",
               "published_precision", "published_basis", "retrieved", "retrieved_precision", "terms", "notes")


def slug(name: str) -> str:
    """A registry id from a file name: lower case letters, digits and hyphens."""
    text = re.sub(r"[^a-z0-9]+", "-", Path(name).stem.lower()).strip("-")
    return text if len(text) >= 3 else f"source-{text or 'x'}"


def precision_of(value: str) -> str:
    """The precision a date's form states, or unknown."""
    return next((precision for form, precision in PRECISION_OF_FORM if form.match(value)), UNKNOWN)


def build_entry(path: Path, fmt: str, options: dict[str, Any]) -> dict[str, Any]:
    """The registry entry of a file, in registry order; `options` holds what the command was told (None: not told)."""
    entry: dict[str, Any] = {"id": options.get("id") or slug(options.get("name") or path.name),
                             "path": options.get("name") or path.name, "sha256": sha256_file(path), "format": fmt}
    if options.get("encoding"):
        entry["encoding"] = options["encoding"]
    if options.get("fields"):
        entry["fields"] = dict(options["fields"])
    if options.get("chat") is not None:
        entry["chat"] = options["chat"]
    for key in TEXT_FIELDS[:5]:
        entry[key] = options.get(key) or UNKNOWN
    entry["url"] = options.get("url") or None
    for key in ("published", "retrieved"):
        entry[key] = options.get(key) or UNKNOWN
        told = options.get(f"{key}_precision")
        entry[f"{key}_precision"] = told or (precision_of(entry[key]) if entry[key] != UNKNOWN else UNKNOWN)
        if key == "published":
            entry["published_basis"] = options.get("published_basis") or UNKNOWN
    entry["languages_declared"] = list(options.get("languages") or [])
    entry["terms"] = options.get("terms") or UNKNOWN
    entry["notes"] = options.get("notes") or "Registered with `python -m infospace register`; nothing else is known."
    return entry


def check_entry(entry: dict[str, Any], registry: dict[str, Any], schema_path: Path) -> None:
    """Refuse an entry the schema rejects, or whose id or path is taken, naming the field."""
    schema = yaml.safe_load(schema_path.read_text(encoding="utf-8"))
    entry_schema = schema["properties"]["sources"]["items"]
    errors = sorted(jsonschema.Draft202012Validator(entry_schema).iter_errors(entry), key=lambda e: list(e.path))
    if errors:
        raise RegistryError("\n".join(f"field `{'.'.join(map(str, e.absolute_path)) or '(entry)'}`: {e.message}"
                                      for e in errors))
    for other in registry.get("sources") or []:
        for key in ("id", "path"):
            if other.get(key) == entry[key]:
                raise RegistryError(f"field `{key}`: {entry[key]!r} is already registered; choose another "
                                    f"(--{'id' if key == 'id' else 'name'})")


def check_raw(path: Path, target: Path) -> None:
    """A different file already at `target` is refused: raw files are never replaced."""
    if target.exists() and sha256_file(target) != sha256_file(path):
        raise RegistryError(f"field `path`: {target} exists and holds other bytes; raw files are never replaced: "
                            "register the new file under another name (--name)")


def copy_raw(path: Path, target: Path) -> None:
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def round_trip_yaml() -> YAML:
    """ruamel.yaml set to the registry's layout (two-space maps, sequences indented under their key, `null`)."""
    loader = YAML()
    loader.indent(mapping=2, sequence=4, offset=2)
    loader.width = 120
    loader.preserve_quotes = True
    loader.representer.add_representer(
        type(None), lambda representer, _: representer.represent_scalar("tag:yaml.org,2002:null", "null"))
    return loader


def registry_layout(entry: dict[str, Any]) -> CommentedMap:
    """The entry as the registry writes entries: lists in flow style, dates in double quotes."""
    laid_out = CommentedMap()
    for key, value in entry.items():
        if isinstance(value, list):
            value = CommentedSeq(value)
            value.fa.set_flow_style()
        elif isinstance(value, dict):
            value = CommentedMap(value)
            value.fa.set_flow_style()
        elif key in ("published", "retrieved") and value != UNKNOWN:
            value = DoubleQuotedScalarString(value)
        laid_out[key] = value
    return laid_out


def append_entry(registry_path: Path, entry: dict[str, Any]) -> None:
    """Append `entry` to the registry file after a blank line, keeping its comments and order."""
    loader = round_trip_yaml()
    document = loader.load(registry_path.read_text(encoding="utf-8"))
    document["sources"].append(registry_layout(entry))
    document["sources"].yaml_set_comment_before_after_key(len(document["sources"]) - 1, before="\n", indent=2)
    tmp = registry_path.with_name(registry_path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        loader.dump(document, handle)
    tmp.replace(registry_path)


def register(path: Path, fmt: str, options: dict[str, Any], root: Path = Path(".")) -> dict[str, Any]:
    """Copy, hash, check and append one source; returns its entry. Nothing is written when a check fails."""
    if not path.is_file():
        raise RegistryError(f"field `path`: {path} is not a file")
    registry_path = root / "config" / "sources.yaml"
    entry = build_entry(path, fmt, options)
    target = root / "data" / "raw" / entry["path"]
    check_raw(path, target)
    check_entry(entry, yaml.safe_load(registry_path.read_text(encoding="utf-8")),
                root / "config" / "sources.schema.yaml")
    copy_raw(path, target)
    append_entry(registry_path, entry)
    return entry


def parse_fields(text: str) -> dict[str, str]:
    """`text=body,id=msg_id` -> {"text": "body", "id": "msg_id"}."""
    pairs = [item.split("=", 1) for item in text.split(",") if item.strip()]
    if any(len(pair) != 2 for pair in pairs):
        raise argparse.ArgumentTypeError("--fields takes key=field pairs separated by commas, e.g. text=text,id=id")
    return {key.strip(): value.strip() for key, value in pairs}


def command_line(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infospace", description="Register raw sources.")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("register", help="copy a raw file into data/raw/ and add it to config/sources.yaml",
                                  description=__doc__.split("\n\n")[1])
    command.add_argument("path", type=Path, help="the raw file")
    command.add_argument("--format", required=True, help="web_article, telegram_feed, html, jsonl, parquet or "
                                                        "telegram_json")
    command.add_argument("--id", help="the source id (default: from the file name)")
    command.add_argument("--name", help="file name in data/raw/ (default: the file's own)")
    command.add_argument("--encoding", help="the declared text encoding, when known")
    command.add_argument("--fields", type=parse_fields, help="jsonl/parquet: key=record field pairs, e.g. "
                                                             "text=text,id=id,published=date")
    command.add_argument("--chat", help="telegram_json: the chat of a full-account export (name or id)")
    command.add_argument("--url", help="the original address")
    command.add_argument("--languages", type=lambda s: [x.strip() for x in s.split(",") if x.strip()],
                         help="ISO 639-1 codes the source is known to contain, e.g. ru,en")
    for key in TEXT_FIELDS:
        command.add_argument(f"--{key.replace('_', '-')}", dest=key, help=f"registry field `{key}` (default: unknown)")
    args = parser.parse_args(argv)
    options = {key: value for key, value in vars(args).items() if key not in ("command", "path", "format")}
    try:
        entry = register(args.path, args.format, options)
    except RegistryError as error:
        parser.exit(2, f"register: {args.path}: {error}\n")
    print(f"registered {entry['id']} ({entry['format']}, sha256 {entry['sha256']}) as data/raw/{entry['path']}")
    return 0
