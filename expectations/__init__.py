"""Great Expectations quality gate over the marts of a build file.

Importing this package is cheap; Great Expectations is imported only when the gate
itself (``expectations.gate``) or the suites (``expectations.suites``) are used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from expectations.errors import QualityGateError

if TYPE_CHECKING:
    from expectations.gate import GateResult, run_quality_gate

__all__ = ["GateResult", "QualityGateError", "run_quality_gate"]


def __getattr__(name: str) -> Any:
    if name in {"GateResult", "run_quality_gate"}:
        from expectations import gate

        return getattr(gate, name)
    raise AttributeError(f"module 'expectations' has no attribute {name!r}")
