"""Package the final tables as a versioned dataset folder that can be pushed to the Hugging Face Hub as it is.

The folder is built in results/package/dataset/ while the gate runs; `release` (infospace/release.py) copies it
to results/dataset/ once the gate has passed. Layout of the folder:

    README.md                                  the card (YAML front matter + text; scripts/infospace/card.py)
    CITATION.cff                               CFF 1.2.0, type dataset, with version and fingerprint
    croissant.json                             Croissant 1.0 + RAI metadata, a sha256 for every data file
    LICENSE-DATA.md                            the data terms `license_link` points to, copied from the repository root
    SHA256SUMS                                 sha256 of the fingerprinted files (see FINGERPRINT_SCOPE)
    CHANGELOG.md                               copied from the repository root
    figures/<name>.png                         the card's figures (scripts/infospace/figures.py)
    data/<config>/<split>-00000-of-00001.parquet

Versioning: the fingerprint is the sha256 of SHA256SUMS. SHA256SUMS lists the data files, croissant.json and
LICENSE-DATA.md only: README.md and CITATION.cff print the fingerprint, so they cannot be covered by it, and
CHANGELOG.md is edited by hand at release time. config/releases.yaml maps each released version to its fingerprint; rebuilding a released version
with a different fingerprint is refused (`check_release`).

The folder is built in a hidden sibling directory and renamed into place, so a failed build never leaves a
half-written folder and never touches an earlier one.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Iterable, Iterator
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from infospace import card
from infospace.figures import FIGURES
from infospace.release import SUMS_NAME, replace_dir
from infospace.schema import SPLITS, TABLES, UNDETERMINED_LANGUAGE, schema_for
from infospace.sources import sha256_file
from infospace.tables import PARQUET_SETTINGS, to_arrow

DEFAULT_CONFIG = "documents"
# Tables with a `split` column ship as train/validation/test; the others as one split (ALL_SPLIT).
SPLIT_CONFIGS = tuple(name for name, columns in TABLES.items() if any(c.name == "split" for c in columns))
# Every table is a config: the default first, then the other split configs, then the rest (schema.TABLES order).
CONFIGS = tuple(sorted(TABLES, key=lambda name: (name != DEFAULT_CONFIG, name not in SPLIT_CONFIGS)))
# The one split of tables without a `split` column. Not "all": datasets reserves that name for the union of splits.
ALL_SPLIT = "full"

CROISSANT_NAME = "croissant.json"
# Files listed in SHA256SUMS, and so covered by the fingerprint: every data file, croissant.json and LICENSE-DATA.md.
FINGERPRINTED_PREFIXES = ("data/",)
DATA_TERMS_NAME = "LICENSE-DATA.md"
FINGERPRINTED_FILES = (CROISSANT_NAME, DATA_TERMS_NAME)
FINGERPRINT_SCOPE = (
    "SHA256SUMS lists every Parquet file under data/, croissant.json and LICENSE-DATA.md, sorted by path; the "
    "fingerprint is the "
    "sha256 of SHA256SUMS. README.md and CITATION.cff print the fingerprint and CHANGELOG.md is edited at release "
    "time, so these three are not listed; SHA256SUMS does not list itself, nor the figures/ drawn from the data."
)
FIGURES_DIR = "figures"


class ReleaseError(Exception):
    """This build cannot be packaged under its version (already released with other contents, or no changelog)."""


# --- Splits and data files -------------------------------------------------------------------------------------


def config_splits(config: str) -> tuple[str, ...]:
    """Split names of a config: train/validation/test for documents and paragraphs, `full` otherwise."""
    return SPLITS if config in SPLIT_CONFIGS else (ALL_SPLIT,)


# A table to package: an in-memory frame (tests, small corpora) or its files in order (the per-shard files of the
# sharded tables: sources by id, shards in order, each sorted, so their concatenation is in the table's sort order).
TableSource = pl.DataFrame | list[Path]


def scan(source: TableSource) -> pl.LazyFrame:
    return source.lazy() if isinstance(source, pl.DataFrame) else pl.scan_parquet([str(p) for p in source])


def split_filter(config: str, split: str) -> pl.Expr:
    return pl.col("split") == split if config in SPLIT_CONFIGS else pl.lit(True)


def check_splits(source: TableSource, config: str) -> None:
    if config in SPLIT_CONFIGS:
        found = scan(source).select(pl.col("split").unique()).collect()["split"].to_list()
        unknown = sorted(set(found) - set(SPLITS), key=str)
        if unknown:
            raise ValueError(f"table {config!r} has rows in unknown splits {unknown}; expected {list(SPLITS)}")


def split_batches(source: TableSource, config: str, split: str) -> Iterator[pa.Table]:
    """The rows of one split, in the table's sort order, as Arrow tables of the final schema: one per input file
    (in-memory frames are sorted and cast first)."""
    if isinstance(source, pl.DataFrame):
        yield to_arrow(source.filter(split_filter(config, split)), config)
        return
    for path in source:
        yield to_arrow(pl.read_parquet(path).filter(split_filter(config, split)), config)


@dataclass(frozen=True)
class DataLayout:
    """How data files are cut (config `package:`): rows per file at most, and rows per row group."""

    max_rows_per_file: int = 250_000  # a few hundred MB of documents at most
    row_group_rows: int = 10_000  # a few MB: streaming readers hold little at a time

    @classmethod
    def from_config(cls, section: dict[str, Any] | None) -> DataLayout:
        return cls(**{key: int(value) for key, value in (section or {}).items()})


def shard_count(n_rows: int, max_rows: int) -> int:
    return max(1, math.ceil(n_rows / max_rows))


def data_file(config: str, split: str, shard: int = 0, n_shards: int = 1) -> str:
    """Path of a data file inside the dataset folder (Hub convention: numbered from the shard count)."""
    return f"data/{config}/{split}-{shard:05d}-of-{n_shards:05d}.parquet"


def data_file_glob(config: str, split: str) -> str:
    return f"data/{config}/{split}-*.parquet"


def write_split(batches: Iterable[pa.Table], n_rows: int, root: Path, config: str, split: str,
                layout: DataLayout = DataLayout()) -> list[str]:
    """Stream one split's rows into numbered files of at most `layout.max_rows_per_file` rows; return their paths.

    Files are cut every ceil(n_rows / n_files) rows and row groups every `layout.row_group_rows` rows of a file, counting
    rows only, so the bytes depend on the rows and never on how the input was sharded. An empty split gets no file:
    datasets cannot load a split without rows, so empty splits (and configs with no rows at all) are left out of the
    card's metadata and croissant.json, and the card says so.
    """
    if n_rows == 0:
        return []
    n_files = shard_count(n_rows, layout.max_rows_per_file)
    per_file = math.ceil(n_rows / n_files)
    paths = [data_file(config, split, shard, n_files) for shard in range(n_files)]
    (root / paths[0]).parent.mkdir(parents=True, exist_ok=True)
    schema = schema_for(config)
    settings = {k: v for k, v in PARQUET_SETTINGS.items() if k != "row_group_size"}
    pending: list[pa.Table] = []
    pending_rows = written = 0
    writer: pq.ParquetWriter | None = None

    def flush(rows: int) -> None:
        nonlocal pending, pending_rows, written, writer
        group = pa.concat_tables(pending).slice(0, rows).combine_chunks()
        rest = pa.concat_tables(pending).slice(rows)
        if writer is None:
            writer = pq.ParquetWriter(root / paths[written // per_file], schema, **settings)
        writer.write_table(group, row_group_size=rows)
        written += rows
        pending, pending_rows = ([rest] if rest.num_rows else []), rest.num_rows
        if written % per_file == 0 or written == n_rows:
            writer.close()
            writer = None

    for batch in batches:
        pending.append(batch)
        pending_rows += batch.num_rows
        while pending_rows and (pending_rows >= _next_cut(written, per_file, layout.row_group_rows)
                                or written + pending_rows == n_rows):
            flush(min(pending_rows, _next_cut(written, per_file, layout.row_group_rows)))
    if written != n_rows or writer is not None:
        raise ValueError(f"{config}/{split}: wrote {written} of {n_rows} rows")
    return paths


def _next_cut(written: int, per_file: int, group_rows: int) -> int:
    """Rows until the next row-group boundary: every `group_rows` rows within a file, and at its end."""
    in_file = written % per_file
    return min(group_rows - in_file % group_rows, per_file - in_file)


def arrow_bytes(path: Path) -> int:
    """The in-memory (Arrow) size of a written data file, read back: the card's `num_bytes` of its split. Read with
    ParquetFile, not `pq.read_table`, whose dataset layer loads pandas into the job; the same table."""
    with pq.ParquetFile(path) as parquet:
        return parquet.read().nbytes


# --- Features in the card's YAML (datasets 5.x format) ---------------------------------------------------------


def feature_yaml(type_: pa.DataType) -> dict[str, Any]:
    """datasets' YAML form of one Arrow type: {"dtype": "string"} or {"list": "string"} (as Features._to_yaml_list)."""
    if pa.types.is_list(type_):
        inner = feature_yaml(type_.value_type)
        return {"list": inner["dtype"] if set(inner) == {"dtype"} else inner.get("struct", [inner])}
    if pa.types.is_struct(type_):
        return {"struct": [{"name": field.name, **feature_yaml(field.type)} for field in type_]}
    if pa.types.is_timestamp(type_):
        return {"dtype": f"timestamp[{type_.unit}" + (f", tz={type_.tz}" if type_.tz else "") + "]"}
    names = {pa.string(): "string", pa.bool_(): "bool", pa.int32(): "int32", pa.int64(): "int64",
             pa.float64(): "float64"}
    if type_ not in names:
        raise TypeError(f"no datasets feature for Arrow type {type_}")
    return {"dtype": names[type_]}


def features_yaml(config: str) -> list[dict[str, Any]]:
    """The `features` list of one config, in schema order, from schema.py."""
    return [{"name": field.name, **feature_yaml(field.type)} for field in schema_for(config)]


def size_category(n: int) -> str:
    """Hub size category of a row count."""
    bounds = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
              (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M")]
    return next((label for bound, label in bounds if n < bound), "n>100M")


@dataclass(frozen=True)
class SplitSize:
    num_examples: int
    num_bytes: int  # in-memory Arrow size, as datasets reports it
    download_size: int  # bytes of the split's Parquet files


def card_metadata(dataset: dict[str, Any], sizes: dict[str, dict[str, SplitSize]], languages: list[str],
                  n_documents: int) -> dict[str, Any]:
    """The card's YAML front matter: Hub metadata, `configs` with data_files, `dataset_info` with features."""
    configs = []
    infos = []
    for config in CONFIGS:
        names = [s for s in config_splits(config) if sizes[config][s].num_examples > 0]
        if not names:
            continue
        entry: dict[str, Any] = {"config_name": config}
        if config == DEFAULT_CONFIG:
            entry["default"] = True
        entry["data_files"] = [{"split": s, "path": data_file_glob(config, s)} for s in names]
        configs.append(entry)
        splits = [sizes[config][s] for s in names]
        infos.append({
            "config_name": config,
            "features": features_yaml(config),
            "splits": [{"name": s, "num_bytes": size.num_bytes, "num_examples": size.num_examples}
                       for s, size in zip(names, splits)],
            "download_size": sum(size.download_size for size in splits),
            "dataset_size": sum(size.num_bytes for size in splits),
        })
    return {
        "pretty_name": dataset["pretty_name"],
        "language": languages,
        "multilinguality": "multilingual" if len(languages) > 1 else "monolingual",
        "language_creators": ["found"],
        "annotations_creators": ["machine-generated", "expert-generated"],
        "source_datasets": ["original"],
        "size_categories": [size_category(n_documents)],
        "task_categories": ["text-classification"],
        "tags": ["state-media", "government-communication", "telegram", "news", "provenance", "media-studies"],
        "license": "other",
        "license_name": dataset["license_name"],
        "license_link": dataset["license_link"],
        "configs": configs,
        "dataset_info": infos,
    }


class _PlainDumper(yaml.SafeDumper):
    """Safe YAML without anchors and aliases (repeated lists are written out in full)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def yaml_text(document: dict[str, Any]) -> str:
    return yaml.dump(document, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True, width=120)


def front_matter(metadata: dict[str, Any]) -> str:
    return "---\n" + yaml_text(metadata) + "---\n"


# --- Checksums, fingerprint and releases -----------------------------------------------------------------------


def is_fingerprinted(rel: str) -> bool:
    return rel.startswith(FINGERPRINTED_PREFIXES) or rel in FINGERPRINTED_FILES


def sha256sums(digests: dict[str, str]) -> str:
    """`sha256sum` format ("<hex>  <path>"), sorted by path."""
    return "".join(f"{digests[rel]}  {rel}\n" for rel in sorted(digests))


def fingerprint_of(sums: str) -> str:
    return hashlib.sha256(sums.encode("utf-8")).hexdigest()


def check_release(version: str, fingerprint: str, releases: dict[str, str]) -> None:
    """Refuse to rebuild a released version with different contents."""
    released = releases.get(version)
    if released is not None and released != fingerprint:
        raise ReleaseError(
            f"Version {version} was released with fingerprint {released}, but this build's fingerprint is "
            f"{fingerprint}: the packaged data changed under a released version. Bump `version` in "
            f"config/config.yaml and add a CHANGELOG.md entry for the new version (then record it in "
            f"config/releases.yaml when it is released)."
        )


def check_changelog(version: str, changelog: str) -> None:
    """Every packaged version has a CHANGELOG.md entry (a heading naming it)."""
    if not re.search(rf"^##\s*\[?{re.escape(version)}\]?(\s|$)", changelog, flags=re.MULTILINE):
        raise ReleaseError(f"CHANGELOG.md has no entry for version {version}: add a heading `## [{version}]`.")


def load_releases(text: str) -> dict[str, str]:
    """config/releases.yaml as {version: fingerprint}; fingerprints must be quoted 64-digit hex strings."""
    document = yaml.safe_load(text) or {}
    releases = document.get("releases") or {}
    for version, fingerprint in releases.items():
        if not (isinstance(fingerprint, str) and re.fullmatch(r"[0-9a-f]{64}", fingerprint)):
            raise ReleaseError(f"config/releases.yaml: the fingerprint of version {version} must be a quoted string "
                               f"of 64 hex digits, got {fingerprint!r}.")
    return {str(version): fingerprint for version, fingerprint in releases.items()}


# --- CITATION.cff ----------------------------------------------------------------------------------------------

# Keywords of CITATION.cff and croissant.json.
KEYWORDS = ["state media", "government communication", "Telegram", "Belarus", "Russia", "Kazakhstan"]


def citation(dataset: dict[str, Any], version: str, fingerprint: str) -> dict[str, Any]:
    """CFF 1.2.0 metadata of this version (release date from config, never the clock)."""
    authors = [{"name": dataset["maintainers"]}]
    identifiers = [{"type": "other", "value": f"sha256:{fingerprint}",
                    "description": "Fingerprint of this version: the sha256 of its SHA256SUMS file."}]
    reference = {
        "type": "data",
        "title": dataset["pretty_name"],
        "authors": authors,
        "version": version,
        "date-released": dataset["release_date"],
        "year": int(dataset["release_date"][:4]),
        "identifiers": identifiers,
        "notes": f"Version {version}, fingerprint sha256:{fingerprint}. {FINGERPRINT_SCOPE}",
    }
    return {
        "cff-version": "1.2.0",
        "message": "If you use this dataset, please cite it using the metadata from 'preferred-citation'.",
        "type": "dataset",
        "title": dataset["pretty_name"],
        "abstract": card.SUMMARY_SHORT,
        "authors": authors,
        "version": version,
        "date-released": dataset["release_date"],
        "identifiers": identifiers,
        "keywords": KEYWORDS,
        "preferred-citation": reference,
    }


def citation_text(cff: dict[str, Any]) -> str:
    return yaml_text(cff)


# --- croissant.json --------------------------------------------------------------------------------------------

CROISSANT_CONTEXT = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
PARQUET_MIME = "application/x-parquet"


def croissant_type(type_: pa.DataType) -> str:
    if pa.types.is_list(type_):
        return croissant_type(type_.value_type)
    if pa.types.is_string(type_):
        return "sc:Text"
    if pa.types.is_integer(type_):
        return "sc:Integer"
    if pa.types.is_floating(type_):
        return "sc:Float"
    if pa.types.is_boolean(type_):
        return "sc:Boolean"
    if pa.types.is_timestamp(type_):
        return "sc:DateTime"
    raise TypeError(f"no Croissant dataType for Arrow type {type_}")


def croissant_record_set(config: str) -> dict[str, Any]:
    """A RecordSet for one config: one field per column, read from the config's FileSet."""
    fields = []
    for column in TABLES[config]:
        item = column.type.value_type if pa.types.is_list(column.type) else column.type
        field: dict[str, Any] = {
            "@type": "cr:Field",
            "@id": f"{config}/{column.name}",
            "name": column.name,
            "description": column.description,
            "source": {"fileSet": {"@id": f"parquet-{config}"}, "extract": {"column": column.name}},
        }
        if pa.types.is_list(column.type):
            field["repeated"] = True
        if not pa.types.is_struct(item):
            field["dataType"] = croissant_type(column.type)
        else:  # e.g. reactions: a sub-field per struct field
            field["subField"] = [{
                "@type": "cr:Field", "@id": f"{config}/{column.name}/{sub.name}", "name": sub.name,
                "dataType": croissant_type(sub.type),
                "source": {"fileSet": {"@id": f"parquet-{config}"},
                           "extract": {"column": column.name}, "transform": {"jsonPath": sub.name}},
            } for sub in item]
        fields.append(field)
    return {"@type": "cr:RecordSet", "@id": config, "name": config,
            "description": f"Rows of the `{config}` table ({', '.join(config_splits(config))}).", "field": fields}


def croissant(dataset: dict[str, Any], version: str, digests: dict[str, str], languages: list[str]) -> dict[str, Any]:
    """Croissant 1.0 metadata with the RAI fields; `digests` maps each data file to its sha256, `languages` are the
    determined document languages (as in the card's metadata)."""
    files = [{"@type": "cr:FileObject", "@id": rel, "name": rel, "contentUrl": rel, "encodingFormat": PARQUET_MIME,
              "sha256": digests[rel]} for rel in sorted(digests)]
    configs = [c for c in CONFIGS if any(rel.startswith(f"data/{c}/") for rel in digests)]  # configs with rows
    file_sets = [{"@type": "cr:FileSet", "@id": f"parquet-{config}", "name": f"parquet-{config}",
                  "description": f"Parquet files of the `{config}` config.", "encodingFormat": PARQUET_MIME,
                  "includes": f"data/{config}/*.parquet"} for config in configs]
    return {
        "@context": CROISSANT_CONTEXT,
        "@type": "sc:Dataset",
        "name": dataset["name"],
        "alternateName": dataset["pretty_name"],
        "description": card.SUMMARY_SHORT,
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "version": version,
        "datePublished": dataset["release_date"],
        "license": dataset["license_link"],
        "creator": {"@type": "sc:Organization", "name": dataset["maintainers"]},
        "inLanguage": languages,
        "keywords": KEYWORDS,
        "citeAs": card.bibtex(dataset, version, fingerprint=None),
        "isLiveDataset": False,
        "rai:dataCollection": card.RAI_DATA_COLLECTION,
        "rai:dataCollectionType": ["Manual Human Curation", "Web Scraping"],
        "rai:dataCollectionRawData": card.RAI_RAW_DATA,
        "rai:dataCollectionMissingData": card.RAI_MISSING_DATA,
        "rai:dataPreprocessingProtocol": card.RAI_PREPROCESSING,
        "rai:dataAnnotationProtocol": card.RAI_ANNOTATION,
        "rai:machineAnnotationTools": card.RAI_MACHINE_TOOLS,
        "rai:dataBiases": card.BIAS_BULLETS,
        "rai:dataLimitations": card.LIMITATIONS,
        "rai:personalSensitiveInformation": [card.PERSONAL_INFORMATION],
        "rai:dataUseCases": card.USES + [f"Out of scope: {use}" for use in card.OUT_OF_SCOPE],
        "rai:dataSocialImpact": card.SOCIAL_IMPACT,
        "rai:dataReleaseMaintenancePlan": card.MAINTENANCE,
        "distribution": files + file_sets,
        "recordSet": [croissant_record_set(config) for config in configs],
    }


def croissant_text(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# --- Building the folder ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackageInputs:
    tables: dict[str, TableSource]  # config -> final table (stage `split`): a frame, or its files in order
    split_report: dict[str, Any]
    translation_links: dict[str, Any]  # translation_links.json: {"links": [...], "rejected": [...]}
    releases: dict[str, str]
    changelog: str
    data_terms: str  # LICENSE-DATA.md, the file `license_link` points to
    dataset: dict[str, Any]  # config.yaml `dataset:` section
    version: str
    layout: DataLayout = DataLayout()  # config.yaml `package:` section
    figures: dict[str, Path] = field(default_factory=dict)  # figure name -> PNG of the figures step


def build_dataset(inputs: PackageInputs, target: Path) -> str:
    """Build the dataset folder in a hidden sibling of `target`, check the release, then swap it in.

    Returns the fingerprint. On any error the sibling is removed and `target` is left as it was.
    """
    check_changelog(inputs.version, inputs.changelog)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent))
    try:
        staging.chmod(0o755)  # mkdtemp creates it private
        fingerprint = write_dataset(inputs, staging)
        check_release(inputs.version, fingerprint, inputs.releases)
        replace_dir(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return fingerprint


def write_dataset(inputs: PackageInputs, root: Path) -> str:
    """Write every file of the dataset into `root` (an empty folder); return the fingerprint.

    Tables are streamed file by file into the data files; the card reads only the columns it counts, and the
    documents' texts once, file by file, for the glossary counts.
    """
    sizes: dict[str, dict[str, SplitSize]] = {}
    digests: dict[str, str] = {}
    for config in CONFIGS:
        source = inputs.tables[config]
        check_splits(source, config)
        sizes[config] = {}
        for split in config_splits(config):
            n_rows = int(scan(source).filter(split_filter(config, split)).select(pl.len()).collect().item())
            files = write_split(split_batches(source, config, split), n_rows, root, config, split, inputs.layout)
            digests |= {rel: sha256_file(root / rel) for rel in files}
            in_memory = sum(arrow_bytes(root / rel) for rel in files)
            sizes[config][split] = SplitSize(n_rows, in_memory, sum((root / rel).stat().st_size for rel in files))

    views = {config: card.card_view(scan(inputs.tables[config]), config) for config in CONFIGS}
    languages = sorted(set(views["documents"]["language"].to_list()) - {UNDETERMINED_LANGUAGE})
    (root / CROISSANT_NAME).write_text(
        croissant_text(croissant(inputs.dataset, inputs.version, digests, languages)), encoding="utf-8")
    (root / DATA_TERMS_NAME).write_text(inputs.data_terms, encoding="utf-8")
    sums = sha256sums(digests | {name: sha256_file(root / name) for name in FINGERPRINTED_FILES})
    (root / SUMS_NAME).write_text(sums, encoding="utf-8")
    fingerprint = fingerprint_of(sums)

    metadata = card_metadata(inputs.dataset, sizes, languages, views["documents"].height)
    facts = card.CardFacts(
        dataset=inputs.dataset,
        version=inputs.version,
        fingerprint=fingerprint,
        fingerprint_scope=FINGERPRINT_SCOPE,
        tables=views,
        split_sizes={c: {s: size.num_examples for s, size in by_split.items()} for c, by_split in sizes.items()},
        split_report=inputs.split_report,
        translation_links=inputs.translation_links,
        data_files=sorted(digests),
        citation_cff=citation_text(citation(inputs.dataset, inputs.version, fingerprint)),
        glossary=card.glossary_hits(scan(inputs.tables["documents"])),
        figures=copy_figures(inputs.figures, root),
    )
    (root / "README.md").write_text(front_matter(metadata) + card.render_card(facts), encoding="utf-8")
    (root / "CITATION.cff").write_text(facts.citation_cff, encoding="utf-8")
    (root / "CHANGELOG.md").write_text(inputs.changelog, encoding="utf-8")
    return fingerprint


def copy_figures(figures: dict[str, Path], root: Path) -> list[tuple[str, str, str]]:
    """Copy the card's figures (FIGURES with in_card) into figures/; (path in the dataset, title, caption)."""
    shown = []
    for spec in FIGURES:
        if spec.in_card and spec.name in figures:
            rel = f"{FIGURES_DIR}/{spec.name}.png"
            (root / FIGURES_DIR).mkdir(exist_ok=True)
            shutil.copyfile(figures[spec.name], root / rel)
            shown.append((rel, spec.title, spec.caption))
    return shown
