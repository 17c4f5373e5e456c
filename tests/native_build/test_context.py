"""`.dockerignore` rules, context sources (globs, escapes) and COPY destination rules."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from native_runtime.build.context import BuildContext, ContextError, content_hash, find_sources
from native_runtime.build.copyfiles import CopyError, CopyOptions, copy_into
from native_runtime.build.dockerignore import DockerIgnore


@pytest.mark.parametrize(
    ("patterns", "path", "ignored"),
    [
        ("*.log", "a.log", True),
        ("*.log", "sub/a.log", False),
        ("**/*.log", "sub/deep/a.log", True),
        ("**/*.log", "a.log", True),
        ("build", "build/x/y", True),
        ("/build", "build", True),
        ("docs/**", "docs/a/b.md", True),
        ("*.md\n!README.md", "README.md", False),
        ("*.md\n!README.md", "other.md", True),
        ("!README.md\n*.md", "README.md", True),  # the last match wins
        ("a?c", "abc", True),
        ("[a-c]x", "bx", True),
        ("[!a-c]x", "bx", False),
        ("# comment\n\n", "anything", False),
        ("./tmp/../secret", "secret", True),
    ],
)
def test_dockerignore(patterns: str, path: str, ignored: bool) -> None:
    assert DockerIgnore(patterns).ignored(path) is ignored


def _context(tmp_path: Path, files: dict[str, str], ignore: str = "") -> BuildContext:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in {**files, ".dockerignore": ignore}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data.encode()))
    buf.seek(0)
    ctx = BuildContext.unpack(buf, tmp_path / "ctx")
    ctx.apply_dockerignore(keep={"Dockerfile", ".dockerignore"})
    return ctx


def test_context_prunes_ignored_but_keeps_exceptions(tmp_path: Path) -> None:
    ctx = _context(
        tmp_path,
        {"Dockerfile": "FROM x", "logs/a.log": "", "logs/keep.log": "k", "src/a.py": ""},
        "logs\n!logs/keep.log\nDockerfile\n",
    )
    assert (ctx.root / "Dockerfile").exists()  # always readable by the builder
    assert not (ctx.root / "logs/a.log").exists()
    assert (ctx.root / "logs/keep.log").read_text() == "k"
    assert (ctx.root / "src/a.py").exists()


def test_sources_globs_and_escapes(tmp_path: Path) -> None:
    ctx = _context(tmp_path, {"a.txt": "a", "b.txt": "b", "c.md": "", "d/e.txt": ""})
    names = [p.name for p in find_sources(ctx.root, "*.txt", "context")]
    assert names == ["a.txt", "b.txt"]
    assert [p.name for p in find_sources(ctx.root, "d/*.txt", "context")] == ["e.txt"]
    # `..` is clamped to the context root, never above it.
    assert find_sources(ctx.root, "../../a.txt", "context") == [ctx.root / "a.txt"]
    os.symlink("/etc", ctx.root / "link")
    os.symlink("../../../../etc/hostname", ctx.root / "up")
    with pytest.raises(ContextError):
        find_sources(ctx.root, "link/hostname", "context")  # resolves to <ctx>/etc/hostname
    with pytest.raises(ContextError):
        find_sources(ctx.root, "up", "context")
    with pytest.raises(ContextError, match="no source files"):
        find_sources(ctx.root, "*.nope", "context")


def test_content_hash_follows_bytes_not_times(tmp_path: Path) -> None:
    ctx = _context(tmp_path, {"a.txt": "a"})
    first = content_hash([ctx.root / "a.txt"])
    os.utime(ctx.root / "a.txt", (1, 1))
    assert content_hash([ctx.root / "a.txt"]) == first
    (ctx.root / "a.txt").write_text("changed")
    assert content_hash([ctx.root / "a.txt"]) != first


def test_copy_destination_rules(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "dir/sub").mkdir(parents=True)
    (src / "f").write_text("f")
    (src / "dir/sub/g").write_text("g")
    root = tmp_path / "rootfs"
    (root / "existing").mkdir(parents=True)
    os.symlink("/existing", root / "abs-link")
    os.symlink("../../../../../tmp", root / "escape")
    opts = CopyOptions(owner=(12, 34))
    copy_into(root, [src / "f"], "/file-renamed", opts, tmp_path)
    copy_into(root, [src / "f"], "/into/", opts, tmp_path)
    copy_into(root, [src / "f"], "/existing", opts, tmp_path)
    copy_into(root, [src / "dir"], "/contents", opts, tmp_path)
    copy_into(root, [src / "f"], "/abs-link/", opts, tmp_path)
    copy_into(root, [src / "f"], "/escape/x", opts, tmp_path)
    assert (root / "file-renamed").read_text() == "f"
    assert (root / "into/f").read_text() == "f"
    assert (root / "existing/f").read_text() == "f"
    assert (root / "contents/sub/g").read_text() == "g"
    assert os.stat(root / "contents/sub/g").st_uid == 12
    assert (root / "tmp/x").read_text() == "f"  # the escaping link resolved inside rootfs
    with pytest.raises(CopyError, match="must be a directory"):
        copy_into(root, [src / "f", src / "dir"], "/multi", opts, tmp_path)


def test_add_extracts_local_archives(tmp_path: Path) -> None:
    archive = tmp_path / "a.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("inner/file")
        info.size = 2
        info.uid = 7
        tar.addfile(info, io.BytesIO(b"hi"))
    root = tmp_path / "rootfs"
    root.mkdir()
    copy_into(root, [archive], "/opt", CopyOptions((0, 0), extract_archives=True), tmp_path)
    assert (root / "opt/inner/file").read_bytes() == b"hi"
    assert os.stat(root / "opt/inner/file").st_uid == 7
    copy_into(root, [archive], "/raw/", CopyOptions((0, 0)), tmp_path)
    assert (root / "raw/a.tar.gz").exists()  # COPY never unpacks
