"""The environment is pinned once: the lock, the conda env of the rules and the README's commands agree."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import yaml

from conftest import REPO, SNAKEMAKE

sys.path.insert(0, str(REPO / "scripts"))
from sync_envs import locked_pins, render_env  # noqa: E402

LOCK = (REPO / "requirements.lock").read_text(encoding="utf-8")


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_lock_pins_every_direct_dependency_exactly():
    pins = {normalized(pin.split("==")[0]): pin.split("==")[1] for pin in locked_pins(LOCK)}
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    direct = project["dependencies"] + project["optional-dependencies"]["test"]
    for requirement in direct:
        name = normalized(re.split(r"[<>=!~\[ ]", requirement, maxsplit=1)[0])
        assert name in pins, f"{name} is not pinned in requirements.lock"
    assert all("--hash=sha256:" in block for block in LOCK.split("==")[1:]), "every pin carries a hash"


def test_conda_env_has_the_same_pins_as_the_lock():
    env_text = (REPO / "envs" / "pipeline.yaml").read_text(encoding="utf-8")
    env = yaml.safe_load(env_text)
    pip_section = next(item["pip"] for item in env["dependencies"] if isinstance(item, dict))
    assert pip_section == locked_pins(LOCK)
    assert env_text == render_env(locked_pins(LOCK)), "run: python scripts/sync_envs.py"


def test_every_rule_has_a_conda_env_log_and_docstring():
    rules_text = "\n".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "rules").glob("*.smk")))
    blocks = re.split(r"\nrule ", "\n" + rules_text)[1:]
    assert len(blocks) >= 8
    for block in blocks:
        name = block.split(":")[0]
        assert '"""' in block.split("\n")[1], f"rule {name} has no docstring"
        for directive in ("conda:", "log:", "output:", "input:"):
            assert directive in block, f"rule {name} lacks {directive}"


def test_installed_environment_satisfies_every_requirement():
    """The README installs the lock with --no-deps; `pip check` proves the lock is complete and consistent."""
    result = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_installs_the_lock_exactly():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    installs = re.findall(r"pip install [^&]*requirements\.lock", readme)
    assert installs and all("--require-hashes --no-deps" in install for install in installs), installs


def test_snakemake_lint_is_clean():
    result = subprocess.run([SNAKEMAKE, "--lint"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Congratulations, your workflow is in a good condition!" in result.stdout + result.stderr
    assert "Lints for" not in result.stdout + result.stderr


def test_readme_quick_start_has_two_one_line_commands():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)\n```", quick_start, flags=re.S)
    assert len(commands) == 2 and all("\n" not in command for command in commands)
    assert commands[0].endswith("snakemake --cores 4")
    assert "pytest" in commands[1]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "test-command" in ci


def undocumented_keys(schema: dict, path: str = "") -> list[str]:
    """Every property of a JSON schema (recursively, $defs included) that has no description."""
    missing = []
    for name, spec in (schema.get("properties") or {}).items():
        where = f"{path}.{name}" if path else name
        if not spec.get("description"):
            missing.append(where)
        missing += undocumented_keys(spec, where)
    for name, spec in (schema.get("$defs") or {}).items():
        missing += undocumented_keys(spec, f"$defs.{name}")
    items = schema.get("items")
    if isinstance(items, dict):
        missing += undocumented_keys(items, f"{path}[]")
    return missing


def test_config_schemas_document_every_key():
    for name in ("schema.yaml", "sources.schema.yaml"):
        schema = yaml.safe_load((REPO / "config" / name).read_text(encoding="utf-8"))
        assert undocumented_keys(schema) == [], name
