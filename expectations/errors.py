"""Exceptions raised by the quality gate."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from expectations.gate import GateResult


class QualityGateError(Exception):
    """A blocking check failed: the build must not be published.

    Raised after every result has been written to ``meta.quality_results`` and the
    Data Docs have been built. ``failures`` holds one message per failing blocking
    check and slice; ``result`` is the full :class:`~expectations.gate.GateResult`.
    """

    def __init__(self, message: str, *, failures: list[str], result: GateResult) -> None:
        super().__init__(message)
        self.failures = failures
        self.result = result
