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
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ["GX_ANALYTICS_ENABLED"] = "False"

import great_expectations as gx  # noqa: E402
import great_expectations.expectations as gxe  # noqa: E402
import pandas as pd  # noqa: E402
import polars as pl  # noqa: E402
import pyarrow as pa  # noqa: E402
from great_expectations.core.run_identifier import RunIdentifier  # noqa: E402
from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: E402

from infospace.provenance import SPAN_COLUMNS, shard_accounting_problems  # noqa: E402
from infospace.schema import (  # noqa: E402
    AFFILIATIONS,
    DEDUP_LEVELS,
    DEDUP_METHODS,
    FIELD_ORIGINS,
    FORMATS,
    KEYS,
    LINE_FORMATS,
    PRECISIONS,
    PUBLISHED_BASES,
    REMOVAL_REASONS,
    SPLITS,
    TABLES,
    UNDETERMINED_LANGUAGE,
    schema_for,
)
from infospace.shards import Shard  # noqa: E402
from infospace.split import linking_paragraphs  # noqa: E402

TABLE_NAMES = ("sources", "documents", "paragraphs", "audit", "duplicates")
CROSS_TABLE = "cross_table"
DEFAULT_ROW_COUNTS: dict[str, dict[str, int | None]] = {
    "sources": {"min": 1, "max": None},
    "documents": {"min": 1, "max": None},
    "paragraphs": {"min": 1, "max": None},
    "audit": {"min": 0, "max": None},
    "duplicates": {"min": 0, "max": None},
}
DEFAULT_PARTIAL_UNEXPECTED_COUNT = 20


@dataclass(frozen=True)
class ValidateConfig:
    languages: tuple[str, ...]
    row_counts: dict[str, dict[str, int | None]] = field(default_factory=lambda: dict(DEFAULT_ROW_COUNTS))
    partial_unexpected_count: int = DEFAULT_PARTIAL_UNEXPECTED_COUNT

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
    bounds = config.row_counts[table]
    expectations.append(gxe.ExpectTableRowCountToBeBetween(min_value=bounds["min"], max_value=bounds["max"]))
    return expectations


# --- cross-table checks (polars) ------------------------------------------------------------------------------------

CROSS_CHECKS: dict[str, str] = {
    "arrow_schema_matches": "Every table file has exactly the Arrow schema of infospace.schema (names and types).",
    "document_source_registered": "Every document references a registered source.",
    "paragraph_document_exists": "Every paragraph references a document.",
    "audit_source_registered": "Every audit row references a registered source.",
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


@dataclass(frozen=True)
class Tables:
    sources: pl.DataFrame
    documents: pl.DataFrame
    paragraphs: pl.DataFrame
    audit: pl.DataFrame
    duplicates: pl.DataFrame

    def get(self, name: str) -> pl.DataFrame:
        return getattr(self, name)


def arrow_schema_problems(schemas: Mapping[str, pa.Schema]) -> list[str]:
    """Column names, order and types of each table file against its schema (read back from Parquet)."""
    problems = []
    for table, actual in sorted(schemas.items()):
        expected = schema_for(table)
        if actual.names != expected.names:
            problems.append(f"{table}: columns {actual.names} != {expected.names}")
            continue
        for got, want in zip(actual, expected):
            if got.type != want.type:
                problems.append(f"{table}.{got.name}: type {got.type} != {want.type}")
    return problems


def missing_references(child: pl.DataFrame, column: str, parent_ids: pl.Series, child_key: str) -> list[str]:
    """Rows of `child` whose non-null `column` is not in `parent_ids`."""
    orphans = child.filter(pl.col(column).is_not_null() & ~pl.col(column).is_in(parent_ids.implode()))
    return [f"{key}: {column}={value!r} not found" for key, value in orphans.select(child_key, column).iter_rows()]


def list_values_problems(frame: pl.DataFrame, column: str, key: str, allowed: Sequence[str]) -> list[str]:
    exploded = frame.select(key, column).explode(column).drop_nulls(column)
    bad = exploded.filter(~pl.col(column).is_in(list(allowed)))
    return [f"{row_key}: {column} has {value!r}" for row_key, value in bad.iter_rows()]


def text_sha256_problems(documents: pl.DataFrame) -> list[str]:
    problems = []
    for doc_id, text, digest in documents.select("doc_id", "text", "text_sha256").iter_rows():
        if text is not None and hashlib.sha256(text.encode("utf-8")).hexdigest() != digest:
            problems.append(f"{doc_id}: text_sha256 does not match text")
    return problems


def spans_two_splits(memberships: pl.DataFrame, group: str, label: str) -> list[str]:
    """Groups (column `group`) whose members (column `member`, with `split`) sit in more than one split."""
    spread = (
        memberships.drop_nulls(group)
        .group_by(group)
        .agg(pl.col("split").unique().sort().alias("splits"), pl.col("member").unique().sort().alias("members"))
        .filter(pl.col("splits").list.len() > 1)
        .sort(group)
    )
    return [f"{label} {name}: splits {list(splits)} (members {list(members)[:6]})"
            for name, splits, members in spread.iter_rows()]


def id_split_problems(tables: Tables) -> list[str]:
    problems = []
    for table, key in (("documents", "doc_id"), ("paragraphs", "para_id")):
        memberships = tables.get(table).select(pl.col(key).alias("member"), pl.col(key).alias("id"), "split")
        problems += spans_two_splits(memberships, "id", f"{table} id")
    return problems


def paragraph_split_problems(tables: Tables) -> list[str]:
    joined = tables.paragraphs.select("para_id", "doc_id", "split").join(
        tables.documents.select("doc_id", pl.col("split").alias("doc_split")), on="doc_id", how="inner")
    bad = joined.filter(pl.col("split") != pl.col("doc_split"))
    return [f"{para_id}: split {split!r} but document {doc_id} is in {doc_split!r}"
            for para_id, doc_id, split, doc_split in bad.iter_rows()]


def _members(tables: Tables) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Documents and paragraphs with their id as `member`, so cluster checks treat both levels alike."""
    return tables.documents.rename({"doc_id": "member"}), tables.paragraphs.rename({"para_id": "member"})


def duplicate_cluster_problems(tables: Tables, paragraph_link_min_chars: int | None = 0,
                               paragraph_link_max_documents: int | None = None) -> list[str]:
    """Clusters of the documents and paragraphs tables, and of the duplicates table (members still present).

    Paragraph clusters count only through paragraphs that link documents in the split step (duplicate key of at
    least `paragraph_link_min_chars` characters, clusters over at most `paragraph_link_max_documents` documents);
    a min of None means paragraph duplicates link nothing and are not checked.
    """
    documents, paragraphs = _members(tables)
    if paragraph_link_min_chars is None:
        paragraphs = paragraphs.clear()
    else:
        paragraphs = linking_paragraphs(paragraphs, paragraph_link_min_chars, paragraph_link_max_documents)
    problems = spans_two_splits(documents.select("member", "dup_cluster_id", "split"), "dup_cluster_id",
                                "document cluster")
    problems += spans_two_splits(paragraphs.select("member", "dup_cluster_id", "split"), "dup_cluster_id",
                                 "paragraph cluster")
    members = tables.duplicates.select("cluster_id", "level", pl.col("member_id").alias("member"))
    present = pl.concat([
        members.filter(pl.col("level") == level).join(frame.select("member", "split"), on="member", how="inner")
        for level, frame in (("document", documents), ("paragraph", paragraphs))
    ])
    problems += spans_two_splits(present, "cluster_id", "duplicates-table cluster")
    return sorted(set(problems))


def translation_group_problems(tables: Tables) -> list[str]:
    documents, paragraphs = _members(tables)
    problems = spans_two_splits(documents.select("member", "translation_group", "split"), "translation_group",
                                "translation group")
    problems += spans_two_splits(paragraphs.select("member", "translation_group", "split"), "translation_group",
                                 "paragraph translation group")
    return problems


def locked_split_problems(documents: pl.DataFrame, split_lock: Mapping[str, str] | None,
                          merge_moved: Collection[str] = ()) -> list[str]:
    """Documents whose split differs from their locked split and that the split report does not list as merge moves.

    Lock entries for documents no longer present are not problems (the split report counts them as stale).
    """
    if not split_lock:
        return []
    lock = pl.DataFrame({"doc_id": list(split_lock), "locked": list(split_lock.values())},
                        schema={"doc_id": pl.String, "locked": pl.String})
    changed = (documents.select("doc_id", "split").join(lock, on="doc_id", how="inner")
               .filter((pl.col("split") != pl.col("locked")) & ~pl.col("doc_id").is_in(list(merge_moved)))
               .sort("doc_id"))
    return [f"{doc_id}: split {split!r} but locked in {locked!r} (not a reported merge move)"
            for doc_id, split, locked in changed.iter_rows()]


# Accounting (infospace.provenance) -------------------------------------------------------------------------------


def source_encodings(tables: Tables) -> dict[str, str]:
    """Encoding per source: the one parse recorded on its documents, else the registry's, else utf-8."""
    registered = dict(tables.sources.select("source_id", "encoding").iter_rows())
    used = dict(tables.documents.group_by("source_id").agg(pl.col("encoding").sort().first()).iter_rows())
    return {source_id: used.get(source_id) or registered.get(source_id) or "utf-8" for source_id in registered}


def accounted_spans(tables: Tables, source_id: str) -> pl.DataFrame:
    """Kept paragraphs and audit rows of one source (provenance.SPAN_COLUMNS)."""
    kept = tables.paragraphs.filter(pl.col("source_id") == source_id).select(pl.col("para_id").alias("id"),
                                                                            *SPAN_COLUMNS[1:])
    removed = tables.audit.filter(pl.col("source_id") == source_id).select(pl.col("audit_id").alias("id"),
                                                                          *SPAN_COLUMNS[1:])
    return pl.concat([kept, removed])


def accounting_problems(tables: Tables, raw_dir: Path, shards: Mapping[str, list[Shard]]) -> list[str]:
    """The accounting check of every shard of every registered source (`shards`: source_id -> its shards)."""
    encodings = source_encodings(tables)
    problems = []
    for source in tables.sources.sort("source_id").to_dicts():
        spans = accounted_spans(tables, source["source_id"])
        for shard in shards[source["source_id"]]:
            if source["format"] not in LINE_FORMATS:
                in_shard = pl.col("byte_start").is_between(shard.byte_start, shard.byte_end, closed="left")
                shard_spans = spans.filter(in_shard)
            else:
                shard_spans = spans
            problems += shard_accounting_problems(raw_dir / source["path"], source, shard,
                                                  encodings[source["source_id"]], shard_spans)
    return problems


def cross_table_problems(tables: Tables, config: ValidateConfig, accounting: list[str],
                         schemas: Mapping[str, pa.Schema], split_lock: Mapping[str, str] | None = None,
                         merge_moved: Collection[str] = (),
                         paragraph_link_min_chars: int | None = 0,
                         paragraph_link_max_documents: int | None = None) -> dict[str, list[str]]:
    """Every cross-table check by name (see CROSS_CHECKS): the offending rows, described one per string.

    `split_lock` (doc_id -> split) and `merge_moved` (doc_ids the split report lists as merge moves) feed
    `locked_split_kept`; without a lock that check has nothing to check. `paragraph_link_min_chars` is the split
    step's rule for paragraph links (see `duplicate_cluster_problems`; the default 0 checks every paragraph cluster).
    """
    source_ids, doc_ids = tables.sources["source_id"], tables.documents["doc_id"]
    return {
        "arrow_schema_matches": arrow_schema_problems(schemas),
        "document_source_registered": missing_references(tables.documents, "source_id", source_ids, "doc_id"),
        "paragraph_document_exists": missing_references(tables.paragraphs, "doc_id", doc_ids, "para_id"),
        "audit_source_registered": missing_references(tables.audit, "source_id", source_ids, "audit_id"),
        "list_languages_allowed": list_values_problems(tables.documents, "languages", "doc_id",
                                                       config.allowed_languages),
        "text_sha256_matches": text_sha256_problems(tables.documents),
        "id_in_one_split": id_split_problems(tables),
        "paragraph_split_matches_document": paragraph_split_problems(tables),
        "duplicate_cluster_in_one_split": duplicate_cluster_problems(tables, paragraph_link_min_chars,
                                                                     paragraph_link_max_documents),
        "translation_group_in_one_split": translation_group_problems(tables),
        "byte_accounting": accounting,
        "locked_split_kept": locked_split_problems(tables.documents, split_lock, merge_moved),
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


def suite_frames(tables_arrow: Mapping[str, pa.Table], cross: pd.DataFrame) -> dict[str, pd.DataFrame]:
    frames = {name: pandas_frame(tables_arrow[name], name) for name in TABLE_NAMES}
    frames[CROSS_TABLE] = cross
    return frames


def run_suites(frames: Mapping[str, pd.DataFrame], config: ValidateConfig, data_docs_dir: Path,
               run_name: str = "infospace-validate") -> tuple[dict[str, Any], list[Failure]]:
    """Validate each frame with its suite through a Checkpoint that updates Data Docs.

    Returns the results as a JSON-able dict keyed by suite name, and the failed expectations.
    """
    context = gx_context(data_docs_dir)
    datasource = context.data_sources.add_pandas("infospace")
    results: dict[str, Any] = {}
    failures: list[Failure] = []
    for name, frame in frames.items():
        expectations = cross_table_expectations() if name == CROSS_TABLE else table_expectations(name, config)
        suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
        batch = datasource.add_dataframe_asset(name).add_batch_definition_whole_dataframe("whole")
        definition = context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))
        key = list(KEYS[name]) if name in KEYS else []
        checkpoint = context.checkpoints.add(gx.Checkpoint(
            name=f"validate_{name}",
            validation_definitions=[definition],
            actions=[gx.checkpoint.UpdateDataDocsAction(name="update_data_docs", site_names=["local"])],
            result_format={"result_format": "SUMMARY",
                           "partial_unexpected_count": config.partial_unexpected_count,
                           "unexpected_index_column_names": key},
        ))
        outcome = checkpoint.run(batch_parameters={"dataframe": frame}, run_id=RunIdentifier(run_name=run_name))
        for validation in outcome.run_results.values():
            results[name] = validation.to_json_dict()
            for result in validation.results:
                if not result.success:
                    failures.append(Failure(name, result.expectation_config.type,
                                            dict(result.expectation_config.kwargs), _failure_details(result)))
    return results, failures


def _failure_details(result: Any) -> dict[str, Any]:
    details = dict(result.result or {})
    info = result.exception_info or {}
    messages = [value.get("exception_message") for value in info.values() if isinstance(value, dict)]
    if info.get("exception_message"):
        messages.append(info["exception_message"])
    if any(messages):
        details["exception_message"] = "; ".join(m for m in messages if m)
    return details
