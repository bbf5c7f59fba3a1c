"""The source registry and its integrity gate.

`check_registry` runs at the start of every snakemake invocation. It refuses a registry whose entries do not match
the files in data/raw/, naming the file and the field, so unprovenanced or altered bytes never enter the dataset.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import jsonschema
import polars as pl
import yaml

from infospace.records import json_dumps_fields
from infospace.schema import MAPPED_FORMATS, columns_for, rows_frame
from infospace.yamlfile import read_yaml


class RegistryError(Exception):
    """The source registry and data/raw/ disagree. The message names the file and the field."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_registry(registry_path: Path, schema_path: Path) -> list[dict[str, Any]]:
    """Read config/sources.yaml and validate it against its JSON schema."""
    try:
        document = read_yaml(registry_path)
    except yaml.YAMLError as error:
        raise RegistryError(f"{registry_path}: not valid YAML: {error}") from error
    schema = read_yaml(schema_path)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = [f"{registry_path}: {len(errors)} invalid value(s):"]
        for error in errors:
            lines.append(f"  {_describe_location(document, list(error.absolute_path))}: {error.message}")
        raise RegistryError("\n".join(lines))
    return document["sources"]


def _describe_location(document: Any, location: list[Any]) -> str:
    """'sources[2] (id=foo, path=bar.txt) field `country`' for an error location."""
    if len(location) >= 2 and location[0] == "sources" and isinstance(location[1], int):
        entry = document["sources"][location[1]]
        label = f"sources[{location[1]}]"
        if isinstance(entry, dict):
            label += f" (id={entry.get('id')!r}, path={entry.get('path')!r})"
        field = ".".join(map(str, location[2:])) or "(entry)"
        return f"{label} field `{field}`"
    return "field `" + ".".join(map(str, location)) + "`" if location else "(document)"


def check_registry(entries: list[dict[str, Any]], raw_dir: Path) -> list[str]:
    """Check the registry against the files in `raw_dir`; return the problems found (empty when all is well)."""
    problems: list[str] = []
    raw_root = raw_dir.resolve()
    for key in ("id", "path"):
        seen: dict[str, int] = {}
        for index, entry in enumerate(entries):
            value = entry[key]
            if value in seen:
                problems.append(
                    f"sources[{index}] field `{key}`: {value!r} is already used by sources[{seen[value]}]; "
                    f"every `{key}` must be unique"
                )
            seen.setdefault(value, index)

    for index, entry in enumerate(entries):
        if "fields" in entry and entry["format"] not in MAPPED_FORMATS:
            problems.append(f"sources[{index}] (id={entry['id']!r}) field `fields`: format {entry['format']} takes "
                            f"no field mapping; only {', '.join(MAPPED_FORMATS)} do")
        if "chat" in entry and entry["format"] != "telegram_json":
            problems.append(f"sources[{index}] (id={entry['id']!r}) field `chat`: only telegram_json sources choose "
                            "a chat")
        label = f"sources[{index}] (id={entry['id']!r}) field `path`"
        relative = Path(entry["path"])
        if relative.is_absolute() or ".." in relative.parts:
            problems.append(f"{label}: {entry['path']!r} escapes {raw_dir}/; give a path inside it")
            continue
        candidate = raw_dir / relative
        resolved = candidate.resolve()
        if not resolved.is_relative_to(raw_root):
            problems.append(f"{label}: {entry['path']!r} resolves to {resolved}, outside {raw_dir}/ (a symlink out?)")
            continue
        if not candidate.is_file():
            problems.append(f"{label}: registered file {candidate} is missing")
            continue
        actual = sha256_file(candidate)
        if actual != entry["sha256"]:
            problems.append(
                f"sources[{index}] (id={entry['id']!r}) field `sha256`: {candidate} has sha256 {actual}, "
                f"registry says {entry['sha256']}. Raw files are never edited: if this change is intended, "
                "re-register the file (new sha256) and bump the dataset version in config/config.yaml"
            )

    registered_names = {Path(entry["path"]).as_posix() for entry in entries}
    for path in sorted(raw_dir.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            if path.relative_to(raw_dir).as_posix() not in registered_names:
                problems.append(
                    f"{path}: file in {raw_dir}/ is not registered in the source registry; "
                    "register it (id, sha256, provenance) or move it out"
                )
    return problems


def sources_frame(entries: list[dict[str, Any]], raw_files: list[Path]) -> pl.DataFrame:
    """The `sources` table: one row per registered raw file (`raw_files` in registry order)."""
    rows = []
    for entry, raw_file in zip(entries, raw_files, strict=True):
        actual = sha256_file(raw_file)
        if actual != entry["sha256"]:
            raise RegistryError(f"{raw_file}: sha256 {actual} does not match the registry's {entry['sha256']}")
        row = {column.name: entry.get(column.name) for column in columns_for("sources", "register")}
        row["source_id"] = entry["id"]
        row["n_bytes"] = raw_file.stat().st_size
        row["fields"] = json_dumps_fields(entry.get("fields"))
        rows.append(row)
    return rows_frame(rows, "sources", "register")
