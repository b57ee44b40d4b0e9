"""A binary file as lines of text, read a large block at a time, with its bad lines noted.

A line holding bytes that are not in the file's encoding, or a NUL character, is still read (the
bad bytes replaced), and its problem is kept by line number for the row that holds it.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import IO

from clientela.imports.services.problems import ReadProblem, short


def is_line_safe(encoding: str) -> bool:
    """True when a line break is the single byte 0x0A, so lines can be decoded one by one."""
    return "\n".encode(encoding) == b"\n" and "a".encode(encoding) == b"a"


class Lines:
    """Decodes a binary file into lines, a large block at a time, remembering bad lines.

    A block that decodes cleanly and holds no NUL (the usual case) is split into lines in C;
    only a block with a problem is decoded line by line, to say which line holds it.
    """

    BLOCK = 1 << 20

    def __init__(self, binary: IO[bytes], encoding: str) -> None:
        self.binary = binary
        self.encoding = encoding
        self.bytes_read = 0
        self.bad: dict[int, ReadProblem] = {}  # line number -> its problem
        self.first = True

    def __iter__(self) -> Iterator[str]:
        return itertools.chain.from_iterable(self._blocks())

    def _blocks(self) -> Iterator[Iterator[str]]:
        line = 1
        rest = b""
        while True:
            data = self.binary.read(self.BLOCK)
            if not data:
                if rest:
                    yield self._decode(rest, line)
                return
            data = rest + data
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                rest = data
                continue
            block, rest = data[:cut], data[cut:]
            self.bytes_read += len(block)
            yield self._decode(block, line)
            line += block.count(b"\n")

    def _decode(self, block: bytes, line: int) -> Iterator[str]:
        if self.first:
            self.first = False
            if block.startswith(codecs.BOM_UTF8) and self.encoding == "utf-8":
                block = block[len(codecs.BOM_UTF8) :]
        try:
            text = block.decode(self.encoding)
        except UnicodeDecodeError:
            return iter(list(self._by_line(block, line)))
        if "\x00" in text:
            return iter(list(self._by_line(block, line)))
        return io.StringIO(text, newline="\n")

    def _by_line(self, block: bytes, number: int) -> Iterator[str]:
        for raw in split_lf(block):
            try:
                text = raw.decode(self.encoding)
            except UnicodeDecodeError:
                text = raw.decode(self.encoding, errors="replace")
                # The line as read, the bad bytes shown as �, says where they are.
                self.bad[number] = ReadProblem("", short(text.strip()), "bytes_not_in_encoding")
            if "\x00" in text:
                text = text.replace("\x00", "\ufffd")
                self.bad.setdefault(number, ReadProblem("", short(text.strip()), "nul_character"))
            number += 1
            yield text


def split_lf(block: bytes) -> list[bytes]:
    """Lines ending in LF only (a CR inside a quoted cell is not the end of a line)."""
    parts = block.split(b"\n")
    lines = [p + b"\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


class Borrowed(io.TextIOWrapper):
    """A text view of a binary file that leaves the file open: its opener closes it."""

    def __del__(self) -> None:
        with contextlib.suppress(ValueError):
            self.detach()


def text_lines(binary: IO[bytes], encoding: str) -> tuple[Iterable[str], Callable[[], int]]:
    """The file's lines and a function giving the bytes read so far."""
    if is_line_safe(encoding):
        lines = Lines(binary, encoding)
        return lines, lambda: lines.bytes_read
    # UTF-16 and UTF-32: decode the stream as a whole; a bad byte is a problem of the file.
    text = Borrowed(binary, encoding=encoding, newline="")
    return text, lambda: binary.tell() if not binary.closed else 0


def bad_lines(lines: Iterable[str]) -> dict[int, ReadProblem]:
    """The problems of the lines read so far, by line number (none for a whole-file decoder)."""
    return lines.bad if isinstance(lines, Lines) else {}
