"""A build stage's state (the image config so far) and the config-only instructions."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from native_runtime.build.expand import process_word, split_words
from native_runtime.build.parser import Instruction

DEFAULT_SHELL = ["/bin/sh", "-c"]
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)")
_UNITS = {"ns": 1, "us": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}


class StepError(ValueError):
    """An instruction whose arguments are wrong; the builder adds the line number."""


def now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def go_quote_list(items: list[str]) -> str:
    """Go's `%q` of a []string, which is how Docker writes CMD and friends in history."""
    return "[" + " ".join(json.dumps(item) for item in items) + "]"


def scratch_doc() -> dict[str, Any]:
    return {
        "architecture": "amd64",
        "os": "linux",
        "config": {},
        "rootfs": {"type": "layers", "diff_ids": []},
        "history": [],
    }


@dataclass
class Stage:
    """The image being built: its config doc, bytes and id after the last step."""

    index: int
    name: str
    doc: dict[str, Any]
    config_bytes: bytes
    image_id: str
    args: dict[str, str] = field(default_factory=dict)
    cmd_set: bool = False
    escape: str = "\\"

    @property
    def config(self) -> dict[str, Any]:
        config: dict[str, Any] = self.doc.setdefault("config", {})
        return config

    @property
    def diff_ids(self) -> list[str]:
        return list(self.doc.get("rootfs", {}).get("diff_ids", []))

    @property
    def shell(self) -> list[str]:
        return list(self.config.get("Shell") or DEFAULT_SHELL)

    def env(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for item in self.config.get("Env") or []:
            key, _, value = str(item).partition("=")
            out[key] = value
        return out

    def expansion_env(self) -> dict[str, str]:
        """ARG values, overridden by ENV of the same name, as Docker resolves `$X`."""
        return {**self.args, **self.env()}

    def word(self, text: str) -> str:
        return process_word(text, self.expansion_env(), self.escape)

    def commit(self, created_by: str, diff_id: str | None) -> None:
        """Append a history entry (and a layer); the doc's bytes and id are recomputed."""
        entry: dict[str, Any] = {"created": now_rfc3339(), "created_by": created_by}
        if diff_id is None:
            entry["empty_layer"] = True
        self.append(entry, diff_id)

    def append(self, entry: dict[str, Any], diff_id: str | None) -> None:
        """Append a given history entry (and a layer), as a step taken from `--cache-from`."""
        doc = copy.deepcopy(self.doc)
        if diff_id is not None:
            doc.setdefault("rootfs", {"type": "layers", "diff_ids": []})["diff_ids"].append(diff_id)
        doc.setdefault("history", []).append(entry)
        doc["created"] = entry.get("created") or now_rfc3339()
        self.restore(json.dumps(doc, separators=(",", ":")).encode())

    def restore(self, config_bytes: bytes) -> None:
        self.config_bytes = config_bytes
        self.doc = json.loads(config_bytes)
        self.image_id = "sha256:" + hashlib.sha256(config_bytes).hexdigest()


def _pairs(stage: Stage, ins: Instruction) -> list[tuple[str, str]]:
    """`K=V K2=V2` or the legacy `K V with spaces` (ENV and LABEL)."""
    words = split_words(ins.rest, stage.escape)
    if words and "=" not in words[0]:
        key, _, value = ins.rest.partition(" ")
        if not value.strip():
            raise StepError(f"{ins.keyword} names can not be blank")
        return [(stage.word(key), stage.word(value.strip()))]
    pairs = []
    for word in words:
        if "=" not in word:
            raise StepError(f"{ins.keyword} must have two arguments: {word}")
        key, _, value = word.partition("=")
        pairs.append((stage.word(key), stage.word(value)))
    return pairs


def _nop(stage: Stage, text: str, spaces: int = 2) -> str:
    return " ".join(stage.shell) + " #(nop)" + " " * spaces + text


def command_form(stage: Stage, ins: Instruction) -> list[str]:
    if ins.json_args is not None:
        return ins.json_args
    return [*stage.shell, ins.rest] if ins.rest else []


def _duration(text: str) -> int:
    total, pos = 0, 0
    for match in _DURATION.finditer(text):
        if match.start() != pos:
            break
        total += int(float(match.group(1)) * _UNITS[match.group(2)])
        pos = match.end()
    if pos != len(text) or not text:
        raise StepError(f"invalid duration {text!r}")
    return total


def _healthcheck(stage: Stage, ins: Instruction) -> dict[str, Any]:
    kind, _, rest = ins.rest.partition(" ")
    if kind.upper() == "NONE":
        return {"Test": ["NONE"]}
    if kind.upper() != "CMD":
        raise StepError("Unknown type in HEALTHCHECK (try CMD)")
    rest = rest.strip()
    try:
        parsed = json.loads(rest) if rest.startswith("[") else None
    except json.JSONDecodeError:
        parsed = None
    test = ["CMD", *parsed] if isinstance(parsed, list) else ["CMD-SHELL", rest]
    check: dict[str, Any] = {"Test": test}
    durations = (
        ("interval", "Interval"),
        ("timeout", "Timeout"),
        ("start-period", "StartPeriod"),
        ("start-interval", "StartInterval"),
    )
    for flag, key in durations:
        if ins.flag(flag):
            check[key] = _duration(ins.flag(flag))
    if ins.flag("retries"):
        check["Retries"] = int(ins.flag("retries"))
    return check


def apply_config(stage: Stage, ins: Instruction) -> str:
    """Apply a config-only instruction to `stage.config`; return its history `created_by`."""
    config = stage.config
    key = ins.keyword
    if key in ("ENV", "LABEL"):
        pairs = _pairs(stage, ins)
        if key == "ENV":
            env = stage.env()
            env.update(pairs)
            config["Env"] = [f"{k}={v}" for k, v in env.items()]
        else:
            labels = dict(config.get("Labels") or {})
            labels.update(pairs)
            config["Labels"] = labels
        return _nop(stage, key + " " + " ".join(f"{k}={v}" for k, v in pairs))
    if key in ("CMD", "ENTRYPOINT"):
        value = command_form(stage, ins)
        if key == "ENTRYPOINT" and not stage.cmd_set:
            # Docker: a new ENTRYPOINT drops a CMD inherited from the base image.
            config["Cmd"] = None
        config["Cmd" if key == "CMD" else "Entrypoint"] = value or None
        stage.cmd_set = stage.cmd_set or key == "CMD"
        return _nop(stage, f"{key} {go_quote_list(value)}")
    if key == "WORKDIR":
        path = stage.word(ins.rest)
        if not path.startswith("/"):
            path = str(config.get("WorkingDir") or "/").rstrip("/") + "/" + path
        config["WorkingDir"] = path
        return _nop(stage, f"WORKDIR {path}", spaces=1)
    if key == "ONBUILD":
        # Recorded for images built FROM this one, as dockerd does.
        config["OnBuild"] = [*(config.get("OnBuild") or []), ins.rest]
        return _nop(stage, f"ONBUILD {ins.rest}")
    if key == "USER":
        config["User"] = stage.word(ins.rest)
        return _nop(stage, f"USER {config['User']}")
    if key == "EXPOSE":
        ports = dict(config.get("ExposedPorts") or {})
        words = [stage.word(w) for w in split_words(ins.rest, stage.escape)]
        for port in words:
            ports[port if "/" in port else f"{port}/tcp"] = {}
        config["ExposedPorts"] = ports
        return _nop(stage, "EXPOSE " + " ".join(sorted(ports)))
    if key == "VOLUME":
        words = ins.json_args or split_words(ins.rest, stage.escape)
        volumes = dict(config.get("Volumes") or {})
        added = [stage.word(w) for w in words]
        if any(not v for v in added):
            raise StepError("VOLUME specified can not be an empty string")
        volumes.update({v: {} for v in added})
        config["Volumes"] = volumes
        return _nop(stage, f"VOLUME {go_quote_list(added)}")
    if key == "SHELL":
        assert ins.json_args is not None
        if not ins.json_args:
            raise StepError("SHELL requires at least one argument")
        config["Shell"] = ins.json_args
        return _nop(stage, f"SHELL {go_quote_list(ins.json_args)}")
    if key == "STOPSIGNAL":
        config["StopSignal"] = stage.word(ins.rest)
        return _nop(stage, f"STOPSIGNAL {config['StopSignal']}")
    if key == "HEALTHCHECK":
        config["Healthcheck"] = _healthcheck(stage, ins)
        return _nop(stage, f"HEALTHCHECK {ins.rest}")
    if key == "MAINTAINER":
        stage.doc["author"] = stage.word(ins.rest)
        return _nop(stage, f"MAINTAINER {stage.doc['author']}")
    raise StepError(f"{key} is not a config instruction")
