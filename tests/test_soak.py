"""A short soak: consecutive refreshes with random faults, bad answers and kills, a
reader reading the whole time, and a final state equal to a clean run's.

``make soak SOAK=<count>`` runs a longer one (devtools/soak.py, which does the checks
after every refresh: the release whole and readable, releases pruned, no leaked
temporary or build file, disk use bounded). The seed is fixed so the refreshes, faults
and kill points are the same every time.
"""

from __future__ import annotations

import pytest

from devtools.soak import Soak

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]  # minutes of dbt on a loaded machine
COUNT, SEED, KEEP = 6, 5, 2


def test_a_short_soak_publishes_whole_releases_and_ends_as_a_clean_run(tmp_path):
    soak = Soak(tmp_path / "data", SEED, KEEP, kill_rate=0.5, fault_rate=0.6, bad_rate=0.3)
    (tmp_path / "data").mkdir()
    figures = soak.run(COUNT)
    print("\n" + "\n".join(figures.lines()))
    assert figures.refreshes == COUNT + 1  # and the final refresh without faults
    assert figures.reader_errors == 0, figures.failures
    assert figures.reader_reads > 0
    assert figures.final_equals_clean is True
    assert figures.killed >= 1 and figures.faults_injected >= 1
    assert figures.releases_kept_max <= KEEP
