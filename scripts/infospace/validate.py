"""The great-expectations gate: one suite per output table, plus cross-table checks, as code.

Everything the suites expect comes from `infospace.schema`: column names, order and types from the Arrow schema,
non-null columns from `nullable`, unique ids from KEYS, allowed values from SPLITS, AFFILIATIONS, REMOVAL_REASONS,
DEDUP_LEVELS, DEDUP_METHODS, ... and the configured language list plus `und`. Row-count bounds come from the
config `validate:` section.

Cross-table checks (sources registered, parents exist, no id or group in two splits, exact Arrow types, the
byte-accounting invariant of the parse step, released documents kept in their locked split) are computed in
polars. Each yields a list of problems, one readable
string per offending row; they are validated through great-expectations as a `cross_table` frame with one column
per check (padded with nulls) and `ExpectColumnValuesToBeNull` on each column, so a failure and its offending rows
appear in the GX results and in Data Docs like any other expectation.

No telemetry: GX_ANALYTICS_ENABLED is forced to False before great_expectations is imported, the context is
ephemeral (nothing written outside the Data Docs folder) and nothing in the run opens a network connection (a test
blocks sockets while the gate runs).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ["GX_ANALYTICS_ENABLED"] = "False"

import great_expectations as gx  # noqa: E402
import great_expectations.expectations as gxe  # noqa: E402
import pandas as pd  # noqa: E402
import polars as pl  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from great_expectations.core.run_identifier import RunIdentifier  # noqa: E402
from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: E402
from great_expectations.execution_engine import pandas_execution_engine  # noqa: E402

from infospace.provenance import SPAN_COLUMNS, shard_accounting_problems  # noqa: E402
from infospace.schema import (  # noqa: E402
    AFFILIATIONS,
    DEDUP_LEVELS,
    DEDUP_METHODS,
    FIELD_ORIGINS,
    FORMATS,
    KEYS,
    FILE_FORMATS,
    PRECISIONS,
    PUBLISHED_BASES,
    REMOVAL_REASONS,
    SPLITS,
    TABLES,
    UNDETERMINED_LANGUAGE,
    polars_schema,
    schema_for,
)
from infospace.shards import Shard  # noqa: E402
from infospace.split import linking_paragraphs  # noqa: E402

TABLE_NAMES = ("sources", "documents", "paragraphs", "audit", "duplicates", "message_gaps")
CROSS_TABLE = "cross_table"
TABLE_SIZES = "table_sizes"
DEFAULT_BATCH_ROWS = 100_000
DEFAULT_BATCH_MB = 64
DEFAULT_ROW_COUNTS: dict[str, dict[str, int | None]] = {
    "sources": {"min": 1, "max": None},
    "documents": {"min": 1, "max": None},
    "paragraphs": {"min": 1, "max": None},
    "audit": {"min": 0, "max": None},
    "duplicates": {"min": 0, "max": None},
    "message_gaps": {"min": 0, "max": None},
}
DEFAULT_PARTIAL_UNEXPECTED_COUNT = 20


@dataclass(frozen=True)
class ValidateConfig:
    languages: tuple[str, ...]
    row_counts: dict[str, dict[str, int | None]] = field(default_factory=lambda: dict(DEFAULT_ROW_COUNTS))
    partial_unexpected_count: int = DEFAULT_PARTIAL_UNEXPECTED_COUNT
    batch_rows: int = DEFAULT_BATCH_ROWS
    batch_mb: int = DEFAULT_BATCH_MB

    @property
    def allowed_languages(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.languages) | {UNDETERMINED_LANGUAGE}))


def validate_config(section: Mapping[str, Any] | None, languages: Sequence[str]) -> ValidateConfig:
    """The config `validate:` section with documented defaults for missing keys."""
    section = dict(section or {})
    row_counts = {table: dict(bounds) for table, bounds in DEFAULT_ROW_COUNTS.items()}
    for table, bounds in (section.get("row_counts") or {}).items():
        if table not in row_counts:
            raise ValueError(f"validate.row_counts: unknown table {table!r}; allowed: {list(TABLE_NAMES)}")
        row_counts[table].update(bounds or {})
    return ValidateConfig(
        languages=tuple(languages),
        row_counts=row_counts,
        partial_unexpected_count=int(section.get("partial_unexpected_count", DEFAULT_PARTIAL_UNEXPECTED_COUNT)),
        batch_rows=int(section.get("batch_rows", DEFAULT_BATCH_ROWS)),
        batch_mb=int(section.get("batch_mb", DEFAULT_BATCH_MB)),
    )


# --- per-table suites -------------------------------------------------------------------------------------------

SHA256 = r"^[0-9a-f]{64}$"
# Columns whose values must lie in a fixed set; `None` stands for the configured languages plus `und`.
ALLOWED_VALUES: dict[str, dict[str, tuple[str, ...] | None]] = {
    "sources": {"format": FORMATS, "affiliation": AFFILIATIONS, "published_precision": PRECISIONS,
                "published_basis": PUBLISHED_BASES, "retrieved_precision": PRECISIONS},
    "documents": {"language": None, "split": SPLITS, "published_precision": PRECISIONS,
                  "published_origin": FIELD_ORIGINS},
    "paragraphs": {"language": None, "split": SPLITS},
    "audit": {"reason": REMOVAL_REASONS},
    "duplicates": {"level": DEDUP_LEVELS, "method": DEDUP_METHODS},
}
PATTERNS: dict[str, dict[str, str]] = {
    "sources": {"sha256": SHA256, "country": r"^[A-Z]{2}$"},
    "documents": {"text_sha256": SHA256},
    "paragraphs": {"script": r"^[A-Z][a-z]{3}$"},
}
# (min, max) ranges, inclusive.
RANGES: dict[str, dict[str, tuple[float | None, float | None]]] = {
    "sources": {"n_bytes": (0, None)},
    "documents": {"position": (0, None), "byte_start": (0, None), "n_paragraphs": (0, None), "n_chars": (0, None),
                  "views": (0, None), "language_score": (0.0, 1.0)},
    "paragraphs": {"index": (0, None), "byte_start": (0, None), "language_score": (0.0, 1.0)},
    "audit": {"byte_start": (0, None)},
    "duplicates": {"similarity": (0.0, 1.0)},
    "message_gaps": {"first_missing": (0, None), "n_missing": (1, None)},
}


def pandas_type(arrow_type: pa.DataType) -> str:
    """The GX pandas `type_` of a column of `arrow_type`, as `pandas_frame` converts it."""
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "str"
    if pa.types.is_timestamp(arrow_type):
        return "datetime64"
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return "object"
    if pa.types.is_boolean(arrow_type):
        return "bool"
    return str(arrow_type.to_pandas_dtype().__name__)  # int32, int64, float64


def pandas_frame(table: pa.Table, table_name: str) -> pd.DataFrame:
    """Arrow -> pandas for GX. Integer and boolean columns the schema allows to be null keep their type (Int64...)."""
    frame = table.to_pandas()
    nullable = {column.name for column in TABLES[table_name] if column.nullable}
    masked = {pa.int32(): pd.Int32Dtype(), pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}
    for name in table.column_names:
        if name in nullable and table.schema.field(name).type in masked:
            frame[name] = table.column(name).to_pandas(types_mapper=masked.get)
    return frame


def table_expectations(table: str, config: ValidateConfig) -> list[gxe.Expectation]:
    """Every expectation of one table, derived from its Arrow schema and the constants in infospace.schema."""
    schema = schema_for(table)
    columns = {column.name: column for column in TABLES[table]}
    expectations: list[gxe.Expectation] = [gxe.ExpectTableColumnsToMatchOrderedList(column_list=schema.names)]
    for arrow_field in schema:
        expectations.append(gxe.ExpectColumnValuesToBeOfType(column=arrow_field.name,
                                                             type_=pandas_type(arrow_field.type)))
        if not columns[arrow_field.name].nullable:
            expectations.append(gxe.ExpectColumnValuesToNotBeNull(column=arrow_field.name))
    key = KEYS[table]
    if len(key) == 1:
        expectations.append(gxe.ExpectColumnValuesToBeUnique(column=key[0]))
    else:
        expectations.append(gxe.ExpectCompoundColumnsToBeUnique(column_list=list(key)))
    for column, allowed in ALLOWED_VALUES.get(table, {}).items():
        value_set = list(config.allowed_languages if allowed is None else allowed)
        expectations.append(gxe.ExpectColumnValuesToBeInSet(column=column, value_set=value_set))
    for column, regex in PATTERNS.get(table, {}).items():
        expectations.append(gxe.ExpectColumnValuesToMatchRegex(column=column, regex=regex))
    for column, (low, high) in RANGES.get(table, {}).items():
        expectations.append(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=low, max_value=high))
    if "byte_end" in columns:
        expectations.append(gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="byte_end", column_B="byte_start", or_equal=False))
    return expectations


def table_size_expectations(config: ValidateConfig) -> list[gxe.Expectation]:
    """Row-count bounds of each whole table (config `validate.row_counts`), on the TABLE_SIZES frame."""
    return [gxe.ExpectColumnValuesToBeBetween(column=table, min_value=config.row_counts[table]["min"],
                                              max_value=config.row_counts[table]["max"])
            for table in TABLE_NAMES]


def table_sizes_frame(tables: Tables) -> pd.DataFrame:
    """One row: the number of rows of each whole table (all shards)."""
    return pd.DataFrame({name: [int(tables.get(name).select(pl.len()).collect().item())] for name in TABLE_NAMES})


# --- cross-table checks (polars, lazy) ------------------------------------------------------------------------------

CROSS_CHECKS: dict[str, str] = {
    "arrow_schema_matches": "Every table file has exactly the Arrow schema of infospace.schema (names and types).",
    "id_unique": "Every id is unique across all shards (sources, documents, paragraphs, audit, duplicates).",
    "document_source_registered": "Every document references a registered source.",
    "paragraph_document_exists": "Every paragraph references a document.",
    "audit_source_registered": "Every audit row and every message gap references a registered source.",
    "list_languages_allowed": "Every entry of documents.languages is a configured language or `und`.",
    "text_sha256_matches": "documents.text_sha256 is the sha256 of documents.text.",
    "id_in_one_split": "No doc_id or para_id appears in two splits.",
    "paragraph_split_matches_document": "Every paragraph has its document's split.",
    "duplicate_cluster_in_one_split": "No document duplicate cluster, and no paragraph duplicate cluster that links "
                                      "documents (split.link_min_chars, split.link_max_documents), spans two "
                                      "splits.",
    "translation_group_in_one_split": "No translation group spans two splits.",
    "byte_accounting": "Kept paragraphs plus audit rows cover every non-white-space byte of each line-format file, "
                       "and every record of each record-format file, exactly once, and each row's provenance rule "
                       "(infospace.provenance) gives its text.",
    "locked_split_kept": "Every document in the split lock keeps its locked split, unless the split report lists it "
                         "as moved by a merge of differently locked groups (skipped when no lock is given).",
}
SHARDED_TABLES = ("documents", "paragraphs", "audit")
MAX_LISTED = 1000  # problems listed per check (the count is always exact)


@dataclass(frozen=True)
class Tables:
    """The final tables, as in-memory frames (tests, small corpora) or as files: the sharded tables' per-shard files
    (`shards` names each file's (source_id, shard), in the same order for the three tables) and one file each for
    the others. Checks read them lazily, column by column, and text only shard by shard."""

    sources: pl.DataFrame | pl.LazyFrame
    documents: pl.DataFrame | pl.LazyFrame
    paragraphs: pl.DataFrame | pl.LazyFrame
    audit: pl.DataFrame | pl.LazyFrame
    duplicates: pl.DataFrame | pl.LazyFrame
    message_gaps: pl.DataFrame | pl.LazyFrame = field(
        default_factory=lambda: pl.DataFrame(schema=polars_schema("message_gaps")))
    files: Mapping[str, tuple[Path, ...]] = field(default_factory=dict)
    shards: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_files(cls, files: Mapping[str, list[Path]], shards: list[tuple[str, str]]) -> Tables:
        frozen = {name: tuple(Path(p) for p in paths) for name, paths in files.items()}
        return cls(**{name: pl.scan_parquet(list(frozen[name])) for name in TABLE_NAMES}, files=frozen,
                   shards=tuple(shards))

    def get(self, name: str) -> pl.LazyFrame:
        return getattr(self, name).lazy()

    def batches(self, name: str, columns: list[str]) -> Iterator[pl.DataFrame]:
        """The table's rows, a file (a shard) at a time, or the whole in-memory frame."""
        if name in self.files:
            for path in self.files[name]:
                yield pl.read_parquet(path, columns=columns)
        else:
            yield self.get(name).select(columns).collect()


def _listed(frame: pl.LazyFrame, describe: Any) -> list[str]:
    """Problems described from the rows of a lazy query (at most MAX_LISTED listed, then a count of the rest)."""
    rows = frame.collect()
    problems = [describe(*row) for row in rows.head(MAX_LISTED).iter_rows()]
    if rows.height > MAX_LISTED:
        problems.append(f"... and {rows.height - MAX_LISTED} more")
    return problems


def arrow_schema_problems(schemas: Mapping[str, list[tuple[str, pa.Schema]]]) -> list[str]:
    """Column names, order and types of each table file (table -> [(file, schema)]) against its schema."""
    problems = []
    for table, files in sorted(schemas.items()):
        expected = schema_for(table)
        for label, actual in files:
            if actual.names != expected.names:
                problems.append(f"{label}: columns {actual.names} != {expected.names}")
                continue
            for got, want in zip(actual, expected):
                if got.type != want.type:
                    problems.append(f"{label}: {table}.{got.name}: type {got.type} != {want.type}")
    return problems


def id_unique_problems(tables: Tables) -> list[str]:
    problems = []
    for table, key in KEYS.items():
        repeated = (tables.get(table).group_by(list(key)).agg(pl.len().alias("n")).filter(pl.col("n") > 1)
                    .sort(list(key)))
        problems += _listed(repeated, lambda *row: f"{table}: {dict(zip(key, row[:-1]))} appears {row[-1]} times")
    return problems


def missing_references(child: pl.LazyFrame, column: str, parent: pl.LazyFrame, parent_key: str,
                       child_key: str) -> list[str]:
    """Rows of `child` whose non-null `column` is not a `parent_key` of `parent`."""
    orphans = (child.select(child_key, column).drop_nulls(column)
               .join(parent.select(pl.col(parent_key).alias(column)), on=column, how="anti").sort(child_key))
    return _listed(orphans, lambda key, value: f"{key}: {column}={value!r} not found")


def list_values_problems(frame: pl.LazyFrame, column: str, key: str, allowed: Sequence[str]) -> list[str]:
    bad = (frame.select(key, column).explode(column).drop_nulls(column)
           .filter(~pl.col(column).is_in(list(allowed))).sort(key))
    return _listed(bad, lambda row_key, value: f"{row_key}: {column} has {value!r}")


def text_sha256_problems(tables: Tables) -> list[str]:
    problems = []
    for batch in tables.batches("documents", ["doc_id", "text", "text_sha256"]):
        for doc_id, text, digest in batch.iter_rows():
            if text is not None and hashlib.sha256(text.encode("utf-8")).hexdigest() != digest:
                problems.append(f"{doc_id}: text_sha256 does not match text")
    return problems


def spans_two_splits(memberships: pl.LazyFrame | pl.DataFrame, group: str, label: str) -> list[str]:
    """Groups (column `group`) whose members (column `member`, with `split`) sit in more than one split."""
    spread = (
        memberships.lazy().drop_nulls(group)
        .group_by(group)
        .agg(pl.col("split").unique().sort().alias("splits"), pl.col("member").unique().sort().head(6).alias("m"))
        .filter(pl.col("splits").list.len() > 1)
        .sort(group)
    )
    return _listed(spread, lambda name, splits, members: f"{label} {name}: splits {list(splits)} (members "
                                                         f"{list(members)})")


def id_split_problems(tables: Tables) -> list[str]:
    problems = []
    for table, key in (("documents", "doc_id"), ("paragraphs", "para_id")):
        memberships = tables.get(table).select(pl.col(key).alias("member"), pl.col(key).alias("id"), "split")
        problems += spans_two_splits(memberships, "id", f"{table} id")
    return problems


def paragraph_split_problems(tables: Tables) -> list[str]:
    joined = tables.get("paragraphs").select("para_id", "doc_id", "split").join(
        tables.get("documents").select("doc_id", pl.col("split").alias("doc_split")), on="doc_id", how="inner")
    bad = joined.filter(pl.col("split") != pl.col("doc_split")).sort("para_id")
    return _listed(bad, lambda para_id, doc_id, split, doc_split:
                   f"{para_id}: split {split!r} but document {doc_id} is in {doc_split!r}")


def duplicate_cluster_problems(tables: Tables, paragraph_link_min_chars: int | None = 0,
                               paragraph_link_max_documents: int | None = None) -> list[str]:
    """Clusters of the documents and paragraphs tables, and of the duplicates table (members still present).

    Paragraph clusters count only through paragraphs that link documents in the split step (duplicate key of at
    least `paragraph_link_min_chars` characters, clusters over at most `paragraph_link_max_documents` documents);
    a min of None means paragraph duplicates link nothing and are not checked.
    """
    documents = tables.get("documents").select(pl.col("doc_id").alias("member"), "dup_cluster_id", "split")
    problems = spans_two_splits(documents, "dup_cluster_id", "document cluster")
    if paragraph_link_min_chars is not None:
        clustered = (tables.get("paragraphs").filter(pl.col("dup_cluster_id").is_not_null())
                     .select(pl.col("para_id").alias("member"), "doc_id", "dup_cluster_id", "split", "text").collect())
        paragraphs = linking_paragraphs(clustered, paragraph_link_min_chars, paragraph_link_max_documents)
        problems += spans_two_splits(paragraphs.select("member", "dup_cluster_id", "split"), "dup_cluster_id",
                                     "paragraph cluster")
        linking_members = paragraphs.select("member")
    else:
        linking_members = pl.DataFrame({"member": []}, schema={"member": pl.String})
    members = tables.get("duplicates").select("cluster_id", "level", pl.col("member_id").alias("member"))
    present = pl.concat([
        members.filter(pl.col("level") == "document").join(documents.select("member", "split"), on="member"),
        members.filter(pl.col("level") == "paragraph").join(linking_members.lazy(), on="member").join(
            tables.get("paragraphs").select(pl.col("para_id").alias("member"), "split"), on="member"),
    ])
    problems += spans_two_splits(present.select("cluster_id", "member", "split"), "cluster_id",
                                 "duplicates-table cluster")
    return sorted(set(problems))


def translation_group_problems(tables: Tables) -> list[str]:
    problems = spans_two_splits(tables.get("documents").select(pl.col("doc_id").alias("member"),
                                                               "translation_group", "split"),
                                "translation_group", "translation group")
    problems += spans_two_splits(tables.get("paragraphs").select(pl.col("para_id").alias("member"),
                                                                 "translation_group", "split"),
                                 "translation_group", "paragraph translation group")
    return problems


def locked_split_problems(documents: pl.LazyFrame | pl.DataFrame, split_lock: Mapping[str, str] | None,
                          merge_moved: Collection[str] = ()) -> list[str]:
    """Documents whose split differs from their locked split and that the split report does not list as merge moves.

    Lock entries for documents no longer present are not problems (the split report counts them as stale).
    """
    if not split_lock:
        return []
    lock = pl.DataFrame({"doc_id": list(split_lock), "locked": list(split_lock.values())},
                        schema={"doc_id": pl.String, "locked": pl.String}).lazy()
    changed = (documents.lazy().select("doc_id", "split").join(lock, on="doc_id", how="inner")
               .filter((pl.col("split") != pl.col("locked")) & ~pl.col("doc_id").is_in(list(merge_moved)))
               .sort("doc_id"))
    return _listed(changed, lambda doc_id, split, locked:
                   f"{doc_id}: split {split!r} but locked in {locked!r} (not a reported merge move)")


# Accounting (infospace.provenance) -------------------------------------------------------------------------------


def source_encodings(tables: Tables) -> dict[str, str]:
    """Encoding per source: the one parse recorded on its documents, else the registry's, else utf-8."""
    registered = dict(tables.get("sources").select("source_id", "encoding").collect().iter_rows())
    used = dict(tables.get("documents").group_by("source_id").agg(pl.col("encoding").sort().first())
                .collect().iter_rows())
    return {source_id: used.get(source_id) or registered.get(source_id) or "utf-8" for source_id in registered}


def _spans(paragraphs: pl.LazyFrame, audit: pl.LazyFrame) -> pl.DataFrame:
    kept = paragraphs.select(pl.col("para_id").alias("id"), *SPAN_COLUMNS[1:])
    removed = audit.select(pl.col("audit_id").alias("id"), *SPAN_COLUMNS[1:])
    return pl.concat([kept, removed]).collect()


def accounting_problems(tables: Tables, raw_dir: Path, shards: Mapping[str, list[Shard]]) -> list[str]:
    """The accounting check of every shard of every registered source (`shards`: source_id -> its shards)."""
    encodings = source_encodings(tables)
    sources = {row["source_id"]: row for row in tables.get("sources").collect().to_dicts()}
    problems = []
    if tables.shards:  # file-backed: each shard's own paragraphs and audit files
        files = dict(zip(tables.shards, zip(tables.files["paragraphs"], tables.files["audit"], strict=True)))
        for source_id in sorted(sources):
            for shard in shards[source_id]:
                paragraphs, audit = files[(source_id, shard.shard)]
                problems += shard_accounting_problems(raw_dir / sources[source_id]["path"], sources[source_id],
                                                      shard, encodings[source_id],
                                                      _spans(pl.scan_parquet(paragraphs), pl.scan_parquet(audit)))
        return problems
    for source_id in sorted(sources):
        mine = pl.col("source_id") == source_id
        spans = _spans(tables.get("paragraphs").filter(mine), tables.get("audit").filter(mine))
        for shard in shards[source_id]:
            shard_spans = spans
            if sources[source_id]["format"] not in FILE_FORMATS:
                shard_spans = spans.filter(pl.col("byte_start").is_between(shard.byte_start, shard.byte_end,
                                                                           closed="left"))
            problems += shard_accounting_problems(raw_dir / sources[source_id]["path"], sources[source_id], shard,
                                                  encodings[source_id], shard_spans)
    return problems


def cross_table_problems(tables: Tables, config: ValidateConfig, accounting: list[str],
                         schemas: Mapping[str, list[tuple[str, pa.Schema]]],
                         split_lock: Mapping[str, str] | None = None,
                         merge_moved: Collection[str] = (),
                         paragraph_link_min_chars: int | None = 0,
                         paragraph_link_max_documents: int | None = None) -> dict[str, list[str]]:
    """Every cross-table check by name (see CROSS_CHECKS): the offending rows, described one per string.

    `accounting` are the accounting check's problems (`accounting_problems`); `schemas` maps each table to the Arrow
    schema of each of its files. `split_lock` (doc_id -> split) and `merge_moved` (doc_ids the split report lists as
    merge moves) feed `locked_split_kept`; without a lock that check has nothing to check.
    `paragraph_link_min_chars` and `paragraph_link_max_documents` are the split step's rule for paragraph links (see
    `duplicate_cluster_problems`; the default 0 checks every paragraph cluster).
    """
    sources, documents = tables.get("sources"), tables.get("documents")
    return {
        "arrow_schema_matches": arrow_schema_problems(schemas),
        "id_unique": id_unique_problems(tables),
        "document_source_registered": missing_references(documents, "source_id", sources, "source_id", "doc_id"),
        "paragraph_document_exists": missing_references(tables.get("paragraphs"), "doc_id", documents, "doc_id",
                                                        "para_id"),
        "audit_source_registered": missing_references(tables.get("audit"), "source_id", sources, "source_id",
                                                      "audit_id")
        + missing_references(tables.get("message_gaps"), "source_id", sources, "source_id", "first_missing"),
        "list_languages_allowed": list_values_problems(documents, "languages", "doc_id", config.allowed_languages),
        "text_sha256_matches": text_sha256_problems(tables),
        "id_in_one_split": id_split_problems(tables),
        "paragraph_split_matches_document": paragraph_split_problems(tables),
        "duplicate_cluster_in_one_split": duplicate_cluster_problems(tables, paragraph_link_min_chars,
                                                                     paragraph_link_max_documents),
        "translation_group_in_one_split": translation_group_problems(tables),
        "byte_accounting": accounting,
        "locked_split_kept": locked_split_problems(documents, split_lock, merge_moved),
    }


def cross_table_frame(problems: Mapping[str, list[str]]) -> pd.DataFrame:
    """One column per check holding its problems, padded with nulls; a clean corpus gives one all-null row."""
    height = max([1] + [len(found) for found in problems.values()])
    return pd.DataFrame({
        check: pd.Series(list(problems[check]) + [None] * (height - len(problems[check])), dtype="object")
        for check in CROSS_CHECKS
    })


def cross_table_expectations() -> list[gxe.Expectation]:
    return [gxe.ExpectColumnValuesToBeNull(column=check, meta={"check": description})
            for check, description in CROSS_CHECKS.items()]


# --- running the gate -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    suite: str
    expectation: str
    kwargs: dict[str, Any]
    result: dict[str, Any]

    def describe(self, rows: int = 5) -> str:
        arguments = ", ".join(f"{k}={v!r}" for k, v in sorted(self.kwargs.items()) if k not in ("batch_id",))
        lines = [f"FAILED {self.suite}: {self.expectation}({arguments})"]
        for key in ("observed_value", "unexpected_count", "exception_message"):
            if self.result.get(key) is not None:
                lines.append(f"    {key}: {self.result[key]}")
        values = self.result.get("partial_unexpected_list") or []
        keys = [k for k in (self.result.get("partial_unexpected_index_list") or []) if isinstance(k, dict)]
        for i, value in enumerate(values[:rows]):
            lines.append(f"    offending: {keys[i] if i < len(keys) else ''} {value!r}".replace(":  ", ": "))
        return "\n".join(lines)


def gx_context(data_docs_dir: Path) -> Any:
    """An ephemeral context (no files but Data Docs), progress bars off, one local Data Docs site."""
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    skip_batch_fingerprints()
    for site_name in list(context.get_site_names()):  # the ephemeral default site (a temporary folder)
        context.delete_data_docs_site(site_name)
    context.add_data_docs_site(
        site_name="local",
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                              "base_directory": str(Path(data_docs_dir).resolve())},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    return context


def skip_batch_fingerprints() -> None:
    """Stop GX from fingerprinting each pandas batch. GX 1.x keeps an md5 of every frame under 1 GB as a batch
    marker, and pickles the whole frame for it when pandas cannot hash a column (our list columns): 40% of the
    gate's time at 200,000 posts, and one more copy of each batch in memory. The marker is only written into
    results.json; what was validated is pinned by the `passed` marker (sha256 of every validated file). GX reads
    this module constant for every batch, and frames of at least that many bytes are not fingerprinted
    (tests/test_validate.py checks that no result carries one)."""
    pandas_execution_engine.HASH_THRESHOLD = 0


Batch = tuple[str, str, pd.DataFrame]  # (suite, batch label, frame)


def table_batches(tables: Tables, config: ValidateConfig) -> Iterator[Batch]:
    """Each table's rows as pandas frames of at most `batch_rows` rows and about `batch_mb` of data, shard files
    read one at a time and small ones taken together, so no whole table is ever converted to pandas."""
    for name in TABLE_NAMES:
        columns = list(schema_for(name).names)
        limit = batch_rows(tables, name, config)
        pending: list[pa.Table] = []
        start = 0

        def flush(rows: list[pa.Table], first: int) -> Batch:
            table = pa.concat_tables(rows)
            return name, f"rows {first}-{first + table.num_rows - 1}", pandas_frame(table, name)

        for frame in _file_batches(tables, name, columns):
            while frame.num_rows:
                room = limit - sum(part.num_rows for part in pending)
                pending.append(frame.slice(0, room))
                frame = frame.slice(room)
                if sum(part.num_rows for part in pending) >= limit:
                    batch = flush(pending, start)
                    start += len(batch[2])
                    pending = []
                    yield batch
        if pending or start == 0:
            yield flush(pending or [schema_for(name).empty_table()], start)


def batch_rows(tables: Tables, name: str, config: ValidateConfig) -> int:
    """Rows per batch of one table: `batch_rows`, or fewer when its rows are long on average (document texts), so
    that a batch holds about `batch_mb` of uncompressed data: pandas and the expectations hold several copies of a
    batch, and batches of 100,000 documents of 1.4 kB took 2 GB. Read from the files' metadata, so the batches
    depend only on the data."""
    if name in tables.files:
        metadata = [pq.ParquetFile(path).metadata for path in tables.files[name]]
        size = sum(m.row_group(g).total_byte_size for m in metadata for g in range(m.num_row_groups))
        rows = sum(m.num_rows for m in metadata)
    else:
        frame = tables.get(name).collect()
        size, rows = frame.estimated_size(), frame.height
    by_size = int(config.batch_mb * 2**20 * rows // size) if size else config.batch_rows
    return max(1, min(config.batch_rows, by_size))


def _file_batches(tables: Tables, name: str, columns: list[str]) -> Iterator[pa.Table]:
    if name in tables.files:
        for path in tables.files[name]:
            yield pq.read_table(path, columns=columns)
    else:
        yield tables.get(name).collect().to_arrow().cast(pa.schema([f.with_nullable(True) for f in schema_for(name)]))


def run_suites(batches: Iterable[Batch] | Mapping[str, pd.DataFrame], config: ValidateConfig, data_docs_dir: Path,
               run_name: str = "infospace-validate") -> tuple[dict[str, Any], list[Failure]]:
    """Validate each batch with its suite through a Checkpoint, then build Data Docs once (one site for all
    batches: a Data Docs action on each checkpoint rebuilt the site index after every batch, which cost more than the
    validation itself on many batches).

    A batch is checked with GX's BASIC result format first. Only a batch that fails is validated again, under the
    same run id (so its stored result is replaced), with the SUMMARY format and the ids of the offending rows: for
    those, GX copies the whole frame once per expectation, which made up half of the gate's time on batches that
    pass.

    `batches` are (suite, label, frame) triples, or a mapping suite -> frame (one batch each). Returns the results
    as a JSON-able dict (suite -> label -> result), and the failed expectations.
    """
    if isinstance(batches, Mapping):
        batches = [(name, "all rows", frame) for name, frame in batches.items()]
    context = gx_context(data_docs_dir)
    datasource = context.data_sources.add_pandas("infospace")
    checkpoints: dict[str, Any] = {}
    results: dict[str, Any] = {}
    failures: list[Failure] = []
    for name, label, frame in batches:
        if name not in checkpoints:
            checkpoints[name] = _checkpoints(context, datasource, name, config)
        quick, detailed = checkpoints[name]
        run_id = RunIdentifier(run_name=f"{run_name}: {name} {label}")
        outcome = quick.run(batch_parameters={"dataframe": frame}, run_id=run_id)
        if not outcome.success:
            outcome = detailed.run(batch_parameters={"dataframe": frame}, run_id=run_id)
        for validation in outcome.run_results.values():
            results.setdefault(name, {})[label] = validation.to_json_dict()
            for result in validation.results:
                if not result.success:
                    failures.append(Failure(f"{name} ({label})" if label != "all rows" else name,
                                            result.expectation_config.type,
                                            dict(result.expectation_config.kwargs), _failure_details(result)))
    context.build_data_docs(site_names=["local"])
    return results, failures


def _checkpoints(context: Any, datasource: Any, name: str, config: ValidateConfig) -> tuple[Any, Any]:
    """Two checkpoints of one suite's validation: BASIC results, and SUMMARY results that name the offending rows."""
    if name == CROSS_TABLE:
        expectations = cross_table_expectations()
    elif name == TABLE_SIZES:
        expectations = table_size_expectations(config)
    else:
        expectations = table_expectations(name, config)
    suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
    batch = datasource.add_dataframe_asset(name).add_batch_definition_whole_dataframe("whole")
    definition = context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))
    quick = {"result_format": "BASIC", "partial_unexpected_count": config.partial_unexpected_count}
    detailed = {**quick, "result_format": "SUMMARY", "unexpected_index_column_names": list(KEYS.get(name, ())),
                "return_unexpected_index_query": False}  # a pandas filter expression: the ids say it
    return (context.checkpoints.add(gx.Checkpoint(name=f"validate_{name}", validation_definitions=[definition],
                                                  result_format=quick)),
            context.checkpoints.add(gx.Checkpoint(name=f"validate_{name}_detailed",
                                                  validation_definitions=[definition], result_format=detailed)))


def _failure_details(result: Any) -> dict[str, Any]:
    details = dict(result.result or {})
    info = result.exception_info or {}
    messages = [value.get("exception_message") for value in info.values() if isinstance(value, dict)]
    if info.get("exception_message"):
        messages.append(info["exception_message"])
    if any(messages):
        details["exception_message"] = "; ".join(m for m in messages if m)
    return details
