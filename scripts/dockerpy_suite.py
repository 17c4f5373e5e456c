"""Runs docker-py's own integration suite against dockerd and a throwaway native daemon.

A developer tool: the suite is read from a docker-py checkout or git directory, never
edited, and run untouched with the checkout's own `docker` package from a venv under /tmp.
Docker Hub images are replaced by stand-ins made from busybox-static; tests that need the
internet are deselected everywhere, and tests that would prune or join a swarm on the shared
dockerd run on the native engine only. The result is one table, engine beside engine.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import docker

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scripts.test_image import rootfs  # noqa: E402
from tests.native.conftest import NativeDaemon, new_daemon  # noqa: E402

DOCKERD = "unix:///var/run/docker.sock"
VENV = Path("/tmp/dockerpy-suite-venv")
SUITE_DEPS = ["pytest", "pytest-timeout", "requests", "urllib3", "paramiko", "websocket-client"]
FILES = [
    "api_container", "api_exec", "api_image", "api_network", "api_volume", "api_client",
    "models_containers", "models_images", "models_networks", "models_volumes", "api_build",
    "errors", "regression",
]  # fmt: skip
STAND_INS = ["alpine:3.10", "alpine:latest", "busybox:latest"]
# They pull from Docker Hub: no engine here can pass them.
NEEDS_INTERNET = [
    "api_image_test.py::PullImageTest::test_pull",
    "api_image_test.py::PullImageTest::test_pull_streaming",
    "api_image_test.py::ImportImageTest::test_get_load_image",
    "api_image_test.py::PruneImagesTest::test_prune_images",
    "models_images_test.py::ImageCollectionTest::test_list",
    "models_images_test.py::ImageCollectionTest::test_list_with_repository",
    "models_images_test.py::ImageCollectionTest::test_pull",
    "models_images_test.py::ImageCollectionTest::test_pull_with_tag",
    "models_images_test.py::ImageCollectionTest::test_pull_with_sha",
    "models_images_test.py::ImageCollectionTest::test_pull_multiple",
    "models_images_test.py::ImageTest::test_tag_and_remove",
]
# They prune every unused object or make the engine a swarm manager: on the dockerd that
# others share they would remove what is not ours, so they run on the native engine only.
UNSAFE_ON_SHARED = [
    "api_container_test.py::PruneTest::test_prune_containers",
    "api_network_test.py::TestNetworks::test_prune_networks",
    "api_network_test.py::TestNetworks::test_create_inspect_network_with_scope",
    "api_network_test.py::TestNetworks::test_create_network_attachable",
    "api_network_test.py::TestNetworks::test_create_network_ingress",
    "api_volume_test.py::TestVolumes::test_prune_volumes",
    "api_build_test.py::BuildTest::test_prune_builds",
]


@dataclass
class Outcome:
    """One engine's results: per file counts and each non-passing test's first line."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    passed: set[str] = field(default_factory=set)


def suite_source(given: Path, into: Path) -> Path:
    """A folder holding tests/integration and the docker package, from a checkout or git dir."""
    if (given / "tests" / "integration").is_dir():
        return given
    archive = subprocess.run(
        ["git", "--git-dir", str(given), "archive", "HEAD"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def suite_venv() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *SUITE_DEPS], check=True)
    return python


def load_stand_ins(host: str) -> None:
    client = docker.APIClient(base_url=host, version="1.41")
    missing = [name for name in STAND_INS if not client.images(name=name)]
    if not missing:
        return
    first, *others = missing
    repository, tag = first.rsplit(":", 1)
    client.import_image_from_data(
        rootfs(), repository=repository, tag=tag, changes=['CMD ["/bin/sh"]', "ENV PATH=/bin"]
    )
    for name in others:
        repository, tag = name.rsplit(":", 1)
        client.tag(first, repository, tag)


def start_run(
    python: Path, source: Path, host: str, files: list[str], deselect: list[str], report: Path
) -> subprocess.Popen[bytes]:
    targets = [f"tests/integration/{name}_test.py" for name in files]
    args = [f"--deselect=tests/integration/{test}" for test in deselect]
    env = dict(os.environ, DOCKER_HOST=host, DOCKER_TEST_API_VERSION="1.41", PYTHONPATH=".")
    env["PYTHONUNBUFFERED"] = "1"  # the log shows progress as it goes
    env.pop("DOCKER_CONTEXT", None)
    log = open(report.with_suffix(".log"), "wb")  # noqa: SIM115 - owned by the process
    command = [str(python), "-m", "pytest", "-p", "no:cacheprovider", "-q", "--timeout=180",
               f"--junitxml={report}", *args, *targets]  # fmt: skip
    return subprocess.Popen(command, cwd=source, env=env, stdout=log, stderr=subprocess.STDOUT)


def read_report(report: Path) -> Outcome:
    outcome = Outcome()
    if not report.exists():
        return outcome
    for case in ET.parse(report).iter("testcase"):
        module = case.get("classname", "").split(".")
        file = module[2].removesuffix("_test") if len(module) > 2 else "?"
        test = f"{file}::{module[-1]}::{case.get('name')}"
        verdict, first_line = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                verdict = "failed" if child.tag == "failure" else child.tag
                text = (child.get("message") or child.text or "").strip()
                first_line = text.splitlines()[0][:160] if text else ""
                break
        outcome.counts.setdefault(file, Counter())[verdict] += 1
        if verdict == "passed":
            outcome.passed.add(test)
        elif verdict != "skipped":
            outcome.problems[test] = f"{verdict}: {first_line}"
    return outcome


def cell(counts: Counter[str] | None) -> str:
    if counts is None:
        return "-"
    parts = [f"{counts['passed']} passed"]
    parts += [f"{counts[kind]} {kind}" for kind in ("failed", "error", "skipped") if counts[kind]]
    return ", ".join(parts)


def print_table(files: list[str], results: dict[str, Outcome]) -> None:
    engines = list(results)
    print("| file | " + " | ".join(engines) + " |")
    print("| --- |" + " --- |" * len(engines))
    totals = {engine: Counter[str]() for engine in engines}
    for file in files:
        row = [cell(results[engine].counts.get(file)) for engine in engines]
        for engine in engines:
            totals[engine].update(results[engine].counts.get(file, Counter()))
        print(f"| {file} | " + " | ".join(row) + " |")
    print("| total | " + " | ".join(cell(totals[engine]) for engine in engines) + " |")
    for engine, outcome in results.items():
        print(f"\n{engine}: {len(outcome.problems)} not passing")
        for test, line in sorted(outcome.problems.items()):
            print(f"  {test}: {line}")
    if "dockerd" in results and "native" in results:
        lost = sorted(results["dockerd"].passed - results["native"].passed)
        print(f"\npassing on dockerd, not on native: {len(lost)}")
        for test in lost:
            print(f"  {test}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("docker_py", type=Path, help="a docker-py checkout or its git directory")
    parser.add_argument("--engine", choices=["docker", "native", "both"], default="both")
    parser.add_argument("--files", nargs="*", default=FILES, help="suite files, e.g. api_exec")
    parser.add_argument("-k", dest="keyword", help="only tests matching this pytest -k expression")
    args = parser.parse_args()
    if args.keyword:
        os.environ["PYTEST_ADDOPTS"] = f"-k {shlex.quote(args.keyword)}"
    work = Path(tempfile.mkdtemp(prefix="dockerpy-suite-", dir="/tmp"))
    source = suite_source(args.docker_py.resolve(), work)
    python = suite_venv()
    daemon: NativeDaemon | None = None
    run: subprocess.Popen[bytes] | None = None
    engines: list[str] = []
    try:
        # One engine at a time: on two shared cores, builds run side by side hit the
        # suite's 60 s client timeout, and both engines would race for the same subnets.
        if args.engine in ("docker", "both"):
            swarm = docker.APIClient(base_url=DOCKERD, version="1.41").info()["Swarm"]
            if swarm.get("LocalNodeState") != "inactive":
                print("dockerd is in a swarm: api_network's tearDown would make it leave")
                return 2
            load_stand_ins(DOCKERD)
            skipped = NEEDS_INTERNET + UNSAFE_ON_SHARED
            report = work / "dockerd.xml"
            run = start_run(python, source, DOCKERD, args.files, skipped, report)
            run.wait()
            engines.append("dockerd")
        if args.engine in ("native", "both"):
            daemon = new_daemon()
            daemon.start()
            load_stand_ins(daemon.docker_host)
            report = work / "native.xml"
            host = daemon.docker_host
            run = start_run(python, source, host, args.files, NEEDS_INTERNET, report)
            run.wait()
            engines.append("native")
    finally:
        if run is not None and run.poll() is None:
            run.kill()
        if daemon is not None:
            daemon.stop()
            shutil.copy(daemon.root / "daemon.log", work / "native-daemon.log")
            daemon.destroy()
    results = {engine: read_report(work / f"{engine}.xml") for engine in engines}
    print_table(args.files, results)
    print(f"\nlogs and reports: {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
