"""Dockerfile word processing: quotes, the escape character and `$VAR` substitution."""

from __future__ import annotations

from collections.abc import Mapping


class SubstitutionError(ValueError):
    """A malformed `${...}` expression."""


class _Scanner:
    """Walks one word, expanding variables and dropping quotes like Docker's shell lexer."""

    def __init__(self, text: str, env: Mapping[str, str], escape: str) -> None:
        self.text = text
        self.env = env
        self.escape = escape
        self.pos = 0

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def take(self) -> str:
        ch = self.peek()
        self.pos += 1
        return ch

    def word(self, stop: str = "") -> str:
        out: list[str] = []
        while self.pos < len(self.text):
            ch = self.peek()
            if stop and ch in stop:
                break
            if ch == self.escape:
                self.take()
                out.append(self.take())
            elif ch == "'":
                self.take()
                out.append(self._until("'"))
            elif ch == '"':
                self.take()
                out.append(self._double())
            elif ch == "$":
                out.append(self._dollar())
            else:
                out.append(self.take())
        return "".join(out)

    def _until(self, end: str) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.peek() != end:
            self.pos += 1
        value = self.text[start : self.pos]
        self.take()
        return value

    def _double(self) -> str:
        out: list[str] = []
        while self.pos < len(self.text) and self.peek() != '"':
            ch = self.peek()
            if ch == self.escape:
                self.take()
                nxt = self.take()
                # Inside double quotes the escape only protects `"`, `$` and itself.
                out.append(nxt if nxt in ('"', "$", self.escape) else ch + nxt)
            elif ch == "$":
                out.append(self._dollar())
            else:
                out.append(self.take())
        self.take()
        return "".join(out)

    def _name(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and (self.peek().isalnum() or self.peek() == "_"):
            self.pos += 1
        return self.text[start : self.pos]

    def _dollar(self) -> str:
        self.take()
        if self.peek() == "{":
            self.take()
            name = self._name()
            if not name:
                raise SubstitutionError(f"bad substitution in {self.text!r}")
            if self.peek() == "}":
                self.take()
                return self.env.get(name, "")
            if self.peek() != ":":
                raise SubstitutionError(f"unsupported modifier in {self.text!r}")
            self.take()
            modifier = self.take()
            if modifier not in ("-", "+"):
                raise SubstitutionError(f"unsupported modifier ':{modifier}' in {self.text!r}")
            alternative = self.word(stop="}")
            if self.take() != "}":
                raise SubstitutionError(f"missing '}}' in {self.text!r}")
            value = self.env.get(name, "")
            if modifier == "-":
                return value or alternative
            return alternative if value else ""
        name = self._name()
        if not name:
            return "$"
        return self.env.get(name, "")


def process_word(text: str, env: Mapping[str, str], escape: str = "\\") -> str:
    """Expand one word: `$A`, `${A}`, `${A:-default}`, `${A:+alt}`; quotes are removed."""
    return _Scanner(text, env, escape).word()


def split_words(text: str, escape: str = "\\") -> list[str]:
    """Split on unquoted whitespace, keeping quotes for `process_word` to handle."""
    words: list[str] = []
    current: list[str] = []
    quote = ""
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch == escape and pos + 1 < len(text) and quote != "'":
            current.append(text[pos : pos + 2])
            pos += 2
            continue
        if quote:
            if ch == quote:
                quote = ""
            current.append(ch)
        elif ch in ("'", '"'):
            quote = ch
            current.append(ch)
        elif ch.isspace():
            if current:
                words.append("".join(current))
                current = []
        else:
            current.append(ch)
        pos += 1
    if quote:
        raise SubstitutionError(f"unmatched quote in {text!r}")
    if current:
        words.append("".join(current))
    return words
