"""Shards: record ranges of one source, the unit of every per-shard job.

A shard id comes from the data (a record range of a source), never from the number of cores or jobs. A source of a
line format is one shard (`00000`, the whole file). A record-format source is cut every `shard_size` records:
JSONL by lines and a Telegram export by message objects (a shard also knows its byte range, so a job reads only its
own bytes), Parquet by rows. The manifest, results/shards/<source>.tsv, lists them:
`shard first_record end_record byte_start byte_end`; results/shards/<source>.json holds the source's own facts (a
Telegram export's channel name, type and id).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from infospace.schema import FILE_FORMATS

MANIFEST_HEADER = ("shard", "first_record", "end_record", "byte_start", "byte_end")
WHOLE_FILE = "00000"
SCAN_BLOCK = 1 << 26  # bytes scanned for line breaks at a time


@dataclass(frozen=True)
class Shard:
    """Records [first_record, end_record) of a source; bytes [byte_start, byte_end) of its file (Parquet: rows)."""

    shard: str
    first_record: int
    end_record: int
    byte_start: int
    byte_end: int


def shard_name(index: int) -> str:
    return f"{index:05d}"


def line_starts(path: Path) -> np.ndarray:
    """Byte offset of the start of every line of a file (the first is 0; a final line break starts no line)."""
    size = path.stat().st_size
    breaks = []
    with path.open("rb") as handle:
        offset = 0
        while block := handle.read(SCAN_BLOCK):
            breaks.append(np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10).astype(np.int64) + offset + 1)
            offset += len(block)
    starts = np.concatenate([np.zeros(1 if size else 0, dtype=np.int64), *breaks])
    return starts[starts < size]


def jsonl_shards(path: Path, shard_size: int) -> list[Shard]:
    """Shards of `shard_size` lines of a JSONL file."""
    starts = line_starts(path)
    n_lines = len(starts)
    bounds = [int(x) for x in starts[::shard_size]] + [path.stat().st_size]
    return [Shard(shard_name(i), i * shard_size, min((i + 1) * shard_size, n_lines), bounds[i], bounds[i + 1])
            for i in range(len(bounds) - 1)]


def parquet_shards(path: Path, shard_size: int) -> list[Shard]:
    """Shards of `shard_size` rows of a Parquet file (its byte range is its row range)."""
    import pyarrow.parquet as pq

    n_rows = pq.ParquetFile(path).metadata.num_rows
    return [Shard(shard_name(i), start, min(start + shard_size, n_rows), start, min(start + shard_size, n_rows))
            for i, start in enumerate(range(0, n_rows, shard_size))]


def telegram_shards(path: Path, shard_size: int, chat: str | None) -> tuple[list[Shard], dict]:
    """Shards of `shard_size` messages of a Telegram export (the chosen chat's), and the chat's facts."""
    from infospace.telegram import scan_export

    layout = scan_export(path, chat)
    spans = layout.messages
    shards = [Shard(shard_name(i), start, min(start + shard_size, len(spans)), spans[start][0],
                    spans[min(start + shard_size, len(spans)) - 1][1])
              for i, start in enumerate(range(0, len(spans), shard_size))]
    return shards, layout.chat


def source_layout(path: Path, fmt: str, shard_size: int, chat: str | None = None) -> tuple[list[Shard], dict]:
    """The shards of one source and its facts. A line format, or an empty file, is one shard."""
    if shard_size < 1:
        raise ValueError(f"records.shard_size must be at least 1, got {shard_size}")
    facts: dict = {}
    if fmt in FILE_FORMATS:
        shards = []
    elif fmt == "jsonl":
        shards = jsonl_shards(path, shard_size)
    elif fmt == "parquet":
        shards = parquet_shards(path, shard_size)
    elif fmt == "telegram_json":
        shards, facts = telegram_shards(path, shard_size, chat)
    else:
        raise ValueError(f"no shard rule for format {fmt!r}")
    return shards or [whole_file_shard(path)], facts


def source_shards(path: Path, fmt: str, shard_size: int, chat: str | None = None) -> list[Shard]:
    """The shards of one source (see `source_layout`)."""
    return source_layout(path, fmt, shard_size, chat)[0]


def whole_file_shard(path: Path) -> Shard:
    """The one shard of a source read as one file (a line format, a page), or of an empty file."""
    return Shard(WHOLE_FILE, 0, 0, 0, path.stat().st_size)


def format_manifest(shards: list[Shard]) -> str:
    rows = ["\t".join(MANIFEST_HEADER)]
    rows += [f"{s.shard}\t{s.first_record}\t{s.end_record}\t{s.byte_start}\t{s.byte_end}" for s in shards]
    return "\n".join(rows) + "\n"


def read_manifest(path: Path | str) -> list[Shard]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    if not lines or tuple(lines[0].split("\t")) != MANIFEST_HEADER:
        raise ValueError(f"{path}: not a shard manifest (header {MANIFEST_HEADER})")
    shards = []
    for line in lines[1:]:
        name, *numbers = line.split("\t")
        shards.append(Shard(name, *map(int, numbers)))
    return shards


def read_bytes(path: Path, shard: Shard) -> bytes:
    """The bytes of one shard of a byte-addressed file."""
    with path.open("rb") as handle:
        handle.seek(shard.byte_start)
        return handle.read(shard.byte_end - shard.byte_start)


def job_shard(manifest: list[str], shard_id: str, raw: Path) -> tuple[Shard, dict]:
    """A per-shard job's shard and its source's facts, from the job's manifest inputs (.tsv and .json; none for a
    line format: the whole file)."""
    if not manifest:
        return whole_file_shard(raw), {}
    tsv = next(Path(p) for p in manifest if str(p).endswith(".tsv"))
    facts = next((Path(p) for p in manifest if str(p).endswith(".json")), None)
    shard = next(s for s in read_manifest(tsv) if s.shard == shard_id)
    return shard, json.loads(facts.read_text(encoding="utf-8")) if facts else {}
