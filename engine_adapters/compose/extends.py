"""`extends`: a service built over another, from the same file or another, by merge.py's rules."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine_adapters.compose.checker import Checker, describe
from engine_adapters.compose.errors import Problem
from engine_adapters.compose.interpolate import interpolate
from engine_adapters.compose.merge import extend_service
from engine_adapters.compose.source import Path, Source, YamlProblem, read_source


@dataclass
class _File:
    """One file taking part, with its own checker so that a problem names that file's lines.

    `resolved` records, per service, whether its `extends` is applied (True) or failed (False).
    """

    path: str  # absolute
    check: Checker
    resolved: dict[str, bool] = field(default_factory=dict)

    @property
    def source(self) -> Source:
        return self.check.source

    @property
    def services(self) -> dict[str, Any]:
        data = self.source.data
        services = data.get("services") if isinstance(data, dict) else None
        return services if isinstance(services, dict) else {}


def apply_extends(check: Checker, path: str, env: Mapping[str, str]) -> set[str]:
    """Every `extends` in the file of `check` (at absolute `path`) applied in place, as Compose
    does file by file before several files merge; the names of the services whose `extends`
    failed (each failure is one problem in `check`, naming the file, line and key)."""
    return _Extends(check, path, env).apply()


class _Extends:
    def __init__(self, check: Checker, path: str, env: Mapping[str, str]) -> None:
        self.env = env
        self.main = _File(path, check)
        self.files: dict[str, _File | None] = {path: self.main}  # None: could not be used
        self.unreadable: dict[str, str] = {}  # the OS's reason, by absolute path
        self.chain: list[tuple[_File, str]] = []  # the services being resolved, outermost first

    def apply(self) -> set[str]:
        broken = {name for name in list(self.main.services) if not self._resolve(self.main, name)}
        for other in self.files.values():
            if other is not None and other is not self.main:
                self.main.check.problems.extend(other.check.problems)
                # Values copied from the other file resolve their relative paths in its folder.
                self.main.source.folders.update(other.source.folders)
        return broken

    def _resolve(self, file: _File, name: str) -> bool:
        """Whether service `name` of `file` is now free of `extends`: merged over its base, or
        never had one. The base is resolved first, so chains apply from the far end."""
        if name in file.resolved:
            return file.resolved[name]
        entry = file.services.get(name)
        if not isinstance(entry, dict) or "extends" not in entry:
            file.resolved[name] = True
            return True
        at: Path = ("services", name, "extends")
        on_chain = [i for i, (f, n) in enumerate(self.chain) if f is file and n == name]
        if on_chain:
            loop = [*self.chain[on_chain[0] :], (file, name)]
            shown = " -> ".join(self._label(f, n, file) for f, n in loop)
            file.check.fail(at, f"extends cycle: {shown}")
            return False
        target = self._target(file, at, entry["extends"])
        ok = False
        if target is not None:
            base, base_name = target
            self.chain.append((file, name))
            try:
                ok = self._resolve(base, base_name)
            finally:
                self.chain.pop()
        own = {k: v for k, v in entry.items() if k != "extends"}
        if ok and target is not None:
            base, base_name = target
            file.services[name] = extend_service(
                file.source,
                ("services", name),
                own,
                base.source,
                ("services", base_name),
                base.services[base_name],
            )
        else:
            file.services[name] = own
        file.resolved[name] = ok
        return ok

    def _target(self, file: _File, at: Path, value: Any) -> tuple[_File, str] | None:
        """The file and service that `extends` names, or None once the problem is recorded."""
        check = file.check
        spec = {"service": value} if isinstance(value, str) else check.mapping(at, value)
        if spec is None:
            return None
        check.keys(at, spec, ("service", "file"))
        service = spec.get("service")
        if not isinstance(service, str) or not service:
            key = (*at, "service") if "service" in spec else at
            check.fail(key, f"must name a service, not {describe(service)}")
            return None
        base = file
        if spec.get("file") is not None:
            name = check.string((*at, "file"), spec["file"], numbers=False)
            if name == "":
                check.fail((*at, "file"), "must name a file")
            found = self._open(file, (*at, "file"), name) if name else None
            if found is None:
                return None
            base = found
        where = "" if base is file else f" in {base.source.file}"
        key = (*at, "service") if isinstance(value, dict) else at
        if service not in base.services:
            check.fail(key, f'service "{service}" not found{where}')
            return None
        if not isinstance(base.services[service], dict):
            check.fail(key, f'service "{service}"{where} is not a mapping')
            return None
        return base, service

    def _open(self, file: _File, at: Path, name: str) -> _File | None:
        """Another file, read and interpolated once per load; a fragment needs no other key."""
        given = os.path.expanduser(name)
        path = os.path.normpath(os.path.join(os.path.dirname(file.path), given))
        if path in self.unreadable:
            file.check.fail(at, f'cannot read "{name}": {self.unreadable[path]}')
        if path in self.files:
            return self.files[path]  # None when it was not YAML: that problem names its line
        # Named as the extending file is named (relative or not), so problems read alike.
        shown = os.path.normpath(os.path.join(os.path.dirname(file.source.file), given))
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as exc:
            self.files[path] = None
            self.unreadable[path] = str(exc.strerror)
            file.check.fail(at, f'cannot read "{name}": {exc.strerror}')
            return None
        try:
            source = read_source(text, shown)
        except YamlProblem as exc:
            self.files[path] = None
            file.check.problems.append(Problem(shown, exc.line, exc.key, exc.message))
            return None
        source.folders[shown] = os.path.dirname(path)
        other = _File(path, Checker(source))
        source.data, errors = interpolate(source.data, self.env)
        for error in errors:
            other.check.fail(error.path, error.message)
        self.files[path] = other
        return other

    @staticmethod
    def _label(file: _File, name: str, seen_from: _File) -> str:
        return name if file is seen_from else f"{name} ({file.source.file})"
