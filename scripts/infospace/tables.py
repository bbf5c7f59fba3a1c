"""Reading and writing the pipeline's Parquet tables with fixed writer settings.

Rows are sorted by the table's sort key and cast to its Arrow schema (scripts/infospace/schema.py) before writing,
so the same rows always give the same bytes.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
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
# The tables between steps are never published, and each is read once or twice: zstd's default level writes them
# about four times as fast as level 9 (80 MB of paragraphs: 0.18 s against 0.75 s), at about 1.3 times the size.
# The dataset's data files keep PARQUET_SETTINGS (infospace.package).
STEP_TABLE_SETTINGS = {**PARQUET_SETTINGS, "compression_level": 3}


def list_series(name: str, values: list[list | None], dtype: pl.DataType) -> pl.Series:
    """A list column from Python lists (None for a null list), built from one flat column and its offsets: given
    lists of lists, polars builds a Series per row (three list columns of 50,000 rows: 0.7 s), and `pa.array` on
    Python objects loads pandas into the job (about 0.2 s) to check whether they are pandas objects."""
    arrow_type = pl.Series(name, [], dtype=dtype).to_arrow().type
    flat = pl.Series(name, list(itertools.chain.from_iterable(v for v in values if v)), dtype=dtype.inner)
    offsets = pl.Series([0, *itertools.accumulate(len(v) if v else 0 for v in values)], dtype=pl.Int64)
    nulls = pl.Series([v is None for v in values], dtype=pl.Boolean)
    lists = pa.LargeListArray.from_arrays(offsets.to_arrow(), flat.to_arrow().cast(arrow_type.value_type),
                                          mask=nulls.to_arrow())
    return pl.Series(name, pl.from_arrow(lists.cast(arrow_type)))


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
    pq.write_table(arrow, tmp, **STEP_TABLE_SETTINGS)
    os.replace(tmp, path)


class ShardedTable:
    """One table split over the shard files of every source, read as one: rows are numbered across the files in
    the given order (sources by id, shards in order), so a row number found in one shard table (signatures) finds
    the same row in another (the parsed texts)."""

    def __init__(self, paths: list[str] | tuple[str, ...]) -> None:
        self.paths = tuple(str(p) for p in paths)
        counts = [pq.ParquetFile(p).metadata.num_rows for p in self.paths]
        self.starts = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])

    @property
    def height(self) -> int:
        return int(self.starts[-1])

    def read(self, columns: list[str]) -> pl.DataFrame:
        """The given columns of every row, in row order."""
        parts = [pl.read_parquet(path, columns=columns) for path in self.paths]
        return pl.concat(parts, how="vertical") if parts else pl.DataFrame()

    def gather(self, column: str, rows: np.ndarray) -> Iterator[tuple[np.ndarray, pl.Series]]:
        """Values of `column` at global `rows` (any order), one file at a time: (positions into `rows`, values),
        reading only the files that hold some of them."""
        rows = np.asarray(rows, dtype=np.int64)
        files = np.searchsorted(self.starts, rows, side="right") - 1
        for file in np.unique(files):
            picked = np.flatnonzero(files == file)
            local = rows[picked] - self.starts[file]
            yield picked, pl.read_parquet(self.paths[file], columns=[column])[column].gather(local)
