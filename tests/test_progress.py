"""Progress bars: drawn on a terminal (records done, rate, ETA), silent in CI and when stderr is not a terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import termios
import subprocess
import sys

from conftest import REPO

SNIPPET = """
import time
from infospace.progress import progress
assert list(progress(range(3), "check")) == [0, 1, 2]
for _ in progress(list(range(40)), "langid", "paragraphs"):
    time.sleep(0.05)
"""


def run_snippet(on_terminal: bool, **env: str) -> str:
    """stderr of SNIPPET, with stderr a pseudo-terminal or a pipe."""
    environment = {k: v for k, v in os.environ.items() if k not in ("CI", "INFOSPACE_PROGRESS")}
    environment.update(PYTHONPATH=str(REPO / "scripts"), **env)
    if not on_terminal:
        done = subprocess.run([sys.executable, "-c", SNIPPET], env=environment, capture_output=True, text=True,
                              check=True)
        return done.stderr
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal's size: 24 x 100
    process = subprocess.Popen([sys.executable, "-c", SNIPPET], env=environment, stderr=follower,
                               stdout=subprocess.DEVNULL)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait() == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_bar_on_a_terminal_shows_done_rate_and_eta() -> None:
    shown = run_snippet(on_terminal=True)
    assert "langid" in shown and "/40" in shown, shown
    assert "paragraphs/s" in shown, shown  # the rate
    assert "<" in shown, shown  # elapsed<remaining: the ETA


def test_quiet_in_ci_and_off_a_terminal() -> None:
    assert run_snippet(on_terminal=True, CI="true") == ""
    assert run_snippet(on_terminal=True, INFOSPACE_PROGRESS="0") == ""
    assert run_snippet(on_terminal=False) == ""
