"""Lets `python -m infospace ...` run from the repository root: the package lives in scripts/infospace/."""

import runpy
import sys
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent / "scripts" / "infospace"

if __name__ == "__main__":
    sys.path.insert(0, str(_PACKAGE.parent))
    sys.modules.pop("infospace", None)
    runpy.run_module("infospace", run_name="__main__", alter_sys=True)
else:
    # Imported as `infospace` because the repository root comes first on sys.path (python -c, python -m pytest):
    # stand in for the package, so `import infospace.parse` still finds scripts/infospace/parse.py.
    __path__ = [str(_PACKAGE)]
