"""Snakemake script of the opt-in rule `publish`: push results/dataset/ to the Hugging Face Hub, tagged with the version.

Reads the token from the HF_TOKEN environment variable and never prints it. Refuses to publish a version that is not
recorded in config/releases.yaml with this build's fingerprint, so what is published is what a reviewer rebuilds.
Without a token, or without network, it fails with a clear message and a non-zero exit.
"""

import json
import os
import sys
from pathlib import Path
from typing import Any

from infospace.package import SUMS_NAME, ReleaseError, fingerprint_of, load_releases


class PublishError(Exception):
    """Publishing cannot proceed; the message says why (never containing the token)."""


def fingerprint_of_folder(dataset: Path) -> str:
    """The fingerprint of a built dataset folder: the sha256 of its SHA256SUMS (read byte for byte)."""
    return fingerprint_of((dataset / SUMS_NAME).read_bytes().decode("utf-8"))


def check_recorded(version: str, fingerprint: str, releases: dict[str, str]) -> None:
    recorded = releases.get(version)
    if recorded is None:
        raise PublishError(f"version {version} is not recorded in config/releases.yaml; record "
                           f"\"{version}\": \"{fingerprint}\" there (and commit it) before publishing.")
    if recorded != fingerprint:
        raise PublishError(f"config/releases.yaml records version {version} with fingerprint {recorded}, but "
                           f"results/dataset has {fingerprint}; rebuild, or bump the version.")


def publish(api: Any, dataset: Path, repo_id: str, version: str, fingerprint: str) -> dict[str, str]:
    """Create the dataset repository if needed, upload the folder, tag the commit; return a receipt."""
    api.create_repo(repo_id, repo_type="dataset", exist_ok=True)
    commit = api.upload_folder(repo_id=repo_id, repo_type="dataset", folder_path=str(dataset),
                               commit_message=f"Release {version} (sha256:{fingerprint})",
                               ignore_patterns=[".snakemake_timestamp"])  # Snakemake's marker in directory outputs
    tag = f"v{version}"
    api.create_tag(repo_id, repo_type="dataset", tag=tag, revision=commit.oid,
                   tag_message=f"Version {version}, fingerprint sha256:{fingerprint}")
    return {"repo_id": repo_id, "version": version, "tag": tag, "commit": commit.oid,
            "fingerprint": f"sha256:{fingerprint}"}


def redact(message: str, token: str) -> str:
    return message.replace(token, "***") if token else message


def main() -> int:
    from huggingface_hub import HfApi

    dataset = Path(snakemake.input.dataset)
    version = str(snakemake.params.version)
    repo_id = f"{snakemake.wildcards.repo_owner}/{snakemake.wildcards.repo_name}"
    releases_path = Path(getattr(snakemake.input, "releases", "config/releases.yaml"))
    token = os.environ.get("HF_TOKEN", "")
    try:
        if not token:
            raise PublishError("HF_TOKEN is not set; export a Hugging Face write token as HF_TOKEN to publish.")
        if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes"):
            raise PublishError("HF_HUB_OFFLINE is set; publishing needs network access to the Hub.")
        fingerprint = fingerprint_of_folder(dataset)
        try:
            releases = load_releases(releases_path.read_text(encoding="utf-8"))
        except ReleaseError as error:
            raise PublishError(str(error)) from error
        check_recorded(version, fingerprint, releases)
        try:
            receipt = publish(HfApi(token=token), dataset, repo_id, version, fingerprint)
        except Exception as error:  # network, authentication and Hub errors all end here
            raise PublishError(f"could not publish to the Hub ({type(error).__name__}: "
                               f"{redact(str(error), token)[:500]}). Check the network and the token's rights.")
    except PublishError as error:
        print(f"ERROR: publish {repo_id} {version}: {error}", file=sys.stderr)
        Path(snakemake.log[0]).parent.mkdir(parents=True, exist_ok=True)
        Path(snakemake.log[0]).write_text(f"failed: {error}\n", encoding="utf-8")
        return 1
    Path(snakemake.output.receipt).parent.mkdir(parents=True, exist_ok=True)
    Path(snakemake.output.receipt).write_text(json.dumps(receipt, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    Path(snakemake.log[0]).write_text(f"published {receipt['repo_id']}@{receipt['tag']}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
