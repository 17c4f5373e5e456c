"""Several compose files merged into one by the Compose spec's rules, keeping each value's origin.

Mappings merge key by key and sequences append, except: `command`, `entrypoint` and
`healthcheck.test` are replaced; `environment`, `labels`, build `args`, `depends_on` and a
service's `networks` merge by key whichever form (list or mapping) each file uses; `ports`
are unique by (ip, target, published, protocol) and `volumes` by target, a later entry
replacing an earlier one; `dns`, `expose` and their kin drop exact repeats. `!reset` removes
what earlier files said and `!override` replaces it whole. Every merged value keeps the file
and line it came from, so a problem found later still names them. A service's `extends`
merges over its base by the same rules (`extend_service`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from engine_adapters.compose.fields import short_port
from engine_adapters.compose.source import Path, Source

_DROP = object()  # a `!reset` value: the key disappears from the result

_REPLACED = ("command", "entrypoint")
# Lists of "KEY=value" (or mappings) merged by KEY.
_PAIRS = ("environment", "labels", "sysctls", "annotations")
# Lists of names (or mappings keyed by name) merged by name.
_NAMES = ("depends_on", "networks")
_UNIQUE = (
    "dns",
    "dns_search",
    "dns_opt",
    "expose",
    "env_file",
    "cap_add",
    "cap_drop",
    "profiles",
    "tmpfs",
    "security_opt",
    "links",
    "external_links",
    "extra_hosts",
    "group_add",
    "devices",
)


def merge_sources(sources: Sequence[Source]) -> Source:
    """The first source with each later one merged over it, in order."""
    first = sources[0]
    out = Source(first.file, None)
    for source in sources:
        out.folders.update(source.folders)
    data = _adopt(out, first, (), (), first.data)
    out.data = None if data is _DROP else data
    for source in sources[1:]:
        merged = _merge(out, out.data, source, (), source.data, ())
        out.data = None if merged is _DROP else merged
    return out


def extend_service(out: Source, dst: Path, own: Any, base: Source, at: Path, value: Any) -> Any:
    """`extends`: the service `own` (at `dst` in `out`) merged over a copy of `value` (at `at`
    in `base`, which may be `out`) by the same rules as a later file's; the merged service.

    The caller stores the result at `dst`; each value keeps the file and line it came from.
    """
    size = len(dst)
    mine = Source(
        out.file,
        own,
        lines={p: n for p, n in out.lines.items() if p[:size] == dst},
        files={p: f for p, f in out.files.items() if p[:size] == dst},
        resets=out.resets,
        overrides=out.overrides,
    )
    _forget(out, dst)
    copied = _adopt(out, base, at, dst, value)
    merged = _merge(out, copied, mine, dst, own, dst)
    return {} if merged is _DROP else merged


def _rule(path: Path) -> str:
    """How the value at `path` merges: by its key and, for service fields, its parent."""
    if len(path) >= 3 and path[0] == "services":
        field = path[2:]
        if len(field) == 1:
            name = field[0]
            if name in _REPLACED:
                return "replace"
            if name in _PAIRS:
                return "pairs"
            if name in _NAMES:
                return "names"
            if name in _UNIQUE:
                return "unique"
            if name in ("ports", "volumes", "build"):
                return str(name)
        if field == ("healthcheck", "test"):
            return "replace"
        if field in (("build", "args"), ("build", "labels"), ("deploy", "labels")):
            return "pairs"
    return "plain"


def _merge(out: Source, base: Any, src: Source, at: Path, new: Any, dst: Path) -> Any:
    """`new` (at `at` in `src`) merged over `base` (at `dst` in `out`); the merged value."""
    if at in src.resets:
        _forget(out, dst)
        return _DROP
    if new is None and isinstance(base, (dict, list)):
        return base  # an empty key in an override file leaves the earlier value alone
    rule = _rule(dst)
    if at in src.overrides or rule == "replace":
        return _replace(out, src, at, new, dst)
    if rule == "build":
        if isinstance(new, dict):
            base = _context(out, base, dst)
        elif isinstance(base, dict) and isinstance(new, str):
            base["context"] = _merge(out, base.get("context"), src, at, new, (*dst, "context"))
            return base
    if rule in ("pairs", "names"):
        return _merge_keyed(out, base, src, at, new, dst, rule)
    if isinstance(base, dict) and isinstance(new, dict):
        for key, item in new.items():
            child = (*dst, key)
            merged = (
                _merge(out, base[key], src, (*at, key), item, child)
                if key in base
                else _adopt(out, src, (*at, key), child, item)
            )
            if merged is _DROP:
                base.pop(key, None)
            else:
                base[key] = merged
        return base
    if isinstance(base, list) and isinstance(new, list):
        key = {"ports": _port_key, "volumes": _volume_key, "unique": _same}.get(rule)
        return _append(out, base, src, at, new, dst, key, replace=rule != "unique")
    return _replace(out, src, at, new, dst)


def _replace(out: Source, src: Source, at: Path, new: Any, dst: Path) -> Any:
    _forget(out, dst)
    return _adopt(out, src, at, dst, new)


def _adopt(out: Source, src: Source, at: Path, dst: Path, value: Any) -> Any:
    """A copy of `value` placed at `dst`, with the origin of it and of all it holds."""
    if at in src.resets:
        return _DROP
    if at in src.lines:
        out.lines[dst] = src.lines[at]
        # A source may itself hold values from other files (a service it extended).
        out.files[dst] = src.files.get(at, src.file)
    if isinstance(value, dict):
        result: dict[str, Any] = {}
        for key, item in value.items():
            copied = _adopt(out, src, (*at, key), (*dst, key), item)
            if copied is not _DROP:
                result[key] = copied
        return result
    if isinstance(value, list):
        items: list[Any] = []
        for i, item in enumerate(value):
            copied = _adopt(out, src, (*at, i), (*dst, len(items)), item)
            if copied is not _DROP:
                items.append(copied)
        return items
    return value


def _forget(out: Source, dst: Path) -> None:
    """Drops the origins recorded at and under `dst`: a replaced value's are stale."""
    size = len(dst)
    for table in (out.lines, out.files):
        for path in [p for p in table if p[:size] == dst]:
            del table[path]


def _move(out: Source, old: Path, new: Path) -> None:
    """The origin of a value that changed its place (a list item becoming a mapping entry)."""
    size = len(old)
    for path in [p for p in out.lines if p[:size] == old]:
        moved = (*new, *path[size:])
        out.lines[moved] = out.lines.pop(path)
        if path in out.files:
            out.files[moved] = out.files.pop(path)


def _entries(value: Any, rule: str) -> list[tuple[str, Any, str | int]] | None:
    """(key, value, where in `value`) for a mapping or a list of "KEY=value" or names;
    None when an item is of neither form (the checker will name it)."""
    if isinstance(value, dict):
        return [(key, item, key) for key, item in value.items()]
    if not isinstance(value, list):
        return None
    result: list[tuple[str, Any, str | int]] = []
    for i, item in enumerate(value):
        if not isinstance(item, str):
            return None
        if rule == "names":
            result.append((item, None, i))
        else:
            key, sep, text = item.partition("=")
            result.append((key, text if sep else None, i))
    return result


def _merge_keyed(
    out: Source, base: Any, src: Source, at: Path, new: Any, dst: Path, rule: str
) -> Any:
    old_entries, new_entries = _entries(base, rule), _entries(new, rule)
    if old_entries is None or new_entries is None:
        return _replace(out, src, at, new, dst)
    merged: dict[str, Any] = {}
    for key, item, where in old_entries:
        if where != key:
            _move(out, (*dst, where), (*dst, key))
        merged[key] = item
    for key, item, where in new_entries:
        child = (*dst, key)
        value = (
            _merge(out, merged[key], src, (*at, where), item, child)
            if key in merged
            else _adopt(out, src, (*at, where), child, item)
        )
        if value is _DROP:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _context(out: Source, base: Any, dst: Path) -> Any:
    """`build: ./dir` is `build: {context: ./dir}` once another file adds to it."""
    if not isinstance(base, str):
        return base
    if dst in out.lines:
        out.lines[(*dst, "context")] = out.lines[dst]
        out.files[(*dst, "context")] = out.files.get(dst, out.file)
    return {"context": base}


def _append(
    out: Source,
    base: list[Any],
    src: Source,
    at: Path,
    new: list[Any],
    dst: Path,
    key: Callable[[Any], Hashable] | None,
    replace: bool,
) -> list[Any]:
    """New items go at the end; one whose key an earlier item shares replaces it in place
    (`replace`) or is dropped as a repeat."""
    for j, item in enumerate(new):
        found = None
        if key is not None:
            wanted = key(item)
            found = next((i for i, old in enumerate(base) if key(old) == wanted), None)
        if found is not None and not replace:
            continue
        index = len(base) if found is None else found
        _forget(out, (*dst, index))
        copied = _adopt(out, src, (*at, j), (*dst, index), item)
        if copied is _DROP:
            continue
        if found is None:
            base.append(copied)
        else:
            base[found] = copied
    return base


def _same(item: Any) -> Hashable:
    return repr(item)


def _port_key(item: Any) -> Hashable:
    if isinstance(item, dict):
        published = item.get("published")
        return (
            (
                item.get("target"),
                None if published in (None, "") else str(published),
                str(item.get("protocol") or "tcp").lower(),
                str(item.get("host_ip") or ""),
            ),
        )
    parsed = short_port(str(item)) if isinstance(item, (str, int)) else None
    if not parsed:
        return repr(item)
    return tuple((p.target, p.published_text, p.protocol, p.host_ip) for p in parsed)


def _volume_key(item: Any) -> Hashable:
    if isinstance(item, dict):
        return ("target", repr(item.get("target")))
    if isinstance(item, str):
        parts = item.split(":")
        return ("target", repr(parts[1] if len(parts) > 1 else parts[0]))
    return repr(item)
