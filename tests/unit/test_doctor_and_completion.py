"""`dockyard doctor` says what to fix in one line each; `dockyard completion` prints scripts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DOCKYARD = str(Path(sys.executable).with_name("dockyard"))


def dockyard(
    *args: str, config_home: Path, term: str = "xterm-256color"
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CONFIG_HOME": str(config_home), "TERM": term, "COLORTERM": ""}
    return subprocess.run([DOCKYARD, *args], env=env, capture_output=True, text=True, timeout=60)


def test_a_config_that_does_not_parse_is_named_with_its_line(tmp_path: Path) -> None:
    config = tmp_path / "dockyard" / "config.toml"
    config.parent.mkdir()
    config.write_text('[ui]\ntheme = "fjord"\nlog_tail = = 3\n')
    done = dockyard("doctor", config_home=tmp_path)
    assert done.returncode == 1
    (line,) = [line for line in done.stdout.splitlines() if " config: " in line]
    assert line.startswith("FIX") and str(config) in line and "line 3" in line


def test_every_check_is_one_line_and_a_16_colour_terminal_is_a_warning(tmp_path: Path) -> None:
    done = dockyard("doctor", config_home=tmp_path, term="xterm")
    lines = done.stdout.splitlines()
    assert all(line.split()[0] in ("ok", "FIX", "warn") for line in lines), lines
    names = {line.split(":", 1)[0].split(None, 1)[1] for line in lines}
    for check in ("themes", "config", "terminal colours", "overlayfs", "veth", "cgroups",
                  "runc", "conmon", "iptables", "tini (for --init)"):  # fmt: skip
        assert check in names, names
    colours = next(line for line in lines if "terminal colours" in line)
    assert colours.startswith("warn") and "16 colours" in colours


def test_completion_scripts_know_the_subcommands(tmp_path: Path) -> None:
    for shell in ("bash", "zsh"):
        done = dockyard("completion", shell, config_home=tmp_path)
        assert done.returncode == 0
        for word in ("engine", "compose", "topology", "doctor", "--engine"):
            assert word in done.stdout, (shell, word)
    bad = dockyard("completion", "fish", config_home=tmp_path)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_help_shows_the_subcommands_with_examples(tmp_path: Path) -> None:
    done = dockyard("--help", config_home=tmp_path)
    assert done.returncode == 0
    for word in ("engine", "compose", "topology", "doctor", "completion", "examples:"):
        assert word in done.stdout
    assert "dockyard --engine ssh://" in done.stdout
