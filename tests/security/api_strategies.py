"""Hypothesis strategies for Engine API requests, built from the native API's own typed models.

`well(t)` draws JSON that fits the type; `wrong(t)` draws JSON of another kind.
A malformed body is a well-typed one with one field, somewhere in it, replaced by
a wrong value; every string is drawn so that no host path outside `canary` is named.
"""

from __future__ import annotations

import string
from typing import Any

import msgspec
import msgspec.inspect as mi
from hypothesis import strategies as st

JSON = Any  # drawn JSON values: the one place a test needs "anything"
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
ANY_JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def texts(canary: str) -> st.SearchStrategy[str]:
    """Short names and the strings that have hurt engines: dots, traversal, the canary."""
    risky = [
        "", ".", "..", "../..", "a/../../b", "/", "-", "--", "ALL", "host", "none", "0",
        "-1", "99999999999999999999", "true", "false", "null", "sha256:", "a:b:c",
        f"{canary}", f"{canary}/file", f"{canary}/sub", f"{canary}/file:/x",
        f"{canary}:/x", f"{canary}/sub:/x:rw", "x" * 300, "é\u0000", "$(id)", "%s%n",
    ]  # fmt: skip
    plain = st.text(alphabet=string.ascii_letters + string.digits + "-_.:=,@", max_size=16)
    return st.one_of(st.sampled_from(risky), plain)


class Strategies:
    """Strategies for one model tree, with strings drawn around `canary`."""

    def __init__(self, canary: str) -> None:
        self.text = texts(canary)

    def well(self, kind: mi.Type, depth: int = 0) -> st.SearchStrategy[JSON]:
        if isinstance(kind, mi.UnionType):
            return st.one_of(*(self.well(t, depth) for t in kind.types))
        if isinstance(kind, mi.NoneType):
            return st.none()
        if isinstance(kind, mi.BoolType):
            return st.booleans()
        if isinstance(kind, mi.IntType):
            low = -(2**63) if kind.ge is None else kind.ge
            high = 2**63 - 1 if kind.le is None else kind.le
            return st.integers(min_value=low, max_value=high)
        if isinstance(kind, mi.FloatType):
            return st.floats(allow_nan=False, allow_infinity=False)
        if isinstance(kind, mi.StrType):
            return self.text
        if isinstance(kind, mi.ListType):
            return st.lists(self.well(kind.item_type, depth + 1), max_size=0 if depth > 3 else 3)
        if isinstance(kind, mi.DictType):
            values = self.well(kind.value_type, depth + 1)
            return st.dictionaries(self.text, values, max_size=0 if depth > 3 else 3)
        if isinstance(kind, mi.StructType):
            if depth > 3:
                return st.just({})
            optional = {f.encode_name: self.well(f.type, depth + 1) for f in kind.fields}
            return st.fixed_dictionaries({}, optional=optional)
        return ANY_JSON

    def wrong(self, kind: mi.Type) -> st.SearchStrategy[JSON]:
        """A value of a JSON kind the field does not take (null is taken by every field)."""
        kinds = kind.types if isinstance(kind, mi.UnionType) else (kind,)
        takes = {type(k) for k in kinds}
        options: list[st.SearchStrategy[JSON]] = []
        if mi.StrType not in takes:
            options.append(self.text)
        if not takes & {mi.IntType, mi.FloatType}:
            options.append(st.integers(min_value=-(2**31), max_value=2**31))
        if not takes & {mi.FloatType}:
            options.append(
                st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: f != int(f))
            )
        if mi.BoolType not in takes:
            options.append(st.booleans())
        if mi.ListType not in takes:
            options.append(st.lists(_SCALARS, max_size=2))
        if not takes & {mi.DictType, mi.StructType}:
            options.append(st.dictionaries(st.text(max_size=4), _SCALARS, max_size=2))
        return st.one_of(*options)


@st.composite
def malformed(draw: st.DrawFn, strategies: Strategies, model: type[msgspec.Struct]) -> JSON:
    """A well-typed body of `model` with one field, at any depth, of the wrong kind."""
    info = mi.type_info(model)
    assert isinstance(info, mi.StructType)
    doc: dict[str, JSON] = draw(strategies.well(info))
    target: dict[str, JSON] = doc
    fields = info.fields
    while True:
        spec = draw(st.sampled_from(fields))
        inner = _struct_of(spec.type)
        current = target.get(spec.encode_name)
        if inner is not None and isinstance(current, dict) and draw(st.booleans()):
            target, fields = current, inner.fields
            continue
        target[spec.encode_name] = draw(strategies.wrong(spec.type))
        return doc


def _struct_of(kind: mi.Type) -> mi.StructType | None:
    kinds = kind.types if isinstance(kind, mi.UnionType) else (kind,)
    return next((k for k in kinds if isinstance(k, mi.StructType)), None)
