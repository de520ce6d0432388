"""A text left in a store's file until something asks for it, and checked when read.

Most of a store is article bodies, and a build that edits one article needs one body:
the others stay on disk. A stored text knows where its bytes are and the SHA-256 they
must have; it is read with os.pread, so processes forked from the one that opened the
file (the render workers) read it too, without sharing a file offset. Bytes that do not
match the hash (a damaged cache) are never used: the file's recover function makes the
text again from its source.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable
from typing import Any


class TextFile:
    """An open store file that texts are read from; closed when no text needs it.

    The file stays open, so a store written anew over the same name (os.replace) or
    appended to leaves each text reading the bytes it was made for."""

    __slots__ = ("fd", "recover")

    def __init__(self, fd: int, recover: Callable[[Any], str] | None) -> None:
        self.fd = fd
        self.recover = recover
        """Makes a text again, given the object that holds it, when its bytes are damaged."""

    def __del__(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


class StoredText:
    """length bytes at offset in a store file: a UTF-8 text whose SHA-256 is digest."""

    __slots__ = ("digest", "file", "length", "offset")

    def __init__(self, file: TextFile, offset: int, length: int, digest: str) -> None:
        self.file = file
        self.offset = offset
        self.length = length
        self.digest = digest

    def raw(self) -> bytes:
        """The bytes as stored, unchecked (copied as they are into a new store, and
        checked whenever they are read as text)."""
        try:
            return os.pread(self.file.fd, self.length, self.offset)
        except (OSError, ValueError, OverflowError, TypeError):  # not where a text can be
            return b""

    def text(self, owner: object) -> str:
        """The text, when its bytes hash to digest; else made again from the source of
        owner (the object that holds it) by the file's recover function."""
        data = self.raw()
        if len(data) == self.length and hashlib.sha256(data).hexdigest() == self.digest:
            try:
                return data.decode()
            except UnicodeDecodeError:
                pass
        if self.file.recover is None:
            raise ValueError("a stored text is damaged and cannot be made again")
        return self.file.recover(owner)


class NewText:
    """A text a store is to write into its texts, with the SHA-256 of its UTF-8 form."""

    __slots__ = ("digest", "text")

    def __init__(self, text: str, digest: str) -> None:
        self.text = text
        self.digest = digest
