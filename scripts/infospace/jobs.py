"""What a job used, as the kernel counted it; every step's run script ends its log with this line (the benchmarks
read it: benchmarks/scale.py). And how a job manages memory: Python's garbage collector, polars' allocator and the
C heap."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import resource
import sys

# polars allocates through its own jemalloc, configured by this variable when the library loads.
POLARS_ALLOCATOR_ENV = "_RJEM_MALLOC_CONF"
FREE_AT_ONCE = "dirty_decay_ms:0,muzzy_decay_ms:0"


def without_cycle_collection() -> None:
    """Switch off Python's cyclic garbage collector for the rest of this job (reference counting still frees every
    object that is not in a cycle).

    Our steps build millions of small objects (records, spans, rows) that live until the step writes its table; the
    collector would walk all of them again each time enough new ones are made, and finds almost nothing to free.
    Measured on one 50,000-post shard: parse 7.6 s with it, 4.9 s without; the corpus-wide steps 10-20 % less CPU,
    with the same peak memory. Not for `validate`: great-expectations makes reference cycles, and its peak memory
    grew from 0.9 to 1.5 GB without the collector. Nor for `dedup_paragraphs`, where it saved no time (62 CPU s either
    way at a million posts). A job is one process, so whatever cycles it leaves are freed when it exits.
    """
    gc.disable()


def return_freed_memory_at_once() -> None:
    """Make polars' allocator give memory back to the system as soon as it is freed. Call it before polars is
    imported (jemalloc reads its settings once, when it starts); it raises if polars is already loaded.

    polars sets jemalloc to keep freed pages for half a second to a second, counted by later allocations (it adds
    any settings already in the variable after its own, and the last one wins). A corpus-wide step that builds a
    large polars table and then works in numpy made no more allocations there, so it kept those pages for the rest
    of the job, more or fewer depending on timing: `dedup_paragraphs` at a million posts peaked anywhere from 1.6 to
    2.2 GB on the same inputs. With this it keeps only what it holds.
    """
    if "polars" in sys.modules:
        raise RuntimeError("return_freed_memory_at_once() must run before polars is imported")
    os.environ[POLARS_ALLOCATOR_ENV] = FREE_AT_ONCE  # also over the value inherited from Snakemake's own polars


def _c_library() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name) if name else None


_LIBC = _c_library()


def return_free_heap() -> None:
    """Give the C heap's free pages back to the system now (glibc's `malloc_trim`; nothing where there is none).

    numpy takes arrays of a few MB from the heap once glibc has raised its threshold for giving an allocation its
    own mapping, and a heap returns free pages only from its top. So after `dedup_paragraphs` drops the shingle
    sets of its candidates (570 MB at a million posts) they stayed counted, and the tables built next came on top:
    the job's peak went from 1.2 to 1.8 GB.
    """
    trim = getattr(_LIBC, "malloc_trim", None)
    if trim is not None:
        trim(0)


def resources_line() -> str:
    """'job resources: peak RSS <MB> MB, CPU <s> s' of this process (threads included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return f"job resources: peak RSS {usage.ru_maxrss / 1024:.0f} MB, CPU {usage.ru_utime + usage.ru_stime:.1f} s"


def append_resources(log_path: str) -> None:
    """Append `resources_line()` to a job's log."""
    with open(log_path, "a", encoding="utf-8") as handle:
        handle.write(resources_line() + "\n")
