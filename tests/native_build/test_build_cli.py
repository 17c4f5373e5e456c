"""The real docker CLI's classic builder against the native daemon: the lecture's build."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

from tests.native_build.conftest import BuildDaemon

BASE = "dockyard-test/busybox:latest"


def _payload_tar(path: Path) -> None:
    with tarfile.open(path, "w") as tar:
        data = b"from the archive\n"
        info = tarfile.TarInfo("payload/readme.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))


def _write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def test_lecture_build_run_history_and_cache(builder_daemon: BuildDaemon, tmp_path: Path) -> None:
    _payload_tar(tmp_path / "payload.tar")
    _write(tmp_path, {"Dockerfile": f"""\
FROM {BASE}
RUN echo "built by RUN" > /built.txt && rm /bin/vi
ADD payload.tar /opt/
CMD ["world"]
ENTRYPOINT ["/bin/echo", "hello"]
"""})  # fmt: skip
    first = builder_daemon.build(tmp_path, "-t", "lecture/traceroute:0.0.1", "-t", "other:tag")
    assert "Step 1/5 : FROM dockyard-test/busybox:latest" in first.stdout
    assert " ---> Running in " in first.stdout
    assert "Successfully tagged lecture/traceroute:0.0.1" in first.stdout
    assert "Successfully tagged other:tag" in first.stdout
    assert builder_daemon.out("run", "--rm", "lecture/traceroute:0.0.1") == "hello world"
    files = builder_daemon.out(
        "run", "--rm", "--entrypoint", "/bin/sh", "other:tag", "-c",
        "cat /built.txt /opt/payload/readme.txt; ls /bin/vi || echo vi-gone",
    )  # fmt: skip
    assert files.splitlines() == ["built by RUN", "from the archive", "vi-gone"]
    history = builder_daemon.out("history", "--no-trunc", "--format", "{{.CreatedBy}}", "other:tag")
    assert '/bin/sh -c #(nop)  ENTRYPOINT ["/bin/echo" "hello"]' in history
    assert '/bin/sh -c echo "built by RUN" > /built.txt && rm /bin/vi' in history
    image_id = builder_daemon.out("inspect", "--format", "{{.Id}}", "other:tag")

    second = builder_daemon.build(tmp_path, "-t", "lecture/traceroute:0.0.1")
    assert second.stdout.count(" ---> Using cache") == 4
    assert (
        builder_daemon.out("inspect", "--format", "{{.Id}}", "lecture/traceroute:0.0.1") == image_id
    )

    (tmp_path / "payload.tar").unlink()
    _payload_tar(tmp_path / "payload.tar")  # same bytes: the cache still holds
    (tmp_path / "extra").write_text("not used")
    third = builder_daemon.build(tmp_path, "--no-cache", "-q")
    assert "Using cache" not in third.stdout
    assert third.stdout.strip().startswith("sha256:")


def test_multi_stage_build_args_dockerignore_chown(
    builder_daemon: BuildDaemon, tmp_path: Path
) -> None:
    _write(tmp_path, {
        ".dockerignore": "secret*\n*.log\n!keep.log\n",
        "secret.txt": "no", "debug.log": "no", "keep.log": "kept",
        "src/a.txt": "A\n", "src/b.txt": "B\n",
        "Dockerfile": f"""\
ARG BASE={BASE}
FROM $BASE AS builder
ARG WHO=nobody
WORKDIR /work
COPY src/*.txt ./
RUN cat a.txt b.txt > ab.txt && echo "$WHO" > who.txt
FROM ${{BASE}}
COPY --from=builder --chown=7:8 /work/ab.txt /work/who.txt /app/
COPY keep.log *.log /app/logs/
ENV GREETING="hi there"
WORKDIR /app
CMD ["/bin/sh", "-c", "cat ab.txt who.txt; stat -c %u:%g ab.txt; ls logs; echo $GREETING"]
""",
    })  # fmt: skip
    built = builder_daemon.build(tmp_path, "--build-arg", "WHO=tester", "--build-arg", "UNUSED=1",
                                 "-t", "multi:1")  # fmt: skip
    assert "[Warning] One or more build-args [UNUSED] were not consumed" in built.stdout
    out = builder_daemon.out("run", "--rm", "multi:1").splitlines()
    assert out == ["A", "B", "tester", "7:8", "keep.log", "hi there"]
    config = json.loads(builder_daemon.out("inspect", "multi:1"))[0]["Config"]
    assert config["WorkingDir"] == "/app"
    assert "GREETING=hi there" in config["Env"]
    assert not any(e.startswith("WHO=") for e in config["Env"])  # ARG values are not kept


def test_dockerfile_errors_name_the_line(builder_daemon: BuildDaemon, tmp_path: Path) -> None:
    _write(tmp_path, {"Dockerfile": f"FROM {BASE}\n\nRUN true \\\n  && true\nCOPPY a b\n"})
    bad = builder_daemon.build(tmp_path, check=False)
    assert bad.returncode != 0
    assert "Dockerfile:5: unknown instruction: COPPY" in bad.stderr
    _write(tmp_path, {"Dockerfile": f"FROM {BASE}\nCOPY missing.txt /\n"})
    missing = builder_daemon.build(tmp_path, check=False)
    assert "Dockerfile:2: COPY failed" in missing.stderr and "missing.txt" in missing.stderr
    _write(tmp_path, {"Dockerfile": f"FROM {BASE}\nADD http://example.com/x /\n"})
    url = builder_daemon.build(tmp_path, check=False)
    assert "Dockerfile:2:" in url.stderr and "no internet" in url.stderr


def test_failed_run_reports_code_and_leaves_nothing(
    builder_daemon: BuildDaemon, tmp_path: Path
) -> None:
    _write(tmp_path, {"Dockerfile": f"FROM {BASE}\nRUN echo partial > /x && exit 3\n"})
    failed = builder_daemon.build(tmp_path, check=False)
    assert failed.returncode != 0
    assert "The command '/bin/sh -c echo partial > /x && exit 3' returned a non-zero code: 3" in (
        failed.stderr
    )
    build_dir = builder_daemon.data_root / "build"
    leftovers = [p.name for p in build_dir.iterdir()] if build_dir.exists() else []
    assert leftovers == []
    with open("/proc/self/mountinfo") as info:
        assert not any(str(build_dir) in line for line in info)


def test_commit_with_changes_and_history(builder_daemon: BuildDaemon) -> None:
    name = "commit-src"
    builder_daemon.docker("rm", "-f", name, check=False)
    try:
        builder_daemon.docker("run", "--name", name, BASE, "/bin/sh", "-c",
                              "echo committed > /made && rm /bin/vi")  # fmt: skip
        builder_daemon.docker(
            "commit", "-c", 'CMD ["cat", "/made"]', "-m", "my message", "-a", "me",
            name, "committed:v1",
        )  # fmt: skip
        assert builder_daemon.out("run", "--rm", "committed:v1") == "committed"
        gone = builder_daemon.out(
            "run", "--rm", "committed:v1", "/bin/sh", "-c", "ls /bin/vi || echo gone"
        )
        assert gone == "gone"
        history = builder_daemon.out("history", "--no-trunc", "--format",
                                     "{{.CreatedBy}}|{{.Comment}}", "committed:v1")  # fmt: skip
        assert (
            history.splitlines()[0] == "/bin/sh -c echo committed > /made && rm /bin/vi|my message"
        )
        assert builder_daemon.out("inspect", "--format", "{{.Author}}", "committed:v1") == "me"
    finally:
        builder_daemon.docker("rm", "-f", name, check=False)
