"""The wheel `python -m build` makes, installed into a fresh venv: a working `dockyard`.

The fresh venv takes the wheel itself; its dependencies are borrowed from the development
venv (a path line, so that venv's editable install of this checkout stays out), which keeps
the test off the network and quick.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def source_copy(into: Path) -> Path:
    """What the wheel is made of, copied: the build's own folders stay out of the checkout."""
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, into / name)
    for package in ("tui", "engine_adapters", "native_runtime"):
        shutil.copytree(ROOT / package, into / package, ignore=skip)
    return into


def test_the_wheel_installs_a_working_dockyard(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    source = source_copy(tmp_path / "src")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "dist"), str(source)],
        check=True, capture_output=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    (wheel,) = (tmp_path / "dist").glob("dockyard-*.whl")
    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    site = next(target.glob("lib/python*/site-packages"))
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(target / "bin" / "python"), "install",
         "--no-deps", "--no-index", "-q", str(wheel)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    dockyard = str(target / "bin" / "dockyard")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "TERM": "xterm-256color"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [dockyard, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
        )

    version = run("--version")
    assert version.returncode == 0 and version.stdout.startswith("dockyard ")

    doctor = run("doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    lines = doctor.stdout.splitlines()
    themes = next(line for line in lines if " themes: " in line)
    # found inside the installed package, not in this checkout
    assert themes.startswith("ok") and str(site / "tui" / "themes") in themes, themes
    assert any(line.startswith("ok") and " stylesheet: " in line for line in lines)
    assert any(" runc: " in line for line in lines)

    completion = run("completion", "bash")
    assert completion.returncode == 0 and "compgen" in completion.stdout
    assert "doctor" in completion.stdout and "completion" in completion.stdout
