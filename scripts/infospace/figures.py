"""Figures of one dataset version: static PNG plots for the Snakemake report and the dataset card.

Each figure is a pure function of small summary frames (counts, histograms), which `summaries` computes from lazy
scans of the final tables, reading no text but the lengths. Plots must read for five files and for a million posts:
bars show the top `TOP_N` categories and one "other" bar, counts spanning more than two orders of magnitude get a
log axis, and lengths are binned on a log scale. PNGs are drawn with matplotlib's Agg backend and no timestamp, so
the same data always gives the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

if TYPE_CHECKING:  # matplotlib is imported when drawing only: the Snakefile reads FIGURES at every start
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

TOP_N = 20
LENGTH_BINS = 30
SCORE_BINS = 20
COLOURS = ("#3366aa", "#cc6633", "#669944", "#aa4466", "#8866bb", "#999933", "#44aaaa", "#777777")


@dataclass(frozen=True)
class FigureSpec:
    name: str  # file name without .png; report/figures/<name>.rst holds the report's caption
    title: str
    category: str  # report category
    in_card: bool  # also shown in the dataset card, with `caption`
    caption: str = ""


FIGURES = (
    FigureSpec("documents_by_source", "Documents and characters per source", "Corpus", True,
               f"Largest first; beyond {TOP_N} sources the rest are summed in one bar."),
    FigureSpec("documents_by_language", "Documents and characters per language", "Corpus", True,
               "Document language: the language of most letters, `und` when the evidence is too thin."),
    FigureSpec("documents_by_split", "Documents and characters per split", "Corpus", True,
               "Duplicates and translations share a split, so small corpora can stray from the configured ratios."),
    FigureSpec("lengths", "Document and paragraph lengths", "Corpus", True,
               "Characters per document and per paragraph, in log-spaced bins."),
    FigureSpec("removed_characters", "Removed characters per audit reason and per source", "Cleaning", True,
               "From the `audit` table, which keeps every removed span with its reason and byte offsets."),
    FigureSpec("duplicate_clusters", "Duplicate cluster sizes", "Deduplication", True,
               "Members per cluster of exact and near copies, the kept member included."),
    FigureSpec("translation_links", "Documents with a translation link, per source", "Deduplication", False),
    FigureSpec("language_scores", "Language-ID scores of paragraphs", "Language ID", True,
               "Confidence of the paragraph language labels, per language."),
    FigureSpec("message_gaps", "Message-id gaps per Telegram channel", "Sources", False),
    FigureSpec("validation", "Great-expectations results per suite", "Validation", False),
)
# Drawn by its own step once the gate has run; the others are drawn from the final tables while it runs.
VALIDATION_FIGURE = next(spec for spec in FIGURES if spec.name == "validation")
TABLE_FIGURES = tuple(spec for spec in FIGURES if spec != VALIDATION_FIGURE)


# --- Summaries (small frames) ------------------------------------------------------------------------------------

def counts_by(documents: pl.LazyFrame, key: str) -> pl.DataFrame:
    """key, documents, characters; largest first (ties by key)."""
    return (documents.group_by(key).agg(pl.len().alias("documents"), pl.col("n_chars").sum().alias("characters"))
            .sort(["documents", key], descending=[True, False]).collect())


def top_n(frame: pl.DataFrame, key: str, values: list[str], n: int = TOP_N) -> pl.DataFrame:
    """The first `n` rows and one row `other (k)` summing the rest."""
    if frame.height <= n:
        return frame
    rest = frame.slice(n)
    other = pl.DataFrame({key: [f"other ({rest.height})"], **{v: [rest[v].sum()] for v in values}},
                         schema={key: pl.String, **{v: frame.schema[v] for v in values}})
    return pl.concat([frame.head(n).select(key, *values), other])


def log_bins(values: pl.Series, n_bins: int = LENGTH_BINS) -> list[float]:
    """Edges from 1 to just above the largest value, evenly spaced on a log scale."""
    top = max(float(values.max() or 1), 1.0)
    return [10 ** (k * math.log10(top + 1) / n_bins) for k in range(n_bins + 1)]


def histogram(values: pl.Series, edges: list[float]) -> list[int]:
    """Counts of values in [edges[i], edges[i + 1]) (the last bin closed)."""
    return [int(c) for c in np.histogram(values.cast(pl.Float64).to_numpy(), bins=edges)[0]]


@dataclass(frozen=True)
class Summaries:
    by_source: pl.DataFrame
    by_language: pl.DataFrame
    by_split: pl.DataFrame
    document_lengths: pl.Series
    paragraph_lengths: pl.Series
    removed_by_reason: pl.DataFrame  # reason, spans, characters
    removed_by_source: pl.DataFrame  # source_id, spans, characters
    cluster_sizes: pl.DataFrame  # level, size, clusters
    translated_by_source: pl.DataFrame  # source_id, documents
    scores: pl.DataFrame  # language, language_score (paragraphs)
    gaps: pl.DataFrame  # source_id, gaps, missing


def summaries(documents: pl.LazyFrame, paragraphs: pl.LazyFrame, audit: pl.LazyFrame, duplicates: pl.LazyFrame,
              gaps: pl.LazyFrame) -> Summaries:
    """Everything the table figures show, from lazy scans of the final tables."""
    removed = audit.select("source_id", "reason", pl.col("text").str.len_chars().alias("characters"))

    def removed_by(key: str) -> pl.DataFrame:
        return (removed.group_by(key).agg(pl.len().alias("spans"), pl.col("characters").sum())
                .sort(["characters", key], descending=[True, False]).collect())

    return Summaries(
        by_source=counts_by(documents, "source_id"),
        by_language=counts_by(documents, "language"),
        by_split=counts_by(documents, "split"),
        document_lengths=documents.select("n_chars").collect()["n_chars"],
        paragraph_lengths=paragraphs.select(pl.col("text").str.len_chars().alias("n")).collect()["n"],
        removed_by_reason=removed_by("reason"),
        removed_by_source=removed_by("source_id"),
        cluster_sizes=(duplicates.group_by("level", "cluster_id").len().group_by("level", pl.col("len").alias("size"))
                       .agg(pl.len().alias("clusters")).sort("level", "size").collect()),
        translated_by_source=(documents.filter(pl.col("translation_group").is_not_null()).group_by("source_id")
                              .agg(pl.len().alias("documents"))
                              .sort(["documents", "source_id"], descending=[True, False]).collect()),
        scores=paragraphs.select("language", "language_score").collect(),
        gaps=(gaps.group_by("source_id").agg(pl.len().alias("gaps"), pl.col("n_missing").sum().alias("missing"))
              .sort(["missing", "source_id"], descending=[True, False]).collect()),
    )


def validation_counts(results: dict[str, Any]) -> pl.DataFrame:
    """suite, expectations run, failed (summed over the suite's batches) from results.json of the validate step."""
    rows = []
    for suite, batches in sorted(results.get("suites", {}).items()):
        outcomes = [r.get("success") for batch in batches.values() for r in batch.get("results", [])]
        rows.append({"suite": suite, "run": len(outcomes), "failed": sum(1 for ok in outcomes if not ok)})
    return pl.DataFrame(rows, schema={"suite": pl.String, "run": pl.Int64, "failed": pl.Int64})


# --- Drawing ------------------------------------------------------------------------------------------------------

def _figure(n_panels: int, title: str, height: float = 3.6) -> tuple[Figure, list[Axes]]:
    from matplotlib.figure import Figure  # the object API with the Agg canvas: no display, no global state

    figure = Figure(figsize=(5.2 * n_panels, height), dpi=100, layout="constrained")
    axes = figure.subplots(1, n_panels, squeeze=False)[0].tolist()
    figure.suptitle(title, fontsize=12)
    return figure, axes


def _empty(axes: Axes, message: str) -> None:
    axes.text(0.5, 0.5, message, ha="center", va="center", transform=axes.transAxes, fontsize=10, color="#555555")
    axes.set_xticks([])
    axes.set_yticks([])


def _wide(values: list[float]) -> bool:
    """Counts spanning more than two orders of magnitude get a log axis."""
    positive = [v for v in values if v > 0]
    return bool(positive) and max(positive) / min(positive) > 100


def _bars(axes: Axes, labels: list[str], values: list[float], label: str, colour: str) -> None:
    """Horizontal bars, largest on top, with the value at each bar's end."""
    if not labels:
        _empty(axes, "none in this version")
        return
    positions = list(range(len(labels)))[::-1]
    axes.barh(positions, values, color=colour)
    axes.set_yticks(positions, [_short(x) for x in labels], fontsize=8)
    axes.set_xlabel(label)
    if _wide(values):
        axes.set_xscale("log")
    for y, v in zip(positions, values):
        axes.text(v, y, f" {int(v):,}", va="center", fontsize=7)
    axes.margins(x=0.25)


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _short(label: str, width: int = 46) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def plot_counts(frame: pl.DataFrame, key: str, title: str) -> Figure:
    shown = top_n(frame, key, ["documents", "characters"])
    figure, (left, right) = _figure(2, title, height=max(2.6, 0.8 + 0.28 * shown.height))
    labels = shown[key].to_list()
    _bars(left, labels, shown["documents"].to_list(), "documents", COLOURS[0])
    _bars(right, labels, shown["characters"].to_list(), "characters", COLOURS[1])
    return figure


def _histogram_panel(axes: Axes, values: pl.Series, what: str, colour: str) -> None:
    if values.len() == 0:
        _empty(axes, "none in this version")
        return
    edges = log_bins(values)
    counts = histogram(values, edges)
    axes.stairs(counts, edges, fill=True, color=colour)
    axes.set_xscale("log")
    if _wide([float(c) for c in counts]):
        axes.set_yscale("log")
    axes.set_xlabel(f"{what} length (characters, log scale)")
    axes.set_ylabel(f"{what}s")
    axes.text(0.98, 0.95, f"n = {values.len():,}\nmedian = {values.median():,.0f}", transform=axes.transAxes,
              ha="right", va="top", fontsize=8)


def plot_lengths(s: Summaries) -> Figure:
    figure, (left, right) = _figure(2, "Document and paragraph lengths")
    _histogram_panel(left, s.document_lengths, "document", COLOURS[0])
    _histogram_panel(right, s.paragraph_lengths, "paragraph", COLOURS[2])
    return figure


def plot_removed(s: Summaries) -> Figure:
    by_reason = top_n(s.removed_by_reason, "reason", ["spans", "characters"])
    by_source = top_n(s.removed_by_source, "source_id", ["spans", "characters"])
    rows = max(by_reason.height, by_source.height)
    figure, (left, right) = _figure(2, "Removed characters (audit table)", height=max(2.6, 0.8 + 0.28 * rows))
    _bars(left, by_reason["reason"].to_list(), by_reason["characters"].to_list(), "characters, per reason",
          COLOURS[3])
    _bars(right, by_source["source_id"].to_list(), by_source["characters"].to_list(), "characters, per source",
          COLOURS[4])
    return figure


def plot_clusters(s: Summaries) -> Figure:
    from matplotlib.ticker import MaxNLocator

    figure, axes = _figure(2, "Duplicate cluster sizes (members, the kept copy included)")
    for panel, level, colour in zip(axes, ("document", "paragraph"), COLOURS[:2]):
        sizes = s.cluster_sizes.filter(pl.col("level") == level)
        if sizes.height == 0:
            _empty(panel, f"no {level} duplicates in this version")
            continue
        panel.bar(sizes["size"].to_list(), sizes["clusters"].to_list(), color=colour, width=0.8)
        panel.set_xlabel(f"{level} cluster size")
        panel.set_ylabel("clusters")
        if sizes["size"].max() > 30:
            panel.set_xscale("log")
        else:  # a few small sizes: whole-number ticks, one bar width of room on each side
            panel.xaxis.set_major_locator(MaxNLocator(integer=True))
            panel.set_xlim(sizes["size"].min() - 1, sizes["size"].max() + 1)
        if _wide([float(c) for c in sizes["clusters"].to_list()]):
            panel.set_yscale("log")
        else:
            panel.yaxis.set_major_locator(MaxNLocator(integer=True))
        panel.text(0.98, 0.95, _plural(int(sizes["clusters"].sum()), "cluster"), transform=panel.transAxes,
                   ha="right", va="top", fontsize=8)
    return figure


def plot_translations(s: Summaries) -> Figure:
    shown = top_n(s.translated_by_source, "source_id", ["documents"])
    figure, (axes,) = _figure(1, "Documents with a translation link, per source",
                              height=max(2.6, 0.8 + 0.28 * shown.height))
    _bars(axes, shown["source_id"].to_list(), shown["documents"].to_list(), "documents", COLOURS[5])
    return figure


def plot_scores(s: Summaries) -> Figure:
    figure, (axes,) = _figure(1, "Language-ID scores of paragraphs", height=3.8)
    if s.scores.height == 0:
        _empty(axes, "none in this version")
        return figure
    edges = [k / SCORE_BINS for k in range(SCORE_BINS + 1)]
    languages = (s.scores.group_by("language").len().sort(["len", "language"], descending=[True, False])
                 ["language"].to_list())
    shown = languages[: len(COLOURS) - 1]
    groups = [(lang, s.scores.filter(pl.col("language") == lang)["language_score"]) for lang in shown]
    if len(languages) > len(shown):
        groups.append((f"other ({len(languages) - len(shown)})",
                       s.scores.filter(~pl.col("language").is_in(shown))["language_score"]))
    counts_all = []
    for (label, values), colour in zip(groups, COLOURS):
        counts = histogram(values, edges)
        counts_all += counts
        axes.stairs(counts, edges, label=f"{label} (n = {values.len():,})", color=colour, linewidth=1.6)
    if _wide([float(c) for c in counts_all]):
        axes.set_yscale("log")
    axes.set_xlabel("language score")
    axes.set_ylabel("paragraphs")
    axes.legend(fontsize=8, loc="upper left")
    return figure


def plot_gaps(s: Summaries) -> Figure:
    shown = top_n(s.gaps, "source_id", ["gaps", "missing"])
    figure, (left, right) = _figure(2, "Message-id gaps per Telegram channel",
                                    height=max(2.6, 0.8 + 0.28 * shown.height))
    if shown.height == 0:
        _empty(left, "no Telegram exports with gaps in this version")
        _empty(right, "")
        return figure
    labels = shown["source_id"].to_list()
    _bars(left, labels, shown["gaps"].to_list(), "gaps", COLOURS[6])
    _bars(right, labels, shown["missing"].to_list(), "missing message ids", COLOURS[7])
    return figure


def plot_validation(frame: pl.DataFrame) -> Figure:
    """`validation_counts` of results.json as bars: expectations run and failed per suite."""
    figure, (axes,) = _figure(1, "Great-expectations results per suite", height=max(2.6, 0.8 + 0.35 * frame.height))
    if frame.height == 0:
        _empty(axes, "no validation results")
        return figure
    positions = list(range(frame.height))[::-1]
    axes.barh([p + 0.2 for p in positions], frame["run"].to_list(), height=0.4, color=COLOURS[2],
              label="expectations run")
    axes.barh([p - 0.2 for p in positions], frame["failed"].to_list(), height=0.4, color=COLOURS[3],
              label="failed")
    axes.set_yticks(positions, frame["suite"].to_list(), fontsize=8)
    for y, run, failed in zip(positions, frame["run"].to_list(), frame["failed"].to_list()):
        axes.text(run, y + 0.2, f" {run:,}", va="center", fontsize=7)
        axes.text(failed, y - 0.2, f" {failed:,}", va="center", fontsize=7)
    axes.set_xlabel("expectations (summed over batches)")
    axes.legend(fontsize=8, loc="lower right")
    axes.margins(x=0.15)
    return figure


DRAW: dict[str, Callable[[Summaries], Figure]] = {
    "documents_by_source": lambda s: plot_counts(s.by_source, "source_id", "Documents and characters per source"),
    "documents_by_language": lambda s: plot_counts(s.by_language, "language", "Documents and characters per language"),
    "documents_by_split": lambda s: plot_counts(s.by_split, "split", "Documents and characters per split"),
    "lengths": plot_lengths,
    "removed_characters": plot_removed,
    "duplicate_clusters": plot_clusters,
    "translation_links": plot_translations,
    "language_scores": plot_scores,
    "message_gaps": plot_gaps,
}


def save_png(figure: Figure, path: Path) -> None:
    """PNG without the Software tag or any time: the same figure gives the same bytes."""
    figure.savefig(path, format="png", metadata={"Software": None})


def draw_all(s: Summaries, folder: Path) -> list[Path]:
    """Every figure of TABLE_FIGURES as <folder>/<name>.png."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for spec in TABLE_FIGURES:
        path = folder / f"{spec.name}.png"
        save_png(DRAW[spec.name](s), path)
        paths.append(path)
    return paths


def draw_validation(results: dict[str, Any], path: Path) -> Path:
    """The validation figure of results.json of the validate step, as `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    save_png(plot_validation(validation_counts(results)), path)
    return path
