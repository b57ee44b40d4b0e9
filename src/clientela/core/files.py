"""Files that hold personal data or secrets: readable and writable by Clientela's user only.

The process umask (settings.py) already makes every new file 0600 and folder 0700; these
helpers say so explicitly where such a file is made, so that it holds even when Clientela runs
inside another program that set its own umask.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE = 0o600
PRIVATE_FOLDER = 0o700


def private_folder(path: Path) -> Path:
    """Make the folder (and its parents) if needed; the folder itself is 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    return path


def private_fd(path: Path) -> int:
    """Open a file for writing (created, or emptied), 0600: `open(private_fd(p), "wb")`."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    try:
        os.fchmod(fd, PRIVATE)  # a file that was already there keeps its mode otherwise
    except OSError:
        os.close(fd)
        raise
    return fd


def make_private(path: Path, *, create: bool = True) -> None:
    """Take away other users' access to the file; create it empty first if asked and missing."""
    flags = os.O_WRONLY | (os.O_CREAT if create else 0)
    try:
        fd = os.open(path, flags, PRIVATE)
    except OSError:
        return  # missing, or not ours to open: whoever made it chose its mode
    try:
        mode = stat.S_IMODE(os.fstat(fd).st_mode)
        if mode & 0o077:
            os.fchmod(fd, mode & 0o700)
    except OSError:
        pass  # owned by another user: leave it as it is
    finally:
        os.close(fd)
