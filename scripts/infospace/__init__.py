"""Infospace corpus: step modules of the Snakemake workflow (one module per step, pure functions)."""
