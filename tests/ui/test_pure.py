"""Unit tests of the UI's pure parts: run-form parsing, CLI lines, config, formatting, history."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine_adapters.models import PortSpec, StatsSample, VolumeSpec
from tests.ui.fake_data import NOW, _containers
from tui.config import Config
from tui.dialogs.run_form import (
    build_spec,
    parse_env,
    parse_port,
    parse_ports,
    parse_volume,
    run_cli,
)
from tui.keymap import BY_ID, display_key, merge_keymap
from tui.widgets.format import human_duration, human_size, spark, uptime
from tui.widgets.stats_history import StatsHistory


def test_ports_parse_like_docker_run() -> None:
    assert parse_port("80") == PortSpec(80)
    assert parse_port("8080:80") == PortSpec(80, 8080)
    assert parse_port("127.0.0.1:53:53/udp") == PortSpec(53, 53, "udp", "127.0.0.1")
    with pytest.raises(ValueError, match="bad port"):
        parse_port("web:80")


def test_the_run_form_reads_ports_and_volumes_as_compose_does() -> None:
    assert parse_ports("8080-8081:80-81") == [PortSpec(80, 8080), PortSpec(81, 8081)]
    assert parse_ports("[::1]:8080:80") == [PortSpec(80, 8080, "tcp", "::1")]
    assert parse_ports("9000-9001/udp") == [
        PortSpec(9000, None, "udp"),
        PortSpec(9001, None, "udp"),
    ]
    with pytest.raises(ValueError, match="bad port"):
        parse_ports("8080-8082:80")  # a range for one port is Compose's replicas, not run's
    assert parse_volume("data:/data:ro,z") == VolumeSpec("/data", "data", True)
    assert parse_volume("./conf:/etc/app") == VolumeSpec("/etc/app", str(Path.cwd() / "conf"))
    with pytest.raises(ValueError, match="bad volume"):
        parse_volume("data:relative")


def test_env_and_volumes_parse() -> None:
    assert parse_env('A=1 B="two words",C=') == {"A": "1", "B": "two words", "C": ""}
    assert parse_volume("data:/data") == VolumeSpec("/data", "data")
    assert parse_volume("/srv:/srv:ro") == VolumeSpec("/srv", "/srv", True)
    assert parse_volume("/anon") == VolumeSpec("/anon")


def test_run_cli_round_trips_the_form() -> None:
    spec = build_spec(
        "nginx:1",
        "web",
        "nginx -g 'daemon off;'",
        "A=1",
        "8080:80 53:53/udp",
        "data:/data",
        "backend",
        "always",
    )
    assert run_cli(spec) == (
        "docker run -d --name web -e A=1 -p 8080:80 -p 53:53/udp -v data:/data "
        "--network backend --restart always nginx:1 nginx -g 'daemon off;'"
    )
    with pytest.raises(ValueError, match="image"):
        build_spec(" ", "", "", "", "", "", None, "no")


def test_config_round_trip_keeps_unknown_sections(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[ui]\ntheme = "fjord"\n[keys]\n"app.quit" = "ctrl+q"\n[ssh]\nhosts = ["a", "b"]\n'
    )
    config = Config.load(path)
    assert config.theme == "fjord" and config.keys == {"app.quit": "ctrl+q"}
    config.theme = "rust-belt"
    config.save()
    again = Config.load(path)
    assert again.theme == "rust-belt" and again.extra == {"ssh": {"hosts": ["a", "b"]}}


def test_broken_config_falls_back_to_defaults(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("this is = = not toml")
    assert Config.load(path).theme == "dockyard-dark"


def test_keymap_display_and_unknown_ids() -> None:
    assert merge_keymap([("containers.stop", "ctrl+x"), ("nope", "z")]) == {
        "containers.stop": "ctrl+x"
    }
    assert display_key(BY_ID["logs.search"], {}) == "/"
    assert display_key(BY_ID["containers.stop"], {"containers.stop": "ctrl+x"}) == "ctrl+x"


def test_formatting() -> None:
    assert human_size(512) == "512B"
    assert human_size(3 * 2**20) == "3.0MiB"
    assert human_duration(59) == "59s"
    assert human_duration(3 * 3600 + 120) == "3h2m"
    assert human_duration(30 * 86400) == "30d"
    web, _, _, job, *_ = _containers()
    assert uptime(web, NOW) == "Up 3h0m"
    assert uptime(job, NOW) == "Exited (1) 2h0m ago"
    assert spark([0, 1, 2], 5) == "   ▄█"


def test_stats_history_keeps_a_ring_and_rates() -> None:
    history = StatsHistory(size=3)
    for step in range(5):
        history.add([StatsSample("c", float(step * 2), 1.0, 10, 100, step * 2048, 0, 0, 0, 1)])
    assert len(history.samples["c"]) == 3
    assert history.rates("c", "net_rx") == [1024.0, 1024.0]
    assert history.take_dirty() == {"c"} and history.take_dirty() == set()
    history.forget([])
    assert history.samples == {}


def test_stats_ring_wraps_oldest_first() -> None:
    history = StatsHistory(size=4)
    for step in range(7):
        history.add([StatsSample("c", float(step), step / 2, step * 10, 100, 0, 0, 0, 0, step)])
    assert history.series("c", "at") == [3.0, 4.0, 5.0, 6.0]
    assert history.series("c", "mem_used") == [30.0, 40.0, 50.0, 60.0]
    assert history.latest("c") == StatsSample("c", 6.0, 3.0, 60, 100, 0, 0, 0, 0, 6)


def test_log_lines_lose_terminal_controls() -> None:
    from tui.widgets.detail.log_panel import printable

    assert printable("\x1b[31mred\x1b[0m \x1b[6ndone\r\n") == "red done"
    assert printable("10%\r50%\r100%") == "100%"
    assert printable("\x1b]0;title\x07a\tb\x07\x08") == "a       b"
    assert printable("plain text") == "plain text"


def test_names_sort_as_people_count() -> None:
    from tui.widgets.format import natural_key

    names = ["web-10", "web-2", "Web-1", "api", "web-1a", "db-3"]
    assert sorted(names, key=natural_key) == ["api", "db-3", "Web-1", "web-1a", "web-2", "web-10"]
