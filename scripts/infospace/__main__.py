"""`python -m infospace register ...` (run from the repository root; see infospace/register.py)."""

from infospace.register import command_line

raise SystemExit(command_line())
