"""The outcome of fetching one slice: the one vocabulary of fetch statuses.

The values are the strings written to a slice's ``_manifest.json`` and to
``meta.fetch_log.status``; ``FetchStatus`` is a ``str`` enumeration, so a member compares
equal to its string and serialises as it (JSON, Parquet, XCom).
"""

from __future__ import annotations

import enum


class FetchStatus(enum.StrEnum):
    DOWNLOADED = "downloaded"
    """A new body was fetched, parsed and landed."""
    NOT_MODIFIED = "not_modified"
    """The publisher answered 304 to the landed slice's validators; nothing was fetched."""
    UNCHANGED = "unchanged"
    """The body (or, for CKAN, the resource) equals the landed one: nothing was landed."""
    NO_DATA = "no_data"
    """The publisher has nothing for the slice yet (a month not released): no rows."""
    FAILED = "failed"
    """The publisher stayed unreachable after retries and no earlier vintage is landed."""
    STALE = "stale"
    """The publisher failed this run; the earlier landed vintage is used and marked stale."""
    SETTLED = "settled"
    """Older than the source's revision window and landed: not asked (no full check)."""
