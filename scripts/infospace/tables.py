"""Reading and writing the pipeline's Parquet tables with one fixed writer setting.

Rows are sorted by the table's sort key and cast to its Arrow schema (scripts/infospace/schema.py) before writing,
so the same rows always give the same bytes.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from infospace.schema import SORT_KEYS, schema_for

PARQUET_SETTINGS = {
    "compression": "zstd",
    "compression_level": 9,
    "row_group_size": 100_000,
    "use_dictionary": True,
    "write_statistics": True,
    "data_page_version": "2.0",
}


def to_arrow(frame: pl.DataFrame, table: str, stage: str = "split") -> pa.Table:
    """Cast `frame` to the schema of `table` at `stage`, with rows in the table's sort order.

    Extra columns are an error, as are missing ones: the schema is the contract between steps.
    """
    schema = schema_for(table, stage)
    missing = [name for name in schema.names if name not in frame.columns]
    extra = [name for name in frame.columns if name not in schema.names]
    if missing or extra:
        raise ValueError(f"table {table!r} at stage {stage!r}: missing columns {missing}, unexpected columns {extra}")
    ordered = frame.select(schema.names).sort(list(SORT_KEYS[table]))
    arrow = ordered.to_arrow()
    # polars writes large_string/large_list; the schema says string/list.
    return arrow.cast(schema)


def write_table(frame: pl.DataFrame, table: str, path: str | Path, stage: str = "split") -> None:
    """Write `frame` as `table` to `path` atomically (a temporary file, then a rename)."""
    arrow = to_arrow(frame, table, stage)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(arrow, tmp, **PARQUET_SETTINGS)
    os.replace(tmp, path)
