"""Lets `python -m infospace ...` run from the repository root: the package lives in scripts/infospace/."""

import runpy
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "scripts"))
sys.modules.pop("infospace", None)  # this file, if it was imported under the package's name
runpy.run_module("infospace", run_name="__main__", alter_sys=True)
