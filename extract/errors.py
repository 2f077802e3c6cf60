"""Errors raised while extracting: each names the dataset and what was wrong with what."""

from __future__ import annotations


class ExtractError(Exception):
    """Base class: something a dataset's publisher sent (or did not send) is unusable."""


class FetchError(ExtractError):
    """The HTTP exchange failed or the body is not what was asked for."""

    def __init__(self, source_id: str, url: str, reason: str, *, transient: bool = False):
        self.source_id, self.url, self.reason, self.transient = source_id, url, reason, transient
        super().__init__(f"{source_id}: {reason} (url {url})")


class ParseError(ExtractError):
    """A body that arrived intact but whose content breaks the dataset's rules."""

    def __init__(self, source_id: str, field: str, row: object, value: object, problem: str):
        self.source_id, self.field, self.row, self.value = source_id, field, row, value
        super().__init__(f"{source_id}: field {field!r} in row {row}: {problem} (value {value!r})")


class RunConfigError(ValueError):
    """A run configuration value that is not allowed (checked before any request)."""


class NoDataYet(Exception):
    """The publisher has nothing for the slice yet (an empty answer, no resource for the
    month): not an error, the slice is recorded as ``no_data``."""
