"""Dockerfile parser and word expansion: forms, directives, continuations, errors by line."""

from __future__ import annotations

import pytest

from native_runtime.build.expand import SubstitutionError, process_word, split_words
from native_runtime.build.parser import DockerfileError, parse

ALL = """\
# escape=\\
ARG BASE=busybox
FROM --platform=linux/amd64 ${BASE}:latest AS base
# a comment
RUN echo one \\
    # comment inside a continuation
    && echo two
RUN ["/bin/echo", "exec form"]
COPY --from=base --chown=1:2 a b /dst/
ADD archive.tar /opt/
CMD ["run"]
ENTRYPOINT /bin/entry
ENV A=1 B="two words"
ENV LEGACY value with spaces
WORKDIR /app
EXPOSE 80 53/udp
LABEL k=v
USER 65534
VOLUME ["/data"]
SHELL ["/bin/sh", "-ec"]
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=5s CMD true
MAINTAINER me
"""


def test_every_instruction_parses_with_line_numbers() -> None:
    parsed = parse(ALL)
    keywords = [(i.keyword, i.line) for i in parsed.instructions]
    assert keywords[:4] == [("ARG", 2), ("FROM", 3), ("RUN", 5), ("RUN", 8)]
    assert {k for k, _ in keywords} >= {
        "COPY", "ADD", "CMD", "ENTRYPOINT", "ENV", "WORKDIR", "EXPOSE", "LABEL", "USER",
        "VOLUME", "SHELL", "STOPSIGNAL", "HEALTHCHECK", "MAINTAINER",
    }  # fmt: skip
    by_kw = {i.keyword: i for i in parsed.instructions}
    assert by_kw["FROM"].flags == {"platform": "linux/amd64"}
    assert by_kw["COPY"].flags == {"from": "base", "chown": "1:2"}
    assert by_kw["CMD"].json_args == ["run"]
    assert by_kw["ENTRYPOINT"].json_args is None
    run = parsed.instructions[2]
    assert run.rest == "echo one     && echo two"


def test_backtick_escape_directive() -> None:
    parsed = parse("# escape=`\nFROM x\nRUN echo a `\n  b\n")
    assert parsed.escape == "`"
    assert parsed.instructions[1].rest == "echo a   b"


def test_directive_after_comment_is_only_a_comment() -> None:
    parsed = parse("# hello\n# escape=`\nFROM x\nRUN a \\\n b\n")
    assert parsed.escape == "\\"
    assert parsed.instructions[1].rest == "a  b"


def test_unknown_instruction_names_its_line() -> None:
    with pytest.raises(DockerfileError, match=r"^Dockerfile:7: unknown instruction: COPPY$"):
        parse("FROM x\n\n# c\nRUN a \\\n  b\n\nCOPPY a b\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("RUN x\n", "Dockerfile:1: no build stage in current context"),
        ("FROM x\nSHELL /bin/sh\n", "Dockerfile:2: SHELL requires the arguments to be in JSON"),
        ("FROM x\nCOPY --bogus=1 a b\n", "Dockerfile:2: unknown flag: --bogus"),
        ("FROM x\nONBUILD FROM y\n", "Dockerfile:2: FROM isn't allowed as an ONBUILD trigger"),
        ("FROM x\nWORKDIR\n", "Dockerfile:2: WORKDIR requires at least one argument"),
        ("ARG A\n", "no FROM instruction"),
    ],
)
def test_errors(text: str, message: str) -> None:
    with pytest.raises(DockerfileError) as info:
        parse(text)
    assert message in str(info.value)


def test_invalid_json_falls_back_to_shell_form() -> None:
    ins = parse("FROM x\nCMD [not json\n").instructions[1]
    assert ins.json_args is None and ins.rest == "[not json"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("$A", "1"),
        ("${A}x", "1x"),
        ("${NOPE:-dflt}", "dflt"),
        ("${A:-dflt}", "1"),
        ("${A:+alt}", "alt"),
        ("${NOPE:+alt}", ""),
        ("'$A'", "$A"),
        ('"$A b"', "1 b"),
        ("\\$A", "$A"),
        ("a$", "a$"),
        ("${EMPTY:-e}", "e"),
    ],
)
def test_process_word(word: str, expected: str) -> None:
    assert process_word(word, {"A": "1", "EMPTY": ""}) == expected


def test_bad_substitution() -> None:
    with pytest.raises(SubstitutionError):
        process_word("${A", {})
    with pytest.raises(SubstitutionError):
        process_word("${A:?x}", {})


def test_split_words_keeps_quoted_spaces() -> None:
    assert split_words("A=1 B=\"two words\" C='x y'") == ["A=1", 'B="two words"', "C='x y'"]
