"""The workflow on a real single-node SLURM cluster (Debian's slurmctld, slurmd, slurm-client and munge), through
profiles/slurm and snakemake-executor-plugin-slurm: the packaged dataset must be byte-identical to a local run.

The test starts munged (unless one already answers), slurmctld and slurmd with a configuration of its own, and
stops exactly the processes it started. It needs root: the job-step plugin strips SLURM_CONF, so the configuration
must also be at /etc/slurm/slurm.conf (an existing file there is put back afterwards). `.ci/run` installs the
packages; elsewhere the test skips, saying what is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import SNAKEMAKE, bulk_project, file_hashes

DAEMONS = ("slurmctld", "slurmd", "munged", "munge", "unmunge", "sbatch", "squeue", "sinfo", "scancel")
SYSTEM_CONF = Path("/etc/slurm/slurm.conf")


def missing_parts() -> str | None:
    absent = [name for name in DAEMONS if not (shutil.which(name) or Path(f"/usr/sbin/{name}").exists())]
    if absent:
        return f"SLURM/munge not installed ({', '.join(absent)} missing; .ci/run installs slurmctld slurmd " \
               "slurm-client munge with apt-get)"
    if os.geteuid() != 0:
        return "starting a SLURM cluster needs root (it writes /etc/slurm/slurm.conf and runs the daemons)"
    if subprocess.run(["pgrep", "-x", "slurmctld"], capture_output=True).returncode == 0:
        return "a slurmctld already runs on this machine; the test starts and stops a cluster of its own only"
    return None


pytestmark = pytest.mark.skipif(missing_parts() is not None, reason=missing_parts() or "")


def sbin(name: str) -> str:
    return shutil.which(name) or f"/usr/sbin/{name}"


# The test node declares at least 4 CPUs, more than a 2-core host has (config_overrides lets slurmd accept that):
# the test's jobs mostly wait on Snakemake starting up, so running more of them at once shortens the test.
NODE_CPUS = max(4, os.cpu_count() or 1)


def slurm_conf(state: Path) -> str:
    """A one-node cluster on this host: NODE_CPUS CPUs, 90% of the memory, no accounting (hence squeue, not sacct)."""
    memory_mb = int(int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) / 1024 * 0.9)
    host = socket.gethostname().split(".")[0]
    return "\n".join([
        "ClusterName=infospace-test", f"SlurmctldHost={host}", "SlurmUser=root", "SlurmdUser=root",
        "AuthType=auth/munge", "CredType=cred/munge",
        f"StateSaveLocation={state}/ctld", f"SlurmdSpoolDir={state}/d",
        f"SlurmctldPidFile={state}/slurmctld.pid", f"SlurmdPidFile={state}/slurmd.pid",
        f"SlurmctldLogFile={state}/slurmctld.log", f"SlurmdLogFile={state}/slurmd.log",
        "MailProg=/bin/true", "ProctrackType=proctrack/linuxproc", "TaskPlugin=task/none",
        "SelectType=select/cons_tres", "SelectTypeParameters=CR_Core_Memory",
        "AccountingStorageType=accounting_storage/none", "JobAcctGatherType=jobacct_gather/none",
        "JobCompType=jobcomp/none", "SlurmdParameters=config_overrides", "MpiDefault=none", "ReturnToService=2",
        "SchedulerType=sched/backfill",
        "SlurmctldTimeout=30", "SlurmdTimeout=30", "InactiveLimit=0", "KillWait=5", "MinJobAge=300",
        f"NodeName={host} CPUs={NODE_CPUS} RealMemory={memory_mb} State=UNKNOWN",
        "PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP", "",
    ])


def munge_answers() -> bool:
    credential = subprocess.run(["munge", "-n"], capture_output=True)
    return credential.returncode == 0 and subprocess.run(["unmunge"], input=credential.stdout,
                                                         capture_output=True).returncode == 0


def start_munged() -> Path:
    """munged as user munge, key mode 600, socket directory mode 755 (munged refuses other modes)."""
    key = Path("/etc/munge/munge.key")
    if not key.exists() or key.stat().st_size == 0:
        subprocess.run(["mungekey", "--create", f"--keyfile={key}"], check=True)
    subprocess.run(["chown", "munge:munge", str(key)], check=True)
    key.chmod(0o600)
    subprocess.run(["install", "-d", "-o", "munge", "-g", "munge", "-m", "0755", "/run/munge"], check=True)
    subprocess.run(["su", "-s", "/bin/sh", "munge", "-c", sbin("munged")], check=True)
    return Path("/run/munge/munged.pid")


def stop(pidfile: Path) -> None:
    """TERM the process of `pidfile`, then KILL it if it is still there after 10 s."""
    if not pidfile.exists():
        return
    pid = int(pidfile.read_text().split()[0])
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    state = tmp_path_factory.mktemp("slurm")
    for folder in ("ctld", "d"):
        (state / folder).mkdir()
    started: list[Path] = []
    saved_conf = SYSTEM_CONF.read_bytes() if SYSTEM_CONF.exists() else None
    try:
        if not munge_answers():
            started.append(start_munged())
            assert munge_answers(), "munged started but does not answer"
        (state / "slurm.conf").write_text(slurm_conf(state), encoding="utf-8")
        SYSTEM_CONF.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(state / "slurm.conf", SYSTEM_CONF)
        subprocess.run([sbin("slurmctld"), "-c"], check=True)  # -c: no saved state (a stale DRAIN would stick)
        started.append(state / "slurmctld.pid")
        subprocess.run([sbin("slurmd")], check=True)
        started.append(state / "slurmd.pid")
        deadline = time.monotonic() + 60
        while subprocess.run(["sinfo", "-h", "-N", "-o", "%T"], capture_output=True, text=True).stdout.strip() != "idle":
            assert time.monotonic() < deadline, "the node did not become idle: " + subprocess.run(
                ["sinfo", "-N", "-o", "%N %T %E"], capture_output=True, text=True).stdout
            time.sleep(0.5)
        yield state
    finally:
        subprocess.run(["scancel", "--user=root"], capture_output=True)
        for pidfile in reversed(started):
            stop(pidfile)
        if saved_conf is None:
            SYSTEM_CONF.unlink(missing_ok=True)
        else:
            SYSTEM_CONF.write_bytes(saved_conf)


def run_on_cluster(project: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    """snakemake --profile profiles/slurm, with this cluster's settings: squeue for status (no accounting), short
    polling, the node's NODE_CPUS cores. Stopped with SIGINT on timeout (Snakemake waits out SIGTERM)."""
    command = [SNAKEMAKE, "--profile", "profiles/slurm", "--cores", str(NODE_CPUS), "--jobs", "4",
               "--slurm-status-command", "squeue", "--slurm-init-seconds-before-status-checks", "3",
               "--seconds-between-status-checks", "2", "--latency-wait", "10",
               "--group-components", "shard=20", "final=20"]
    environment = {**{k: v for k, v in os.environ.items() if not k.startswith("SLURM_")}, "HF_HUB_OFFLINE": "1",
                   "HF_DATASETS_OFFLINE": "1"}
    process = subprocess.Popen(command, cwd=project, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
        stderr += f"\n(stopped with SIGINT after {timeout:.0f} s)"
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def test_slurm_run_gives_the_local_bytes(built_bulk: Path, cluster: Path, tmp_path: Path) -> None:
    """The seeds, a JSONL and a Parquet channel (conftest.bulk_project) in shards of 300, built through the
    profile; the reference is the same project in shards of 250 built locally with `--cores 4`. (Fewer shards keep
    the test short: each job of a group job starts Snakemake again, through srun.)"""
    remote = bulk_project(tmp_path / "remote", shard_size=300)
    start = time.monotonic()
    done = run_on_cluster(remote, timeout=900)
    wall = time.monotonic() - start
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-5000:] + (cluster / "slurmctld.log").read_text()[-2000:]
    submitted = re.findall(r"submitted with SLURM jobid \d+ \(log: \S+/slurm_logs/([^/]+)/\d+\.log\)", log)
    print(f"SLURM run: {len(submitted)} cluster jobs, {wall:.0f} s wall: {', '.join(submitted)}")
    # Every step but the bookkeeping ones ran as a cluster job: each group as one job (the test bundles up to 20
    # shards per group job), and each corpus-wide step as a job of its own.
    corpus_steps = ("dedup_documents", "dedup_paragraphs", "figures", "package", "split", "translation", "validate")
    assert sorted(submitted) == ["group_final_assemble_provenance", "group_shard_langid_parse_signatures",
                                 *(f"rule_{name}" for name in corpus_steps)], log[-3000:]
    assert file_hashes(remote / "results" / "dataset") == file_hashes(built_bulk / "results" / "dataset")
