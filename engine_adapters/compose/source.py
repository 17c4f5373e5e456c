"""A YAML file read into plain data plus the line of every key, so problems can name lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]


def path_text(path: Path) -> str:
    """("services", "web", "ports", 0) as `services.web.ports[0]`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass
class Source:
    """The data of one compose file (or of several merged), and where each value came from.

    `files` names the file of a value that came from another file than `file`; `folders`
    gives each file's absolute folder, against which its relative paths resolve.
    `resets` and `overrides` hold the paths tagged `!reset` and `!override`.
    """

    file: str
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    files: dict[Path, str] = field(default_factory=dict)
    folders: dict[str, str] = field(default_factory=dict)
    resets: set[Path] = field(default_factory=set)
    overrides: set[Path] = field(default_factory=set)

    def line(self, path: Path) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        return self.where(path)[1]

    def where(self, path: Path) -> tuple[str, int | None]:
        """The file and line of `path`, or of its nearest ancestor that has a line."""
        while path:
            if path in self.lines:
                return self.files.get(path, self.file), self.lines[path]
            path = path[:-1]
        return self.files.get((), self.file), self.lines.get((), None)

    def folder(self, path: Path) -> str | None:
        """The folder of the file `path` came from, for resolving a relative path there."""
        return self.folders.get(self.where(path)[0])


class YamlProblem(Exception):
    """The file is not YAML at all, or has a duplicate key: `line` says where."""

    def __init__(self, line: int | None, key: str, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.key = key
        self.message = message


def read_source(text: str, file: str) -> Source:
    """Composes the node tree (it keeps marks), then builds data from it by hand."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise YamlProblem(line, "", f"invalid YAML: {exc.problem or exc.context}") from exc
    source = Source(file, None)
    if root is None:
        return source
    constructor = yaml.SafeLoader("")
    source.data = _build(root, (), source, constructor)
    return source


# Compose's merge tags: `!reset` drops what earlier files said, `!override` replaces it whole.
MERGE_TAGS = ("!reset", "!override")


def _build(node: yaml.Node, path: Path, source: Source, constructor: yaml.SafeLoader) -> Any:
    source.lines.setdefault(path, node.start_mark.line + 1)
    if node.tag in MERGE_TAGS:
        (source.resets if node.tag == "!reset" else source.overrides).add(path)
        if isinstance(node, yaml.ScalarNode):
            implicit = constructor.resolve(  # type: ignore[no-untyped-call]
                yaml.ScalarNode, node.value, (True, False)
            )
            node = yaml.ScalarNode(implicit, node.value, node.start_mark, node.end_mark, node.style)
    if isinstance(node, yaml.MappingNode):
        _refuse_duplicates(node, path, constructor)
        constructor.flatten_mapping(node)  # merge keys (`<<: *base`) first, own keys after
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _key(key_node, path, constructor)
            source.lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = _build(value_node, (*path, key), source, constructor)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), source, constructor) for i, item in enumerate(node.value)]
    return constructor.construct_object(node, deep=True)


def _key(node: yaml.Node, path: Path, constructor: yaml.SafeLoader) -> str:
    key = constructor.construct_object(node, deep=True)
    if not isinstance(key, (str, int, float, bool)):
        raise YamlProblem(node.start_mark.line + 1, path_text(path), "keys must be scalars")
    return key if isinstance(key, str) else str(key)


def _refuse_duplicates(node: yaml.MappingNode, path: Path, constructor: yaml.SafeLoader) -> None:
    """A key written twice is an error; one that overrides a merged `<<` key is not."""
    seen: set[str] = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = _key(key_node, path, constructor)
        if key in seen:
            raise YamlProblem(
                key_node.start_mark.line + 1, path_text((*path, key)), "duplicate key"
            )
        seen.add(key)
