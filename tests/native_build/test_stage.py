"""Config instructions on a stage: ENV/ARG scoping, CMD vs ENTRYPOINT, history text."""

from __future__ import annotations

import json

import pytest

from native_runtime.build.parser import parse_instruction
from native_runtime.build.stage import Stage, StepError, apply_config, scratch_doc


def _stage(config: dict[str, object] | None = None) -> Stage:
    doc = scratch_doc()
    doc["config"] = config or {"Cmd": ["/bin/sh"], "Env": ["PATH=/bin"]}
    stage = Stage(0, "", {}, b"", "")
    stage.restore(json.dumps(doc).encode())
    return stage


def _apply(stage: Stage, line: str) -> str:
    return apply_config(stage, parse_instruction(1, line))


def test_env_both_syntaxes_and_expansion_uses_prior_values() -> None:
    stage = _stage()
    stage.args["V"] = "from-arg"
    assert _apply(stage, 'ENV A=$V B="x y"') == "/bin/sh -c #(nop)  ENV A=from-arg B=x y"
    _apply(stage, "ENV LEGACY some value")
    _apply(stage, "ENV V=from-env C=$V")
    env = stage.env()
    assert env["A"] == "from-arg" and env["B"] == "x y" and env["LEGACY"] == "some value"
    assert env["C"] == "from-arg"  # the same line's new V is not seen yet, as in Docker
    assert stage.expansion_env()["V"] == "from-env"  # ENV wins over ARG


def test_entrypoint_drops_inherited_cmd_but_not_own_cmd() -> None:
    stage = _stage()
    assert (
        _apply(stage, 'ENTRYPOINT ["/bin/echo"]') == '/bin/sh -c #(nop)  ENTRYPOINT ["/bin/echo"]'
    )
    assert stage.config["Cmd"] is None
    stage = _stage()
    _apply(stage, "CMD hi")
    _apply(stage, "ENTRYPOINT /bin/echo")
    assert stage.config["Cmd"] == ["/bin/sh", "-c", "hi"]
    assert stage.config["Entrypoint"] == ["/bin/sh", "-c", "/bin/echo"]


def test_workdir_user_expose_volume_label_shell_stopsignal_healthcheck() -> None:
    stage = _stage()
    stage.args["D"] = "app"
    assert _apply(stage, "WORKDIR /$D") == "/bin/sh -c #(nop) WORKDIR /app"
    _apply(stage, "WORKDIR sub")
    _apply(stage, "USER 1:2")
    _apply(stage, "EXPOSE 80 53/udp")
    _apply(stage, "VOLUME /a /b")
    _apply(stage, 'LABEL "k 1"=v other=x')
    _apply(stage, 'SHELL ["/bin/ash", "-c"]')
    _apply(stage, "STOPSIGNAL SIGUSR1")
    _apply(stage, "HEALTHCHECK --interval=1m30s --retries=2 CMD true")
    config = stage.config
    assert config["WorkingDir"] == "/app/sub"
    assert config["User"] == "1:2"
    assert config["ExposedPorts"] == {"80/tcp": {}, "53/udp": {}}
    assert config["Volumes"] == {"/a": {}, "/b": {}}
    assert config["Labels"] == {"k 1": "v", "other": "x"}
    assert stage.shell == ["/bin/ash", "-c"]
    assert config["StopSignal"] == "SIGUSR1"
    assert config["Healthcheck"] == {
        "Test": ["CMD-SHELL", "true"], "Interval": 90 * 10**9, "Retries": 2,
    }  # fmt: skip
    assert _apply(stage, "CMD x").startswith("/bin/ash -c #(nop)")


def test_commit_appends_history_and_changes_id() -> None:
    stage = _stage()
    before = stage.image_id
    stage.commit("/bin/sh -c #(nop)  CMD []", None)
    assert stage.image_id != before
    assert stage.doc["history"][-1]["empty_layer"] is True
    stage.commit("/bin/sh -c true", "sha256:" + "0" * 64)
    assert stage.diff_ids == ["sha256:" + "0" * 64]
    assert "empty_layer" not in stage.doc["history"][-1]


def test_bad_healthcheck() -> None:
    with pytest.raises(StepError):
        _apply(_stage(), "HEALTHCHECK --interval=soon CMD true")
