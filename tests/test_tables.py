"""Frames built from Python rows and lists (infospace.schema.rows_frame, infospace.tables.list_series): the same
frames Arrow's own converters build, without loading pandas into the job (each job process is short, and pandas
costs about 0.2 s to load)."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

import polars as pl
import pyarrow as pa

from conftest import REPO
from infospace.schema import polars_schema, rows_frame, schema_for
from infospace.tables import list_series

DOCUMENT = {"doc_id": "src/0", "source_id": "src", "position": 0, "byte_start": 0, "byte_end": 10, "text": "Текст",
            "published": datetime(2025, 6, 1, 12, 30, 15, 250000), "hashtags": ["#а", "#b"], "tags": [],
            "reactions": [{"reaction": "👍", "count": 3}], "views": 12, "mojibake_repaired": False}


def test_rows_frame_equals_arrows_conversion():
    rows = [DOCUMENT, {**DOCUMENT, "doc_id": "src/1", "position": 1, "published": None, "hashtags": None,
                       "reactions": [], "views": None, "title": "Заголовок"}]
    expected = pl.from_arrow(pa.Table.from_pylist(rows, schema=schema_for("documents", "parse")))
    frame = rows_frame(rows, "documents", "parse")
    assert frame.schema == expected.schema == polars_schema("documents", "parse")
    assert frame.equals(expected, null_equal=True)
    assert frame["title"].to_list() == [None, "Заголовок"]  # a missing key is null


def test_rows_frame_refuses_a_wrong_type():
    try:
        rows_frame([{**DOCUMENT, "position": "zero"}], "documents", "parse")
    except (TypeError, pl.exceptions.PolarsError):
        return
    raise AssertionError("a string in an integer column was accepted")


def test_list_series_equals_arrows_conversion():
    values = [["a", "b"], None, [], ["c"], []]
    for dtype, data in [(pl.List(pl.String), values), (pl.List(pl.Int32), [[1, 2], None, [], [3], []])]:
        arrow_type = pl.Series("x", [], dtype=dtype).to_arrow().type
        expected = pl.Series("x", pl.from_arrow(pa.array(data, type=arrow_type)))
        series = list_series("x", data, dtype)
        assert series.dtype == dtype and series.name == "x"
        assert series.to_list() == expected.to_list() == data
    assert list_series("x", [], pl.List(pl.String)).to_list() == []


def test_building_tables_leaves_pandas_unloaded():
    code = f"""
import sys
sys.path.insert(0, {str(REPO / 'scripts')!r})
import polars as pl
from infospace.schema import rows_frame
from infospace.tables import list_series, to_arrow
frame = rows_frame([{{"doc_id": "s/0", "source_id": "s", "position": 0, "text": "x", "hashtags": ["#a"]}}],
                   "documents", "parse")
list_series("x", [["a"], None], pl.List(pl.String))
print("pandas" in sys.modules)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
    # The check can fail: Arrow's converter of Python objects does load pandas.
    arrow = subprocess.run([sys.executable, "-c", "import sys, pyarrow as pa; pa.array(['a']); "
                            "print('pandas' in sys.modules)"], capture_output=True, text=True, check=True)
    assert arrow.stdout.strip() == "True"
