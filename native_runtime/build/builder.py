"""The classic builder's loop: stages, steps, the layer cache and Docker's progress lines."""

from __future__ import annotations

import copy
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from native_runtime.build import steps
from native_runtime.build.cache import BuildCache, cache_key
from native_runtime.build.cache_from import CacheSources
from native_runtime.build.context import BuildContext, ContextError
from native_runtime.build.expand import SubstitutionError, process_word, split_words
from native_runtime.build.parser import Dockerfile, DockerfileError, Instruction, parse
from native_runtime.build.runstep import RunFailed
from native_runtime.build.stage import Stage, StepError, apply_config, scratch_doc
from native_runtime.errors import NativeError, NotFound
from native_runtime.runtime import Runtime

Emit = Callable[[dict[str, Any]], Awaitable[None]]
# Lets the daemon pull a missing FROM image; None means "local images only".
PullHook = Callable[[Runtime, str, Emit], Awaitable[None]]
CONFIG_STEPS = {
    "ENV", "LABEL", "CMD", "ENTRYPOINT", "WORKDIR", "USER", "EXPOSE", "VOLUME", "SHELL",
    "STOPSIGNAL", "HEALTHCHECK", "MAINTAINER", "ONBUILD",
}  # fmt: skip
# Docker lets these through without an ARG declaration.
PREDEFINED_ARGS = {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
                   "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"}  # fmt: skip


class BuildError(Exception):
    """Any failure; the message is what the client shows after `ERROR`.

    `code` is a failed RUN's exit code, which dockerd puts in the error's detail.
    """

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class BuildOptions:
    """The `POST /build` query, decoded."""

    tags: list[str] = field(default_factory=list)
    dockerfile: str = "Dockerfile"
    build_args: dict[str, str | None] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    nocache: bool = False
    quiet: bool = False
    target: str = ""
    network: str = ""  # `--network`: "" is the default bridge, or host, none, a network
    extra_hosts: tuple[str, ...] = ()  # `--add-host` as `name:address`, for RUN steps
    cache_from: tuple[str, ...] = ()  # `--cache-from`: images whose steps the build may reuse


class Builder:
    """One build: walks the Dockerfile, emitting Docker's JSON messages through `emit`."""

    def __init__(
        self, rt: Runtime, ctx: BuildContext, options: BuildOptions, emit: Emit,
        pull: PullHook | None = None,
    ) -> None:  # fmt: skip
        self.rt = rt
        self.ctx = ctx
        self.options = options
        self.emit = emit
        self.pull = pull
        self.cache = BuildCache(rt.paths.data_root / "build-cache", rt.layers)
        self.sources = (
            CacheSources(rt.images, rt.layers, options.cache_from) if options.cache_from else None
        )
        self.stages: dict[str, Stage] = {}
        self.global_args: dict[str, str] = {}
        self.used_args: set[str] = set()
        self.filename = "Dockerfile"

    async def say(self, text: str) -> None:
        if not self.options.quiet:
            await self.emit({"stream": text})

    async def run(self) -> str:
        """Build and tag; return the image id. Errors come out as BuildError."""
        try:
            text, self.filename = self.ctx.read_dockerfile(self.options.dockerfile)
            # Read already, the Dockerfile and .dockerignore go too when they are ignored:
            # dockerd removes them from the context then, so `COPY .` leaves them out.
            self.ctx.apply_dockerignore(keep=set())
            dockerfile = parse(text, self.filename)
            return await self._build(dockerfile)
        except DockerfileError as exc:
            raise BuildError(str(exc)) from exc
        except ContextError as exc:
            raise BuildError(str(exc)) from exc

    def _fail(self, ins: Instruction, message: str, code: int | None = None) -> BuildError:
        return BuildError(f"{self.filename}:{ins.line}: {message}", code)

    async def _build(self, dockerfile: Dockerfile) -> str:
        instructions = list(dockerfile.instructions)
        if self.options.labels:
            labels = " ".join(f'"{k}"="{v}"' for k, v in sorted(self.options.labels.items()))
            instructions.append(Instruction(0, "LABEL", labels, f"LABEL {labels}"))
        total = len(instructions)
        stage: Stage | None = None
        for number, ins in enumerate(instructions, start=1):
            if ins.keyword == "FROM" and stage is not None and self._is_target(stage):
                break
            await self.say(f"Step {number}/{total} : {ins.original}\n")
            try:
                stage = await self._step(stage, ins, dockerfile.escape)
            except (StepError, SubstitutionError, NativeError, RunFailed) as exc:
                message = getattr(exc, "message", None) or str(exc)
                code = exc.code if isinstance(exc, RunFailed) else None
                raise self._fail(ins, message, code) from exc
            if stage is not None:
                await self.say(f" ---> {_short(stage.image_id)}\n")
        if stage is None:
            raise BuildError("no FROM instruction")
        if self.options.target and not self._is_target(stage):
            raise BuildError(f"failed to reach build target {self.options.target} in Dockerfile")
        return await self._finish(stage)

    def _is_target(self, stage: Stage) -> bool:
        return bool(self.options.target) and stage.name == self.options.target.lower()

    async def _finish(self, stage: Stage) -> str:
        unused = sorted(set(self.options.build_args) - self.used_args - PREDEFINED_ARGS)
        if unused:
            await self.say(
                f"[Warning] One or more build-args [{' '.join(unused)}] were not consumed\n"
            )
        image_id = self.rt.images.put(stage.config_bytes, [])
        for tag in self.options.tags:
            self.rt.images.tag(image_id, tag)
        await self.emit({"aux": {"ID": image_id}})
        if self.options.quiet:
            # The CLI's `-q` prints the stream text it got: the id alone.
            await self.emit({"stream": image_id + "\n"})
        await self.say(f"Successfully built {_short(image_id)}\n")
        for tag in self.options.tags:
            await self.say(f"Successfully tagged {tag}\n")
        return image_id

    async def _step(self, stage: Stage | None, ins: Instruction, escape: str) -> Stage | None:
        if ins.keyword == "FROM":
            return await self._from(ins, escape)
        if stage is None:
            if ins.keyword != "ARG":
                raise StepError(f"{ins.keyword} before FROM")
            self._declare_args(ins, self.global_args, self.global_args)
            return None
        if ins.keyword == "ARG":
            self._declare_args(ins, stage.args, stage.expansion_env())
            created_by = f"{' '.join(stage.shell)} #(nop)  ARG {ins.rest}"
            await self._cached(stage, created_by, "", None)
        elif ins.keyword in CONFIG_STEPS:
            created_by = apply_config(stage, ins)
            await self._cached(stage, created_by, "", None)
        elif ins.keyword == "RUN":
            plan = steps.plan_run(stage, ins)
            await self._cached(
                stage,
                plan.created_by,
                "",
                lambda: steps.execute_run(
                    self.rt, stage, plan, self.say, self.options.network, self.options.extra_hosts
                ),
            )
        elif ins.keyword in ("COPY", "ADD"):
            with steps.source_root(self.rt, self.ctx, self.stages, ins) as (root, from_ctx):
                cplan = steps.plan_copy(stage, ins, root, from_ctx)
                copy_layer = lambda: steps.execute_copy(self.rt, stage, cplan, from_ctx)  # noqa: E731
                await self._cached(stage, cplan.created_by, cplan.cache_extra, copy_layer)
        else:
            raise StepError(f"{ins.keyword} is not supported")
        return stage

    async def _cached(
        self, stage: Stage, created_by: str, extra: str,
        make_layer: Callable[[], Awaitable[str]] | None,
    ) -> None:  # fmt: skip
        """Docker's classic cache: the same parent and the same instruction give the same image."""
        key = cache_key(stage.image_id, created_by, extra)
        if not self.options.nocache:
            hit = self.cache.get(key)
            if hit is not None and (self.sources is None or self.sources.admits(hit)):
                stage.restore(hit)
                await self.say(" ---> Using cache\n")
                return
            if self._from_sources(stage, created_by):
                self.cache.put(key, stage.config_bytes)
                await self.say(" ---> Using cache\n")
                return
        diff_id = await make_layer() if make_layer is not None else None
        stage.commit(created_by, diff_id)
        self.cache.put(key, stage.config_bytes)

    def _from_sources(self, stage: Stage, created_by: str) -> bool:
        """Take the step from a `--cache-from` image's history, if one holds it."""
        if self.sources is None:
            return False
        history = list(stage.doc.get("history") or [])
        restored = self.sources.restore(history, stage.diff_ids, created_by)
        if restored is None:
            return False
        if restored.config_bytes is not None:
            stage.restore(restored.config_bytes)
        else:
            stage.append(restored.entry, restored.diff_id)
        return True

    def _declare_args(self, ins: Instruction, scope: dict[str, str], env: dict[str, str]) -> None:
        for word in split_words(ins.rest):
            name, has_default, default = word.partition("=")
            if name in self.options.build_args and self.options.build_args[name] is not None:
                value = str(self.options.build_args[name])
            elif has_default:
                value = process_word(default, env)
            elif name in self.global_args:
                value = self.global_args[name]
            else:
                continue
            self.used_args.add(name)
            scope[name] = value

    async def _from(self, ins: Instruction, escape: str) -> Stage:
        words = split_words(ins.rest)
        if len(words) not in (1, 3) or (len(words) == 3 and words[1].upper() != "AS"):
            raise StepError("FROM requires either one or three arguments (FROM image [AS name])")
        ref = process_word(words[0], self.global_args, escape)
        name = words[2].lower() if len(words) == 3 else ""
        index = len({id(s) for s in self.stages.values()})
        if ref.lower() in self.stages:
            parent = self.stages[ref.lower()]
            stage = Stage(
                index, name, copy.deepcopy(parent.doc), parent.config_bytes, parent.image_id
            )
        elif ref == "scratch":
            stage = Stage(index, name, {}, b"", "")
            stage.restore(json.dumps(scratch_doc(), separators=(",", ":")).encode())
        else:
            record = await self._base_image(ref)
            if (record.config.get("config") or {}).get("OnBuild"):
                # Running a base image's triggers is not done here; building on as if
                # there were none would give a different image than dockerd's.
                raise StepError(
                    f"{ref} has ONBUILD triggers, which the native builder does not run"
                )
            stage = Stage(index, name, record.config, record.config_bytes, record.id)
        stage.escape = escape
        self.stages[str(index)] = stage
        if name:
            self.stages[name] = stage
        return stage

    async def _base_image(self, ref: str) -> Any:
        try:
            return self.rt.images.lookup(ref)
        except NotFound:
            if self.pull is None:
                raise StepError(
                    f"pull access denied for {ref}: the image is not in the native engine "
                    "(docker pull or docker load it first)"
                ) from None
        await self.pull(self.rt, ref, self.emit)
        return self.rt.images.lookup(ref)


def _short(image_id: str) -> str:
    return image_id.removeprefix("sha256:")[:12]
