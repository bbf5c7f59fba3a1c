"""The dataset card: Markdown text rendered from the final tables, the source registry and schema.py.

Every number in the card is computed from the data; field tables come from schema.py's column descriptions. Nothing
reads the clock: the same data and environment always give the same text. Fixed prose that croissant.json's RAI
fields share lives here as constants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version as package_version
from typing import Any

import polars as pl
import pyarrow as pa

from infospace.schema import (
    DEDUP_LEVELS, DEDUP_METHODS, KEYS, REMOVAL_REASONS, SORT_KEYS, SPLITS, TABLES, columns_for,
)
from infospace.gaps import channel_summary
from infospace.tables import PARQUET_SETTINGS

UNKNOWN = "unknown"

SUMMARY_SHORT = (
    "Texts published by state and government outlets of Belarus, Russia and Kazakhstan (news agency pages, an "
    "official website and a Telegram feed of the Russian Ministry of Foreign Affairs), parsed into documents and "
    "paragraphs with byte offsets back to the raw files, tagged for language, deduplicated with translation links, "
    "and split leak-free. Every source carries its provenance and an outlet-level affiliation label; every removed "
    "span is audited with its reason."
)

USES = [
    "Research on state and government communication: framing, agenda, terminology and cross-platform reposting.",
    "Studying how the same statement is published in different languages (translation groups).",
    "Benchmarking text-processing steps (language identification, deduplication, boilerplate removal) on real "
    "state-media pages, with the audit table as a record of what was removed and why.",
    "Teaching source criticism and provenance: every row links back to a registered raw file and byte span.",
]

OUT_OF_SCOPE = [
    "Factual ground truth: the texts are the sources' own claims, not verified facts.",
    "Propaganda-technique detection labels: the affiliation label describes the outlet, not a technique used in "
    "any text.",
    "Training generators of persuasive or political text, or any system meant to imitate these outlets.",
    "Profiling, tracking or scoring named people (officials, journalists, bylined authors).",
]

BIAS_BULLETS = [
    "The corpus is one-sided by design: it holds state and government voices only, with no independent baseline.",
    "Affiliation labels are outlet-level: they describe the publisher (or `unknown`), not each text or author.",
    "It is small and covers a narrow time range; counts do not generalize to the outlets' whole output.",
    "The English posts address foreign audiences and are not a neutral sample of the outlets' communication.",
    "View counts are snapshots taken at retrieval time, not totals.",
    "Contested claims appear in the text unmarked; nothing in the dataset flags or corrects them.",
    "Re-hosting the texts carries an amplification risk: republishing state messaging spreads it further.",
]

# Macro accuracy (en, ru, uk, be, kk) of the langid step on lingua's public test data (benchmarks/data/langid-dev, 500
# samples per language and granularity), as printed by benchmarks/langid_eval.py; tests/test_langid.py recomputes it.
LANGID_DEV_ACCURACY = {"sentences": 0.9972, "word pairs": 0.99, "single words": 0.9352}

LIMITATIONS = [
    "Dates are often imprecise: each carries its precision and basis, and the time zone is never known.",
    "Several publishers are `unknown`: the files do not name the outlet that hosted them.",
    "Language labels are automatic. On lingua's public test data (500 samples per language) the language step is "
    f"right on {LANGID_DEV_ACCURACY['sentences']:.2%} of sentences, {LANGID_DEV_ACCURACY['word pairs']:.2%} of word "
    f"pairs and {LANGID_DEV_ACCURACY['single words']:.2%} of single words"
    " (macro average over en, ru, uk, be and kk); short and mixed-language paragraphs are the hardest, and "
    "a paragraph with too little evidence is `und`.",
    "Near-duplicate and translation detection are automatic and can miss or over-link items.",
]

PERSONAL_INFORMATION = (
    "The texts name public officials (ministers, diplomats, heads of state, aides) and journalists, and some "
    "documents carry a byline (`author`, `author_role`). No private individuals were sought out, but names of "
    "private people may occur in news text. No special-category data was collected deliberately."
)

SOCIAL_IMPACT = (
    "The dataset supports research on state messaging and media systems. Its main risk is amplification: it "
    "republishes state and government messaging, including contested claims, unmarked. Keep the provenance "
    "and affiliation columns with any excerpt, and do not use it to build persuasive-text generators."
)

MAINTENANCE = (
    "Versions follow semver; each packaged version has a CHANGELOG.md entry, and each released version's "
    "fingerprint (sha256 of SHA256SUMS) is recorded in config/releases.yaml. A changed build under a released "
    "version is refused. Takedown requests are handled through the maintainers' contact and lead to a new version."
)

RAI_DATA_COLLECTION = (
    "Raw text copies of web pages and a Telegram feed export were provided as text files; how and by whom they were "
    "collected is unknown. Each file is kept byte for byte and registered in a source "
    "registry with their sha256, publisher, original source, country, outlet-level affiliation and its evidence, "
    "dates with precision and basis, and known reuse terms. Values not shown by the files are recorded as unknown."
)
RAI_RAW_DATA = "Raw text files (web page copies and Telegram feed dumps), kept byte for byte and listed in the sources config."
RAI_MISSING_DATA = (
    "Unknown publishers, URLs, dates and terms are recorded as `unknown` (or null), never guessed. Dates carry a "
    "precision (minute, day, month, year, unknown) and a basis (stated in text, inferred from content, unknown)."
)
RAI_PREPROCESSING = [
    "Decoding with encoding detection and mojibake repair (charset-normalizer, ftfy); Unicode NFC normalization.",
    "Removal of page furniture (navigation, calls to action, related stories, archive widgets, platform "
    "artifacts) and of metadata lines consumed into fields; every removed span is kept in the audit table with "
    "its reason and the rule that matched.",
    "Language identification per paragraph and per document.",
    "Exact and MinHash near-duplicate detection at document and paragraph level, verified by true Jaccard "
    "similarity; translation links between documents in different languages.",
    "Leak-free split assignment per group of duplicates and translations: released documents keep their split "
    "(split lock), new groups are placed by a salted stable hash.",
]
RAI_ANNOTATION = [
    "Affiliation, publisher, country and date fields of each source were recorded by hand from what the files "
    "show, with one sentence of evidence for the affiliation.",
    "Language, duplicate and translation labels are machine-generated.",
]

# The pipeline's steps, the rule that runs each, and the third-party packages its modules import (versions read at
# render time; tests/test_package.py checks the lists against the imports of scripts/infospace/<module>.py).
STEPS = [
    ("Source registry and integrity gate", "register_sources", "Checks data/raw/ against config/sources.yaml "
     "(sha256, paths, types) and writes the sources table.", ["pyyaml", "jsonschema", "polars", "pyarrow"]),
    ("Parse and clean", "parse", "Decodes each raw file (text dumps, saved pages, JSON Lines, Parquet, Telegram "
     "exports), splits it into documents and paragraphs with their provenance, removes page furniture and "
     "boilerplate into the audit table.", ["charset-normalizer", "ftfy", "numpy", "polars", "pyarrow",
                                             "trafilatura"]),
    ("Language identification", "langid", "Tags each paragraph and document with language, score and script "
     "(lingua's models, and fastText's lid.176 model, CC BY-SA 3.0, shipped in resources/).",
     ["lingua-language-detector", "fasttext-predict-v2", "pymorphy3", "pymorphy3-dicts-ru",
      "pymorphy3-dicts-uk", "numpy", "polars"]),
    ("Signatures", "signatures", "Per shard: exact-key hashes, MinHash LSH band keys and translation features, "
     "the only data the corpus-wide steps read.", ["numpy", "polars", "pyyaml", "rensa", "xxhash"]),
    ("Document deduplication", "dedup_documents", "Exact and MinHash near duplicate documents across the corpus, "
     "verified on true Jaccard similarity, deterministic keep rule.", ["numpy", "polars", "rensa", "xxhash"]),
    ("Paragraph deduplication", "dedup_paragraphs", "The same for the paragraphs of kept documents; writes the "
     "duplicates table of both levels.", ["numpy", "polars", "rensa", "xxhash"]),
    ("Translation links", "translation", "Links documents in different languages that share numbers, "
     "transliterated names and concepts of a bilingual glossary (config/translation_glossary.yaml), weighing feed "
     "order and minutes apart; one-to-one groups.", ["polars", "pyyaml"]),
    ("Split assignment", "split", "Assigns each duplicate/translation group to one split: the split of its "
     "released documents (split lock), or a salted hash for new groups.", ["polars"]),
    ("Assembly", "assemble", "Per shard: applies the duplicates, translation groups and splits; writes the final "
     "rows.", ["polars"]),
    ("Provenance check", "provenance", "Per shard: every kept paragraph and audit row maps back to its raw bytes, "
     "and together they cover every record and every non-blank byte.", ["polars", "pyarrow"]),
    ("Validation gate", "validate", "Runs the great-expectations suites; nothing unvalidated is released.",
     ["great-expectations", "pandas", "polars", "pyarrow"]),
    ("Figures", "figures", "Draws the figures of this card and of the Snakemake report from the final tables "
     "while the gate runs; only a passed gate publishes them.", ["matplotlib", "numpy", "polars"]),
    ("Validation figure", "validation_figure", "Draws the gate's results per suite for the Snakemake report.",
     ["matplotlib", "numpy", "polars"]),
    ("Packaging", "package", "Writes Parquet, this card, CITATION.cff, croissant.json and SHA256SUMS while the gate "
     "runs.", ["numpy", "pyarrow", "polars", "pyyaml"]),
    ("Release", "release", "Once the gate has passed, checks the packaged files against SHA256SUMS and puts them in "
     "place as the dataset.", []),
    ("Workflow", "all", "Runs every step above.", ["snakemake"]),
]
# Steps whose packages produce the machine-generated labels (decoding repair, language, duplicates and translations);
# general data libraries are not annotation tools.
ANNOTATING_RULES = ("parse", "langid", "signatures", "dedup_documents", "dedup_paragraphs", "translation")
DATA_LIBRARIES = ("polars", "pyarrow", "numpy", "pandas", "pyyaml", "xxhash")
RAI_MACHINE_TOOLS = list(dict.fromkeys(
    package for _, rule, _, packages in STEPS if rule in ANNOTATING_RULES
    for package in packages if package not in DATA_LIBRARIES
))

# Loaded terms, their neutral definitions, and patterns to find them (English and Russian forms).
GLOSSARY = [
    ("special military operation",
     "The Russian government's official name for its full-scale military invasion of Ukraine begun in February "
     "2022; Russian law restricts calling it a war. Abbreviated СВО in Russian.",
     [r"special military operation", r"специальн\w* военн\w* операц\w*", r"\bСВО\b"]),
    ("Kiev regime",
     "A term used by Russian officials and state media for the government of Ukraine, implying that it is "
     "illegitimate; it is not a neutral name.",
     [r"kiev regime", r"kyiv regime", r"киевск\w* режим\w*"]),
    ("neo-Nazism / neo-Nazis",
     "Used by Russian officials to characterize Ukraine's government and armed forces, a characterization "
     "disputed by historians and international observers; elsewhere it refers to movements reviving Nazi ideology.",
     [r"neo-?nazi\w*", r"неонацис\w*", r"неонацизм\w*"]),
    ("collective West",
     "A term in Russian official discourse for the United States and its allies taken as one hostile bloc.",
     [r"collective west", r"коллективн\w* запад\w*"]),
    ("anti-fake",
     "Label of official campaigns and rubrics that present themselves as exposing false reports; what they call "
     "fake is the sources' own judgement.",
     [r"anti-?fake\w*", r"антифейк\w*"]),
    ("digital sovereignty",
     "A policy term for state control over national internet infrastructure, data and platforms.",
     [r"digital sovereignty", r"цифров\w* суверенитет\w*"]),
    ("information sovereignty",
     "A policy term for state control over the information space, including media and online content.",
     [r"information(al)? sovereignty", r"информационн\w* суверенитет\w*"]),
    ("decommunization",
     "The removal of Communist-era symbols, monuments and names, e.g. under Ukraine's 2015 laws and in the Baltic "
     "states; Russian official sources use the term critically, often in quotation marks.",
     [r"decommuni[sz]ation", r"декоммунизац\w*"]),
]


@dataclass(frozen=True)
class CardFacts:
    """Everything the card says, gathered by the packaging step."""

    dataset: dict[str, Any]
    version: str
    fingerprint: str
    fingerprint_scope: str
    tables: dict[str, pl.DataFrame]
    split_sizes: dict[str, dict[str, int]]
    split_report: dict[str, Any]
    translation_links: dict[str, Any]  # translation_links.json: {"links": [...], "rejected": [...]}
    data_files: list[str]
    citation_cff: str
    glossary: list[tuple[str, str, int]]  # (term, definition, documents containing it), see `glossary_hits`
    figures: list[tuple[str, str, str]] = ()  # (path in the dataset, title, caption) of the figures shown


# --- Small Markdown helpers ------------------------------------------------------------------------------------


def cell(value: Any) -> str:
    """A Markdown table cell: `unknown` for null, no pipes or line breaks."""
    if value is None or value == "":
        return UNKNOWN
    if isinstance(value, list):
        value = ", ".join(map(str, value)) if value else UNKNOWN
    if isinstance(value, float):
        value = f"{value:.3f}"
    return str(value).replace("|", "\\|").replace("\n", " ").strip()


def table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def bullets(items: list[str]) -> str:
    return "".join(f"- {item}\n" for item in items)


def type_name(type_: pa.DataType) -> str:
    if pa.types.is_list(type_):
        return f"list<{type_name(type_.value_type)}>"
    return str(type_)


def tool_version(package: str) -> str:
    try:
        return package_version(package)
    except PackageNotFoundError:
        return "not installed"


# --- Statistics ------------------------------------------------------------------------------------------------


def counts_by(documents: pl.DataFrame, paragraphs: pl.DataFrame, key: str, order: list[str]) -> list[list[Any]]:
    """Documents, paragraphs and characters per value of `key` (a column of both tables), plus a total row."""
    docs = documents.group_by(key).agg(pl.len().alias("docs"), pl.col("n_chars").sum().alias("chars"))
    paras = paragraphs.group_by(key).agg(pl.len().alias("paras"))
    by_doc = {row[key]: row for row in docs.to_dicts()}
    by_para = {row[key]: row["paras"] for row in paras.to_dicts()}
    values = [v for v in order if v in by_doc or v in by_para]
    values += sorted((set(by_doc) | set(by_para)) - set(values), key=str)
    rows = [[v, by_doc.get(v, {}).get("docs", 0), by_para.get(v, 0), by_doc.get(v, {}).get("chars", 0)]
            for v in values]
    rows.append(["**total**", documents.height, paragraphs.height, int(documents["n_chars"].sum() or 0)])
    return rows


def removals_by_reason(audit: pl.DataFrame) -> list[list[Any]]:
    """Removed spans and characters per audit reason, in schema order (zero rows included)."""
    stats = audit.group_by("reason").agg(pl.len().alias("spans"), pl.col("chars").sum())
    found = {row["reason"]: row for row in stats.to_dicts()}
    reasons = list(REMOVAL_REASONS) + sorted(set(found) - set(REMOVAL_REASONS))
    rows = [[f"`{r}`", found.get(r, {}).get("spans", 0), found.get(r, {}).get("chars", 0)] for r in reasons]
    rows.append(["**total**", audit.height, int(audit["chars"].sum() or 0)])
    return rows


def duplicate_rows(duplicates: pl.DataFrame) -> list[list[Any]]:
    """Per level: clusters, members, and non-kept members by method."""
    rows = []
    for level in DEDUP_LEVELS:
        members = duplicates.filter(pl.col("level") == level)
        others = members.filter(pl.col("member_id") != pl.col("kept_id"))
        rows.append([level, members["cluster_id"].n_unique(), members.height]
                    + [others.filter(pl.col("method") == method).height for method in DEDUP_METHODS])
    return rows


def count_translation_links(links: dict[str, Any]) -> int:
    """Number of accepted links in translation_links.json ({"links": [...], "rejected": [...]})."""
    return len(links["links"])


# The split report's per-split counts, in table order.
SPLIT_REPORT_COUNTS = ("documents", "paragraphs", "groups", "hash_groups")


def split_mappings(report: dict[str, Any]) -> list[tuple[str, dict[str, int]]]:
    """The split report's per-split counts: documents, paragraphs, groups and hash groups."""
    return [(key, report[key]) for key in SPLIT_REPORT_COUNTS]


def glossary_pattern(patterns: list[str]) -> str:
    """One case-insensitive regular expression for a term's patterns (the same in Python's re and polars)."""
    return "(?i)" + "|".join(f"(?:{p})" for p in patterns)


def glossary_hits(documents: pl.LazyFrame) -> list[tuple[str, str, int]]:
    """(term, definition, documents containing it) for each glossary term that occurs in the documents' `text`
    (polars' regular expressions, one scan for all terms)."""
    counts = documents.select([pl.col("text").str.contains(glossary_pattern(patterns)).sum().alias(str(i))
                               for i, (_, _, patterns) in enumerate(GLOSSARY)]).collect().row(0)
    return [(term, definition, int(n)) for (term, definition, _), n in zip(GLOSSARY, counts) if n]


# Columns the card reads of each table: never the texts (only their lengths, and the glossary counts above).
CARD_COLUMNS = {
    "documents": ["doc_id", "source_id", "record_id", "language", "split", "n_chars", "dup_cluster_id",
                  "translation_group", "author"],
    "paragraphs": ["source_id", "language", "split", "is_duplicate"],
    "audit": ["source_id", "record_id", "reason", "text"],
}


def card_view(table: pl.LazyFrame, config: str) -> pl.DataFrame:
    """What the card reads of one table (CARD_COLUMNS; the audit's texts as their lengths, `chars`)."""
    if config not in CARD_COLUMNS:
        return table.collect()
    columns = [pl.col("text").str.len_chars().alias("chars") if name == "text" else pl.col(name)
               for name in CARD_COLUMNS[config]]
    return table.select(columns).collect()


# --- Sections --------------------------------------------------------------------------------------------------


def section_header(f: CardFacts) -> str:
    return (f"# {f.dataset['pretty_name']}\n\n"
            f"**Version {f.version}** · fingerprint `sha256:{f.fingerprint}` · released {f.dataset['release_date']} "
            f"· maintained by {f.dataset['maintainers']}\n")


def section_summary(f: CardFacts) -> str:
    docs, paras, sources = f.tables["documents"], f.tables["paragraphs"], f.tables["sources"]
    languages = ", ".join(sorted(set(docs["language"].to_list())))
    return (f"## Summary\n\n{SUMMARY_SHORT}\n\n"
            f"This version holds {docs.height} documents and {paras.height} paragraphs "
            f"({int(docs['n_chars'].sum() or 0)} characters) from {sources.height} registered sources, in languages "
            f"{languages} (document-level labels). It is a research resource about state messaging, not a source "
            f"of facts.\n")


def section_uses() -> str:
    return f"## Uses\n\n{bullets(USES)}\n## Out-of-scope uses\n\n{bullets(OUT_OF_SCOPE)}"


def config_description(config: str) -> str:
    return {
        "documents": "One row per document (a web article or a Telegram post); `text` is its cleaned text.",
        "paragraphs": "One row per kept paragraph, with byte offsets into the raw file.",
        "duplicates": "One row per member of each exact or near-duplicate cluster, document and paragraph level.",
        "audit": "One row per removed span of raw text, with the reason and the rule that matched.",
        "sources": "One row per registered raw source: the provenance registry.",
        "message_gaps": "One row per run of message ids missing from a Telegram export (deleted, or left out).",
    }[config]


def field_table(config: str) -> str:
    rows = [[f"`{c.name}`", f"`{type_name(c.type)}`", "yes" if c.nullable else "no", c.description]
            for c in TABLES[config]]
    return table(["field", "type", "nullable", "description"], rows)


def section_structure(f: CardFacts) -> str:
    parts = ["## Structure\n"]
    rows = [[f"`{config}`" + (" (default)" if config == "documents" else ""),
             ", ".join(f"{s}: {n}" for s, n in f.split_sizes[config].items()),
             ", ".join(f"`{k}`" for k in KEYS[config]), config_description(config)]
            for config in f.split_sizes]
    parts.append(table(["config", "rows per split", "key", "contents"], rows))
    empty = [f"`{c}` {s}" for c, by_split in f.split_sizes.items() for s, n in by_split.items() if n == 0]
    if empty:
        parts.append("\nEmpty in this version, so not declared as loadable splits: " + ", ".join(empty) + ".\n")
    split_configs = [c for c, by_split in f.split_sizes.items() if tuple(by_split) == SPLITS]
    single = [c for c in f.split_sizes if c not in split_configs]
    single_splits = sorted({s for c in single for s in f.split_sizes[c]})
    parts.append(
        "\nData files are `data/<config>/<split>-NNNNN-of-NNNNN.parquet` "
        f"({PARQUET_SETTINGS['compression']} level {PARQUET_SETTINGS['compression_level']}, rows sorted by the sort "
        f"key below). {names(split_configs)} have the splits {words(SPLITS)} (their `split` column); "
        f"{names(single)} have one split, {names(single_splits)} (`all` is reserved by `datasets`).\n\n"
        "```python\nfrom datasets import load_dataset\n\n"
        "documents = load_dataset(\"path/to/dataset\", \"documents\")  # or paragraphs, duplicates, audit, sources\n"
        "```\n")
    for config in f.split_sizes:
        order = ", ".join(f"`{k}`" for k in SORT_KEYS[config])
        parts.append(f"\n### Fields of `{config}`\n\nRows are sorted by {order}.\n\n{field_table(config)}")
    parts.append(section_splits(f))
    parts.append(section_filter_duplicates())
    return "".join(parts)


def words(items: list[str] | tuple[str, ...]) -> str:
    """a, b and c."""
    items = list(items)
    return " and ".join(filter(None, [", ".join(items[:-1]), items[-1]])) if items else "none"


def names(items: list[str]) -> str:
    """`a`, `b` and `c`."""
    return words([f"`{item}`" for item in items])


def section_splits(f: CardFacts) -> str:
    report = f.split_report
    lock, rule = report["lock"], report["small_corpus_rule"]
    ratios = report["ratios"]
    text = ("\n### How the splits were made\n\n"
            "Splits are assigned per group, not per document: a group is the union of a document's duplicate "
            "cluster and its translation group"
            + (" (and of documents sharing a duplicated paragraph of at least "
               f"{report['link_min_chars']} characters; shorter repeated lines such as hashtag footers or greetings "
               "are boilerplate and link nothing)" if report["link_paragraph_duplicates"] else "")
            + ", so no duplicate, near duplicate or translation of a document sits in another split. "
            "The split lock (config/split_lock.tsv) records the split of every document of the last released "
            "version: a group with a locked member takes the split of its locked members, so a released document "
            "keeps its split and a new document that joins a released group (a new duplicate or translation of it) "
            "follows that group. A group without a locked member (a new group) gets its split from a stable hash of "
            f"the group key and the salt `{report['salt']}`, mapped onto the ratios "
            + ", ".join(f"{s} {ratios[s]:g}" for s in SPLITS)
            + ". The only way a released document changes split is a new link that merges groups released in "
            "different splits: the merged group takes the split of its locked member with the smallest `doc_id`, "
            "and the moved documents are listed below (see scripts/infospace/split.py). Paragraphs inherit their "
            "document's split.\n\n"
            f"The group key is the {report['group_key']}; its position in [0, 1) is `{report['hash']}`.\n\n")
    if lock["entries"]:
        text += (f"In this version, {lock['locked_documents']} locked documents in {lock['locked_groups']} groups "
                 f"kept their released split, and {lock['new_documents']} new documents in {lock['new_groups']} new "
                 "groups were placed by the hash")
    else:
        text += ("The split lock is empty (no released version yet), so all "
                 f"{lock['new_documents']} documents in {lock['new_groups']} groups were placed by the hash")
    text += (f"; {len(lock['merge_moves'])} released document(s) moved because groups merged"
             + (f", and {lock['stale_entries']} lock entries name documents no longer in the corpus"
                if lock["stale_entries"] else "") + ".\n\n")
    if lock["merge_moves"]:
        text += table(["moved document", "from", "to", "group decided by"],
                      [[f"`{m['doc_id']}`", m["from"], m["to"], f"`{m['decided_by']}`"] for m in lock["merge_moves"]])
        text += "\n"
    moves = rule["moves"]
    text += (f"Small-corpus rule `{rule['name']}` (fills a split that hashing left empty by moving at most one new "
             f"group into it; locked groups never move): {'applied' if rule['applied'] else 'not applied'}, "
             f"{len(moves)} group(s) moved"
             + (f", empty split(s) left unfilled: {', '.join(rule['unfilled'])}" if rule["unfilled"] else "")
             + ".\n\n")
    if moves:
        text += table(["moved group (key)", "from", "to"], [[f"`{m['group_key']}`", m["from"], m["to"]] for m in moves])
        text += "\n"
    text += ("Counts per split from the split report (`groups` are split groups; `hash_groups` are the groups each "
             "split would hold by hash alone, before the lock and the small-corpus rule):\n\n")
    text += table(["count"] + list(SPLITS),
                  [[name] + [counts[s] for s in SPLITS] for name, counts in split_mappings(report)])
    return text


def section_filter_duplicates() -> str:
    return (
        "\n### How to filter duplicates\n\n"
        "Documents kept by deduplication are unique by normalized text; duplicates that were removed are listed in "
        "`audit` (reason `duplicate`, with `duplicate_of`). Near duplicates that remain share a `dup_cluster_id`, "
        "and translations of each other share a `translation_group` (both are kept). A paragraph that repeats a "
        "paragraph of another document stays in its document's text and is flagged `is_duplicate`:\n\n"
        "```python\n"
        "paragraphs = load_dataset(\"path/to/dataset\", \"paragraphs\", split=\"train\")\n"
        "unique_paragraphs = paragraphs.filter(lambda row: not row[\"is_duplicate\"])\n\n"
        "import polars as pl\n"
        "documents = load_dataset(\"path/to/dataset\", \"documents\", split=\"train\").to_polars()\n"
        "# keep the kept member of each duplicate cluster (cluster ids are `document/<kept doc_id>`)\n"
        "one_per_cluster = documents.filter(\n"
        "    pl.col(\"dup_cluster_id\").is_null() | (pl.col(\"dup_cluster_id\") == \"document/\" + pl.col(\"doc_id\"))\n"
        ")\n"
        "# one document per translation group, e.g. the English version\n"
        "english = documents.filter(pl.col(\"translation_group\").is_null() | (pl.col(\"language\") == \"en\"))\n"
        "```\n\n"
        "The `duplicates` config lists every cluster member with the kept id, the method (exact or near) and the "
        "true Jaccard similarity.\n")


def section_statistics(f: CardFacts) -> str:
    docs, paras = f.tables["documents"], f.tables["paragraphs"]
    dup_paras = int(paras["is_duplicate"].sum() or 0)
    groups = docs.filter(pl.col("translation_group").is_not_null())
    n_links = count_translation_links(f.translation_links)
    return (
        "## Statistics\n\nAll counts are computed from the packaged tables. Characters are those of the documents' "
        "cleaned `text`.\n\n### Per source\n\n"
        + table(["source", "documents", "paragraphs", "characters"],
                counts_by(docs, paras, "source_id", sorted(f.tables["sources"]["source_id"].to_list())))
        + "\n### Per language\n\nDocuments and characters by document language; paragraphs by paragraph language.\n\n"
        + table(["language", "documents", "paragraphs", "characters"], counts_by(docs, paras, "language", []))
        + "\n### Per split\n\n"
        + table(["split", "documents", "paragraphs", "characters"], counts_by(docs, paras, "split", list(SPLITS)))
        + "\n### Duplicates\n\n"
        + table(["level", "clusters", "members"] + [f"non-kept {method}" for method in DEDUP_METHODS],
                duplicate_rows(f.tables["duplicates"]))
        + f"\n{dup_paras} of {paras.height} paragraphs are flagged `is_duplicate`; "
        f"{docs.filter(pl.col('dup_cluster_id').is_not_null()).height} documents belong to a duplicate cluster.\n\n"
        "### Translation pairs\n\n"
        f"{groups['translation_group'].n_unique()} translation groups hold {groups.height} documents, with "
        f"{n_links} translation links.\n"
    )


PROVENANCE_LABELS = {"path": "raw file", "n_bytes": "size in bytes", "encoding": "declared encoding"}


def section_figures(f: CardFacts) -> str:
    if not f.figures:
        return ""
    parts = ["## Figures\n\nDrawn from this version's tables by the `figures` step; the PNG files are in the dataset's "
             "`figures/` folder, and all figures are in the Snakemake report (`snakemake --report "
             "results/report.html`).\n"]
    for path, title, caption in f.figures:
        parts.append(f"**{title}.** {caption}\n\n![{title}]({path})\n")
    return "\n".join(parts)


def section_provenance(f: CardFacts) -> str:
    parts = ["## Source provenance\n\nOne table per registered source, from config/sources.yaml. `unknown` is "
             "stated where the files do not show a value; nothing is guessed.\n"]
    # Schema order (file identity, then provenance); the source_id is the heading.
    fields = [(PROVENANCE_LABELS.get(c.name, c.name.replace("_", " ")), c.name)
              for c in columns_for("sources") if c.name != "source_id"]
    for source in f.tables["sources"].sort("source_id").to_dicts():
        parts.append(f"\n### `{source['source_id']}`\n\n"
                     + table(["field", "value"], [[label, source[name]] for label, name in fields]))
    return "".join(parts)


def section_processing(f: CardFacts) -> str:
    rows = [[step, f"`{rule}`", what,
             ", ".join(f"{p} {tool_version(p)}" for p in packages) or "Python standard library"]
            for step, rule, what, packages in STEPS]
    return ("## Collection and processing\n\n" + RAI_DATA_COLLECTION + "\n\n"
            + table(["step", "rule", "what it does", "tools and versions"], rows)
            + "\nAll versions are pinned in requirements.lock and envs/*.yaml.\n\n"
            "### Removed text per reason\n\nEvery span of raw text that is not in a kept paragraph is in the `audit` "
            "config with its reason and rule.\n\n"
            + table(["reason", "spans", "characters"], removals_by_reason(f.tables["audit"])))


def section_bias() -> str:
    return ("## Bias, risks and limitations\n\n" + bullets(BIAS_BULLETS) + "\nFurther limitations:\n\n"
            + bullets(LIMITATIONS))


def section_personal(f: CardFacts) -> str:
    bylined = f.tables["documents"].filter(pl.col("author").is_not_null()).height
    return (f"## Personal information\n\n{PERSONAL_INFORMATION} {bylined} documents carry a byline. Named officials "
            "and journalists appear because they are the subject or author of public statements; do not use the "
            "dataset to profile them.\n")


def section_licensing(f: CardFacts) -> str:
    rows = [[f"`{s['source_id']}`", s["publisher"], s["original_source"], s["terms"]]
            for s in f.tables["sources"].sort("source_id").to_dicts()]
    return ("## Licensing and terms per source\n\n"
            f"The card's license is `other` ({f.dataset['license_name']}, see {f.dataset['license_link']}): each "
            "text keeps the terms of its source. Where the terms are `unknown`, reuse beyond research quotation may "
            "need the rights holder's permission.\n\n"
            + table(["source", "publisher", "original source", "terms"], rows)
            + "\n### Takedown requests\n\n"
            f"Rights holders and people named in the texts can ask for removal: {f.dataset['contact']}, naming the "
            "`source_id` or `doc_id` concerned. The maintainers acknowledge the request, remove the source from "
            "config/sources.yaml and data/raw/, and publish a new version with a CHANGELOG.md entry; released "
            "versions that contained the text are marked as withdrawn in the changelog.\n")


def citation_key(dataset: dict[str, Any], version: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", f"{dataset['name']}_{version}").strip("_")


def bibtex(dataset: dict[str, Any], version: str, fingerprint: str | None) -> str:
    note = f"Version {version}" + (f", fingerprint sha256:{fingerprint}" if fingerprint else "")
    return (f"@misc{{{citation_key(dataset, version)},\n"
            f"  title = {{{{{dataset['pretty_name']}}}}},\n"
            f"  author = {{{{{dataset['maintainers']}}}}},\n"
            f"  year = {{{dataset['release_date'][:4]}}},\n"
            f"  version = {{{version}}},\n"
            f"  howpublished = {{Dataset}},\n"
            f"  note = {{{note}}}\n}}")


def section_citation(f: CardFacts) -> str:
    return ("## Citation\n\nCite the exact version and its fingerprint.\n\n```bibtex\n"
            + bibtex(f.dataset, f.version, f.fingerprint) + "\n```\n\nCITATION.cff (also in this folder):\n\n"
            "```yaml\n" + f.citation_cff + "```\n")


def section_versioning(f: CardFacts) -> str:
    return (
        "## Versioning and maintenance\n\n"
        f"This is version **{f.version}**, fingerprint `sha256:{f.fingerprint}`.\n\n"
        f"{f.fingerprint_scope} To check a copy, run `sha256sum -c SHA256SUMS` in the dataset folder, then "
        "`sha256sum SHA256SUMS`, and compare with the fingerprint above. Two builds of the same version from the "
        "same raw files and lock file are byte-identical.\n\n"
        f"{MAINTENANCE}\n\nTo release: bump `version` in config/config.yaml, add a CHANGELOG.md entry, set "
        "`dataset.release_date`, build, then record `<version>: <fingerprint>` under `releases:` in "
        "config/releases.yaml. CHANGELOG.md in this folder lists the changes of every version.\n")


def section_glossary(f: CardFacts) -> str:
    hits = f.glossary
    intro = ("## Glossary of loaded terms\n\nThese terms occur in the texts. They are the sources' own terms; "
             "the dataset quotes them and does not endorse them. Definitions are neutral and short.\n\n")
    if not hits:
        return intro + "None of the glossary's terms occur in this version.\n"
    return intro + table(["term", "meaning", "documents containing it"], [[t, d, n] for t, d, n in hits])


MAX_GAP_RANGES = 20  # ranges listed per channel in the card (the message_gaps config has them all)


def section_telegram(f: CardFacts) -> str:
    """Telegram exports: how their dates are read, and the message ids missing from each (empty without one)."""
    exports = f.tables["sources"].filter(pl.col("format") == "telegram_json")["source_id"].to_list()
    if not exports:
        return ""
    messages = pl.concat([f.tables[name].select("source_id", "record_id") for name in ("documents", "audit")])
    messages = messages.filter(pl.col("source_id").is_in(exports))
    gaps = f.tables["message_gaps"]
    rows = []
    for row in channel_summary(messages, gaps).to_dicts():
        mine = gaps.filter(pl.col("source_id") == row["source_id"]).sort("first_missing")
        ranges = [str(a) if a == b else f"{a}–{b}" for a, b in mine.select("first_missing", "last_missing").rows()]
        shown = ", ".join(ranges[:MAX_GAP_RANGES]) + (f", … ({len(ranges) - MAX_GAP_RANGES} more)"
                                                      if len(ranges) > MAX_GAP_RANGES else "")
        channel = mine["channel"][0] if mine.height else None
        rows.append([f"`{row['source_id']}`", channel, row["first_id"], row["last_id"], row["exported"],
                     row["missing"], shown or "none"])
    return ("## Telegram exports\n\n"
            "Documents of format `telegram_json` are messages of a Telegram Desktop export. `published` is the UTC "
            "time of the message's `date_unixtime`; the export's `date` field is the local time of the computer that "
            "made the export and is not used. `edited_at` is UTC too. Service messages (channel created, pinned "
            "message, ...) and messages without text (media only, polls, stickers) are audit rows "
            "(`telegram:service`, `telegram:media_only`, `telegram:poll`, `telegram:empty`), not documents; a "
            "message's media type is kept as `media_type`, never as text.\n\n"
            "Message ids missing between the first and last exported message of each channel: deleted, or left out "
            "of the export (the `message_gaps` config lists every range).\n\n"
            + table(["source", "channel", "first id", "last id", "messages exported", "ids missing", "missing ids"],
                    rows))


def render_card(f: CardFacts) -> str:
    """The card's Markdown body (without front matter)."""
    sections = [
        section_header(f), section_summary(f), section_uses(), section_structure(f), section_statistics(f),
        section_figures(f),
        section_provenance(f), section_telegram(f), section_processing(f), section_bias(), section_personal(f),
        section_licensing(f), section_citation(f), section_versioning(f), section_glossary(f),
    ]
    sections = [section for section in sections if section]
    return "\n" + "\n".join(sections)

