"""How a job process manages its memory (infospace.jobs): each helper is checked against the same process without it,
so that the test fails if the helper stops working."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from infospace.jobs import return_freed_memory_at_once

SCRIPTS = REPO / "scripts"

RSS = """
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024
"""

# A polars table of 800 MB built and dropped, then numpy work only (as dedup_paragraphs does after its ranking).
POLARS_FREED = """
import sys
sys.path.insert(0, {scripts!r})
from infospace.jobs import return_freed_memory_at_once
if sys.argv[1] == "on":
    return_freed_memory_at_once()
import numpy as np
import polars as pl
{rss}
before = rss()
values = pl.int_range(0, 50_000_000, eager=True).cast(pl.Int64)
ordered = (values * 3).sort(descending=True)
del values, ordered
work = np.ones(1_000_000)
print(rss() - before)
"""

# numpy arrays of 8 MB from the C heap (a freed 24 MB array raised glibc's mmap threshold), with small arrays that
# stay between them, as the shingle sets of dedup_paragraphs sit between its other arrays.
HEAP_FREED = """
import sys
sys.path.insert(0, {scripts!r})
import numpy as np
from infospace.jobs import return_free_heap
{rss}
first = np.ones(3_000_000)
del first
before = rss()
arrays, stay = [], []
for _ in range(60):
    arrays.append(np.ones(1_000_000))
    stay.append(np.ones(10_000))
del arrays
if sys.argv[1] == "on":
    return_free_heap()
print(rss() - before)
"""


def _held_mb(program: str, switch: str) -> int:
    code = program.format(scripts=str(SCRIPTS), rss=RSS)
    result = subprocess.run([sys.executable, "-c", code, switch], capture_output=True, text=True, check=True)
    return int(result.stdout.strip())


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the resident size from /proc")
def test_polars_memory_is_given_back_when_freed():
    assert _held_mb(POLARS_FREED, "off") > 400  # polars' default keeps the freed pages
    assert _held_mb(POLARS_FREED, "on") < 100


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the resident size from /proc")
def test_free_heap_pages_are_given_back():
    assert _held_mb(HEAP_FREED, "off") > 300
    assert _held_mb(HEAP_FREED, "on") < 100


def test_freeing_at_once_refuses_to_run_after_polars_is_loaded():
    import polars  # noqa: F401 - loaded here (if not already) to trigger the check

    with pytest.raises(RuntimeError, match="before polars is imported"):
        return_freed_memory_at_once()


@pytest.mark.parametrize("step", ["dedup_documents", "dedup_paragraphs", "translation", "split"])
def test_corpus_steps_set_the_allocator_before_loading_polars(step: str):
    tree = ast.parse((SCRIPTS / f"run_{step}.py").read_text(encoding="utf-8"))
    call = polars = None
    for number, node in enumerate(tree.body):
        if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
                and getattr(node.value.func, "id", None) == "return_freed_memory_at_once"):
            call = number
        if isinstance(node, ast.Import) and any(alias.name == "polars" for alias in node.names):
            polars = number
    assert call is not None and polars is not None and call < polars
