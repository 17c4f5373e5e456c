"""The filesystem steps: RUN in a container, COPY and ADD from the context or another stage."""

from __future__ import annotations

import asyncio
import contextlib
import posixpath
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from native_runtime.build import runstep, workspace
from native_runtime.build.context import BuildContext, ContextError, content_hash, find_sources
from native_runtime.build.copyfiles import CopyError, CopyOptions, copy_into
from native_runtime.build.expand import split_words
from native_runtime.build.parser import Instruction
from native_runtime.build.stage import Stage, StepError, command_form
from native_runtime.containers import spec
from native_runtime.runtime import Runtime

Say = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class RunPlan:
    """What a RUN will execute and how Docker's history will name it."""

    argv: list[str]
    env: list[str]
    created_by: str


def plan_run(stage: Stage, ins: Instruction) -> RunPlan:
    argv = command_form(stage, ins)
    if not argv:
        raise StepError("RUN requires at least one argument")
    env = stage.env()
    # Build args reach RUN as environment, but are never saved in the image.
    extra = {k: v for k, v in sorted(stage.args.items()) if k not in env}
    created_by = " ".join(argv)
    if extra:
        pairs = " ".join(f"{k}={v}" for k, v in extra.items())
        created_by = f"|{len(extra)} {pairs} {created_by}"
    run_env = [f"{k}={v}" for k, v in {**extra, **env}.items()]
    return RunPlan(argv, run_env, created_by)


async def execute_run(
    rt: Runtime,
    stage: Stage,
    plan: RunPlan,
    say: Say,
    network: str = "",
    extra_hosts: tuple[str, ...] = (),
) -> str:
    """Run the command on top of the stage; return the diff-id of what it changed."""
    with workspace.mounted(rt, stage.diff_ids, with_init=True) as ws:
        await say(f" ---> Running in {ws.id[:12]}\n")

        async def forward(chunk: bytes) -> None:
            await say(chunk.decode(errors="replace"))

        workdir = str(stage.config.get("WorkingDir") or "/")
        user = str(stage.config.get("User") or "")
        code = await runstep.run(
            rt, ws, plan.argv, plan.env, workdir, user, forward, network, extra_hosts
        )
        if code != 0:
            shown = " ".join(plan.argv)
            raise runstep.RunFailed(f"The command '{shown}' returned a non-zero code: {code}", code)
        diff_id = await asyncio.to_thread(workspace.store_diff, rt, ws.dirs.upper)
        await say(f"Removing intermediate container {ws.id[:12]}\n")
        return diff_id


@dataclass(frozen=True)
class CopyPlan:
    """Sources resolved, destination made absolute, and the history text with the hash."""

    sources: list[Path]
    dest: str
    owner_spec: str
    chmod: int | None
    extract: bool
    created_by: str

    @property
    def cache_extra(self) -> str:
        return f"chown={self.owner_spec} chmod={self.chmod}"


def _words(stage: Stage, ins: Instruction) -> list[str]:
    raw = ins.json_args if ins.json_args is not None else split_words(ins.rest, stage.escape)
    return [stage.word(w) for w in raw]


def plan_copy(stage: Stage, ins: Instruction, source_root: Path, from_context: bool) -> CopyPlan:
    words = _words(stage, ins)
    if len(words) < 2:
        raise StepError(f"{ins.keyword} requires at least two arguments")
    *patterns, dest = words
    extract = ins.keyword == "ADD"
    for pattern in patterns:
        if pattern.startswith(("http://", "https://", "git@")):
            raise StepError(
                f"ADD {pattern}: remote sources are not supported by the native builder "
                "(there is no internet); put the file in the build context instead"
            )
    try:
        sources: list[Path] = []
        for pattern in patterns:
            sources += find_sources(source_root, pattern, "context" if from_context else "stage")
    except ContextError as exc:
        raise StepError(f"{ins.keyword} failed: {exc}") from exc
    if not dest.startswith("/"):
        workdir = str(stage.config.get("WorkingDir") or "/")
        dest = posixpath.join(workdir, dest) + ("/" if dest.endswith("/") or dest == "." else "")
    chmod = None
    if ins.flag("chmod"):
        try:
            chmod = int(ins.flag("chmod"), 8)
        except ValueError as exc:
            raise StepError(f"invalid --chmod={ins.flag('chmod')}") from exc
    kind = "multi"
    if len(sources) == 1:
        kind = "dir" if sources[0].is_dir() else "file"
    digest = content_hash(sources)
    created_by = f"{' '.join(stage.shell)} #(nop) {ins.keyword} {kind}:{digest} in {dest} "
    owner = stage.word(ins.flag("chown")) if ins.flag("chown") else ""
    return CopyPlan(sources, dest, owner, chmod, extract, created_by)


def _owner(rootfs: Path, owner_spec: str, from_context: bool) -> tuple[int, int] | None:
    if not owner_spec:
        # Context files become root's; COPY --from keeps the owners it finds.
        return (0, 0) if from_context else None
    try:
        user = spec.resolve_user(rootfs, owner_spec)
    except LookupError as exc:
        raise StepError(f"--chown={owner_spec}: {exc}") from exc
    return int(user["uid"]), int(user["gid"])


async def execute_copy(rt: Runtime, stage: Stage, plan: CopyPlan, from_context: bool) -> str:
    with workspace.mounted(rt, stage.diff_ids) as ws:
        owner = _owner(ws.rootfs, plan.owner_spec, from_context)
        options = CopyOptions(owner, plan.chmod, plan.extract)
        try:
            await asyncio.to_thread(
                copy_into, ws.rootfs, plan.sources, plan.dest, options, rt.paths.tmp
            )
        except (CopyError, OSError) as exc:
            raise StepError(f"COPY failed: {exc}") from exc
        return await asyncio.to_thread(workspace.store_diff, rt, ws.dirs.upper)


@contextlib.contextmanager
def source_root(
    rt: Runtime, ctx: BuildContext, stages: dict[str, Stage], ins: Instruction
) -> Iterator[tuple[Path, bool]]:
    """Where COPY reads from: the context, an earlier stage, or any image (`--from`)."""
    ref = ins.flag("from")
    if not ref:
        yield ctx.root, True
        return
    if ref.lower() in stages:
        diff_ids = stages[ref.lower()].diff_ids
    else:
        diff_ids = rt.images.lookup(ref).diff_ids
    with workspace.mounted(rt, diff_ids) as ws:
        yield ws.rootfs, False
