"""Docker's list filters: the `filters` query decoded once, and matched one way for every list."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import TypeVar

import msgspec

from native_runtime.errors import BadParameter

_T = TypeVar("_T")
# One test per filter key: does this object match one value given for the key?
Test = Callable[[str], bool]
Facts = Mapping[str, Test]

_TRUE = ("true", "1")
_FALSE = ("false", "0")
# Old clients send `{"key": {"value": true}}`, newer ones `{"key": ["value"]}`.
_Wire = dict[str, list[str] | dict[str, bool]]


class Filters:
    """Key -> accepted values: an object matches when, for every key, one value matches.

    `label` (and `label!`) are the exception, as in dockerd: every label given must match.
    """

    def __init__(self, terms: Mapping[str, list[str]] | None = None) -> None:
        self.terms = {k: list(v) for k, v in (terms or {}).items() if v}

    @classmethod
    def parse(cls, raw: str) -> Filters:
        if not raw.strip():
            return cls()
        try:
            doc = msgspec.json.decode(raw, type=_Wire)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise BadParameter(f"invalid filter: {exc}") from exc
        except RecursionError as exc:
            raise BadParameter("invalid filter: exceeded max depth") from exc
        terms = {
            key: [v for v, on in value.items() if on] if isinstance(value, dict) else value
            for key, value in doc.items()
        }
        return cls(terms)

    def __contains__(self, key: str) -> bool:
        return key in self.terms

    def get(self, key: str) -> list[str]:
        return self.terms.get(key, [])

    def validate(self, accepted: Collection[str]) -> Filters:
        """dockerd refuses a key it does not know for this list (and a bad boolean)."""
        for key, values in self.terms.items():
            if key not in accepted:
                raise BadParameter(f"Invalid filter '{key}'")
            if key == "dangling" and any(v.lower() not in _TRUE + _FALSE for v in values):
                raise BadParameter(f"Invalid filter 'dangling=[{' '.join(values)}]'")
        return self

    def flag(self, key: str, default: bool | None = None) -> bool | None:
        """A boolean filter such as `dangling` (None: not given)."""
        values = self.get(key)
        return values[0].lower() in _TRUE if values else default

    def matches(self, facts: Facts) -> bool:
        for key, values in self.terms.items():
            test = facts.get(key)
            if test is None:
                continue
            if key in ("label", "label!"):
                if not all(test(v) for v in values):
                    return False
            elif not any(test(v) for v in values):
                return False
        return True

    def select(self, items: Iterable[_T], facts: Callable[[_T], Facts]) -> list[_T]:
        if not self.terms:
            return list(items)  # no facts to gather (a container's cost SQL reads)
        return [item for item in items if self.matches(facts(item))]


def label(labels: Mapping[str, str]) -> Test:
    """`key` (present) or `key=value` (present with that value)."""

    def test(want: str) -> bool:
        key, eq, value = want.partition("=")
        return key in labels and (not eq or labels[key] == value)

    return test


def name(text: str) -> Test:
    """dockerd matches names as a regular substring; a leading `/` is the container form."""
    return lambda want: want.removeprefix("/") in text.removeprefix("/")


def ident(full_id: str) -> Test:
    """An id matches by prefix (`docker ps -f id=abc`)."""
    bare = full_id.removeprefix("sha256:")
    return lambda want: bool(want) and bare.startswith(want.removeprefix("sha256:"))


def one_of(*values: str) -> Test:
    present = {v for v in values if v}
    return lambda want: want in present


def boolean(value: bool) -> Test:
    return lambda want: (want.lower() in _TRUE) == value


def reference(tags: Iterable[str]) -> Test:
    """Image references: `repo` patterns match the repository, `repo:tag` ones the tag."""
    tags = list(tags)

    def test(pattern: str) -> bool:
        for tag in tags:
            repo = tag.rpartition(":")[0]
            subject = tag if ":" in pattern.rsplit("/", 1)[-1] else repo
            if fnmatch.fnmatchcase(subject, pattern):
                return True
        return False

    return test
