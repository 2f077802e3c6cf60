"""Errors raised while extracting: each names the dataset and what was wrong with what."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Iterator
from pathlib import Path


class ExtractError(Exception):
    """Base class: something a dataset's publisher sent (or did not send) is unusable."""


class FetchError(ExtractError):
    """The HTTP exchange failed or the body is not what was asked for."""

    def __init__(self, source_id: str, url: str, reason: str, *, transient: bool = False):
        self.source_id, self.url, self.reason, self.transient = source_id, url, reason, transient
        super().__init__(f"{source_id}: {reason} (url {url})")


class ParseError(ExtractError):
    """A body that arrived intact but whose content breaks the dataset's rules."""

    def __init__(
        self,
        source_id: str,
        field: str,
        row: object,
        value: object,
        problem: str,
        answer: str | None = None,
    ):
        self.source_id, self.field, self.row, self.value = source_id, field, row, value
        self.problem, self.answer = problem, answer
        super().__init__(
            f"{source_id}: field {field!r} in row {row}: {problem} (value {value!r})"
            + (f" [answer {answer}]" if answer else "")
        )

    def naming(self, answer: str) -> ParseError:
        """The same error naming the answer it came from (slice and URL)."""
        if self.answer:
            return self
        return ParseError(self.source_id, self.field, self.row, self.value, self.problem, answer)


class RunConfigError(ValueError):
    """A run configuration value that is not allowed (checked before any request)."""


class NoDataYet(Exception):
    """The publisher has nothing for the slice yet (an empty answer, no resource for the
    month): not an error, the slice is recorded as ``no_data``."""


# --- a full disk ---------------------------------------------------------------------------

_NO_SPACE_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_NO_SPACE_TEXTS = tuple(os.strerror(code).lower() for code in _NO_SPACE_ERRNOS)


def _mount_point(path: Path) -> Path:
    path = Path(os.path.abspath(path))
    while not path.exists() and path != path.parent:
        path = path.parent
    while not os.path.ismount(path) and path != path.parent:
        path = path.parent
    return path


class DiskFullError(OSError):
    """No space left on the file system that holds ``path`` while a stage wrote to it.

    Raised by :func:`naming_full_disk` in place of the low-level error (an ``OSError`` with
    ``ENOSPC``/``EDQUOT``, or a DuckDB, Arrow or dbt error that says "No space left on
    device"), so the message names the stage, the path, its file system and what is free.
    Retrying does not help until space is freed.
    """

    def __init__(self, stage: str, path: Path | str, detail: str = "") -> None:
        self.stage, self.path = stage, Path(path)
        mount = _mount_point(self.path)
        try:
            free = f"{shutil.disk_usage(mount).free:,} bytes free"
        except OSError:
            free = "free space unknown"
        self.message = (
            f"{stage}: no space left on the file system holding {self.path} "
            f"(mounted at {mount}, {free}); free space there or point "
            f"SMARTCITY_DATA_DIR at a larger one, then run again"
            + (f" [{detail}]" if detail else "")
        )
        super().__init__(errno.ENOSPC, self.message, str(self.path))

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):  # picklable (Airflow and multiprocessing pass errors along)
        return (type(self), (self.stage, self.path))


def is_disk_full(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or an error it was raised from) means the disk is full."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in _NO_SPACE_ERRNOS:
            return True
        if any(text in str(exc).lower() for text in _NO_SPACE_TEXTS):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


@contextlib.contextmanager
def naming_full_disk(stage: str, path: Path | str, cleanup=None) -> Iterator[None]:
    """Turn a full disk inside the block into :class:`DiskFullError` naming ``path``.

    ``cleanup`` (optional) is called first, to remove what the stage half-wrote; any
    other error passes through unchanged. Every stage that writes files uses it: landing,
    the fetch log, the load, the dbt build, publishing and the exports.
    """
    try:
        yield
    except DiskFullError:
        if cleanup is not None:
            cleanup()
        raise
    except Exception as exc:
        if not is_disk_full(exc):
            raise
        if cleanup is not None:
            cleanup()
        raise DiskFullError(stage, path) from exc
