"""Content-addressed storage of attachments: one file per SHA-256 under the storage directory.

Small files (attachments, letters) are put as bytes. Large ones (released documents, up to an
organ's limit of 100 MB or more) are streamed: `incoming()` spools the chunks to a temporary
file beside the store, hashing and counting them as they come, so the whole file is never in
memory; what is kept is moved into place by `keep()` (a rename on the same file system),
anything else is deleted when the block ends.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024
INCOMING_DIR = ".incoming"


class IncomingTooLarge(Exception):
    """More bytes arrived than the spool was allowed to take."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"more than {max_bytes} bytes")
        self.max_bytes = max_bytes


class Incoming:
    """A file being received: written in chunks to a temporary file, hashed as it goes."""

    def __init__(self, directory: Path, max_bytes: int | None) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=directory, prefix="spool-")
        self.path = Path(name)
        self._fh: BinaryIO | None = os.fdopen(fd, "wb")
        self._hash = hashlib.sha256()
        self.max_bytes = max_bytes
        self.size = 0
        self._sha256: str | None = None
        self.kept = False

    def write(self, chunk: bytes) -> None:
        """Append a chunk; IncomingTooLarge once the total passes the limit."""
        if self._fh is None:
            raise ValueError("the spool is finished")
        self.size += len(chunk)
        if self.max_bytes is not None and self.size > self.max_bytes:
            raise IncomingTooLarge(self.max_bytes)
        self._hash.update(chunk)
        self._fh.write(chunk)

    def finish(self) -> str:
        """Flush and sync the file; returns its SHA-256."""
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None
            self._sha256 = self._hash.hexdigest()
        assert self._sha256 is not None
        return self._sha256

    def written_elsewhere(self) -> None:
        """The file at `path` was written by another writer: take its size and hash from it."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        digest = hashlib.sha256()
        size = 0
        with self.path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
        self.size, self._sha256 = size, digest.hexdigest()

    @property
    def sha256(self) -> str:
        if self._sha256 is None:
            raise ValueError("finish() the spool first")
        return self._sha256

    def discard(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if not self.kept:
            self.path.unlink(missing_ok=True)


class AttachmentStore:
    """Files are written once, atomically, and named by their digest so duplicates share a file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        """Where a digest's file lives."""
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        """Store bytes; returns their SHA-256. A file left by a rolled-back request is harmless."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path_for(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    @contextmanager
    def incoming(self, max_bytes: int | None = None) -> Iterator[Incoming]:
        """A spool for a file that arrives (or is made) in chunks, on the store's own file
        system; deleted at the end of the block unless kept."""
        spool = Incoming(self.root / INCOMING_DIR, max_bytes)
        try:
            yield spool
        finally:
            spool.discard()

    def keep(self, spool: Incoming) -> str:
        """Move a finished spool into the store under its digest; returns the digest."""
        digest = spool.finish()
        target = self.path_for(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(spool.path, target)
        spool.kept = True
        return digest

    def adopt(self, spool: Incoming) -> str:
        """Keep a spool whose file was written by someone else (a library saving to its
        path): hashed in chunks, then moved into place."""
        spool.written_elsewhere()
        return self.keep(spool)

    def put_file(self, path: Path) -> str:
        """Store a file that is already on disk, streamed in chunks; returns its SHA-256."""
        with self.incoming() as spool, path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                spool.write(chunk)
            return self.keep(spool)

    def read(self, sha256: str) -> bytes:
        """The stored bytes of a digest."""
        return self.path_for(sha256).read_bytes()

    def open(self, sha256: str) -> BinaryIO:
        """The stored file of a digest, opened for reading (to stream it)."""
        return self.path_for(sha256).open("rb")

    def size(self, sha256: str) -> int:
        return self.path_for(sha256).stat().st_size
