"""Is each source's newest landed vintage as recent as its release cadence promises?

A source is overdue when the next vintage should have been published (vintage end +
one cadence period + the publisher's usual lag) but none has landed. Overdue sources
are alerted through the notifiers and recorded in ``meta.source_freshness``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from extract.catalogue import load_catalogue
from extract.thai.buddhist_era import period_end
from warehouse.paths import landed_manifests

# Cadence -> (period length, usual publication lag); "irregular" sources have no deadline.
CADENCE = {
    "monthly": (dt.timedelta(days=31), dt.timedelta(days=45)),
    "quarterly": (dt.timedelta(days=92), dt.timedelta(days=90)),
    "yearly": (dt.timedelta(days=366), dt.timedelta(days=270)),
    "biennial": (dt.timedelta(days=731), dt.timedelta(days=365)),
}


@dataclasses.dataclass(frozen=True)
class Freshness:
    source_id: str
    cadence: str
    latest_vintage: str | None
    deadline: dt.date | None  # when the vintage after the latest is due
    overdue: bool

    def message(self) -> str:
        if self.latest_vintage is None:
            return f"{self.source_id}: nothing landed yet"
        state = "OVERDUE" if self.overdue else "on time"
        return (
            f"{self.source_id}: latest vintage {self.latest_vintage}, next due by "
            f"{self.deadline} ({self.cadence}) - {state}"
        )


def check(data_dir: Path, today: dt.date | None = None) -> list[Freshness]:
    today = today or dt.date.today()
    catalogue = load_catalogue()
    landed = landed_manifests(data_dir, list(catalogue))
    results = []
    for source_id, source in catalogue.items():
        vintages = sorted(
            m["period"] for m in landed if m["source_id"] == source_id and m.get("parquet")
        )
        latest = vintages[-1] if vintages else None
        deadline = None
        if latest and source.refresh_cadence in CADENCE:
            every, lag = CADENCE[source.refresh_cadence]
            deadline = period_end(latest) + every + lag
        results.append(
            Freshness(
                source_id,
                source.refresh_cadence,
                latest,
                deadline,
                overdue=deadline is not None and today > deadline,
            )
        )
    return results
