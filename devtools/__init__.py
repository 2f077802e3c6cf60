"""Development tooling: the loopback mirror, the bundled snapshot and the reference builders.

Tests, ``make run`` and the benchmarks use it; it is not part of the installed package
(the wheel and the image hold ``extract``, ``warehouse`` and ``expectations`` only).
"""
