"""What a planner sees of one area, gathered once from a release for every area.

Both outputs (the workbooks and the site) are built from these dictionaries, so a figure
reads the same in Excel and in the browser. Sections come from optional marts: target-area
members (``dim_target_area_members``), benchmarks (``mart_area_benchmarks``), plan progress
(``mart_plan_progress``); a release without one of them gives an empty section.
"""

from __future__ import annotations

import bisect
import collections
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from warehouse.outputs.release import Release

# Levels with a page (the site) and with a workbook (exports); others are listed only.
PAGE_LEVELS = ("country", "province", "district", "target_area")
WORKBOOK_LEVELS = ("province", "target_area")
LEVEL_NAMES = {
    "country": ("ประเทศ", "Country"),
    "province": ("จังหวัด", "Province"),
    "district": ("อำเภอ", "District"),
    "subdistrict": ("ตำบล", "Sub-district"),
    "municipality": ("เทศบาล", "Municipality"),
    "target_area": ("พื้นที่เป้าหมายเมืองอัจฉริยะ", "Smart-city target area"),
}
# The seven smart-city dimensions, in the order of the national programme.
DIMENSIONS = {
    "environment": ("สิ่งแวดล้อมอัจฉริยะ", "Smart Environment"),
    "economy": ("เศรษฐกิจอัจฉริยะ", "Smart Economy"),
    "mobility": ("การเดินทางและขนส่งอัจฉริยะ", "Smart Mobility"),
    "energy": ("พลังงานอัจฉริยะ", "Smart Energy"),
    "people": ("พลเมืองอัจฉริยะ", "Smart People"),
    "living": ("การดำรงชีวิตอัจฉริยะ", "Smart Living"),
    "governance": ("การบริหารภาครัฐอัจฉริยะ", "Smart Governance"),
}


@dataclass
class Area:
    code: str
    level: str
    name_th: str
    name_en: str
    parent_code: str | None
    region: str | None = None
    members: list[dict[str, Any]] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return f"{self.level}-{self.code}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "level": self.level,
            "name_th": self.name_th,
            "name_en": self.name_en,
            "parent_code": self.parent_code,
            "region": self.region,
            "slug": self.slug,
        }


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


# Rows of these marts an area shows, in the order its page and workbook list them (their
# keys: a release lists the same rows in the same order every time).
AREA_MARTS = {
    "indicators": ("mart_area_indicators", "indicator_code, period"),
    "benchmarks": ("mart_area_benchmarks", "indicator_code, period, peer_group"),
    "plan": ("mart_plan_progress", "indicator_code"),
    "ageing": ("mart_area_ageing", "period"),
}
# Levels an area is compared with its peers at (``AreaData.peers``).
PEER_LEVELS = ("province", "district", "target_area")
CHUNK = 256  # areas whose rows are read by one query per mart (a full scan of it)


class Ranking:
    """Peers and their values sorted highest first, with what a chart of them needs."""

    def __init__(self, peers: list[tuple[Area, Any]]) -> None:
        self.peers = peers
        self.values = [v for _, v in peers]
        self.position = {}
        for i, (p, _) in enumerate(peers):
            self.position.setdefault(p.code, i)
        self.encoded: dict[str, Any] = {}  # what a chart encodes once for every peer
        self._negated = (
            [-v for v in self.values] if all(v == v for v in self.values) else None  # no NaN
        )

    def __len__(self) -> int:
        return len(self.peers)

    def higher_than(self, value: Any) -> int:
        """How many peers have a value above ``value``."""
        if self._negated is None:
            return sum(1 for v in self.values if v > value)
        return bisect.bisect_left(self._negated, -value)


class _PerArea:
    """One mart's rows of an area (``data.indicators.get(code, [])``), read from the release
    when asked for: the rows of the areas being written, never the whole mart."""

    def __init__(self, data: AreaData, key: str) -> None:
        self._data = data
        self._key = key

    def get(self, code: str, default: Any = None) -> Any:
        value = self._data.rows_of(code).get(self._key)
        return value if value else default

    def __getitem__(self, code: str) -> Any:
        value = self.get(code)
        if value is None:
            raise KeyError(code)
        return value

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and bool(self._data.rows_of(code).get(self._key))


class AreaData:
    """What a planner sees of each area, read from one release an area (a chunk of areas)
    at a time.

    The areas, the catalogue and the sources are read once (small); the rows of the long
    marts (indicators, benchmarks, plan, ageing, coverage, the age pyramid) are read for
    the areas being written (``each``) by one query per mart and chunk, so memory is
    bounded by a chunk of areas, not by the release. Peer values (the figures every area
    is compared with) are read once, for the peer levels at the periods a page shows.
    """

    def __init__(self, release: Release) -> None:
        self.release = release
        self.areas = self._areas()
        self.by_code = {a.code: a for a in self.areas}
        self.children: dict[str, list[Area]] = collections.defaultdict(list)
        for a in self.areas:
            if a.parent_code and a.level in PAGE_LEVELS:
                self.children[a.parent_code].append(a)
        self._values: dict | None = None
        self._peers: dict[tuple, list[Area]] = {}
        self._rankings: dict[tuple, Ranking] = {}
        self._cache: dict[str, dict[str, Any]] = {}
        self.catalogue = self._catalogue()
        self._marts = {
            key: (mart, ", ".join(c for c in order.split(", ") if c in release.columns(mart)))
            for key, (mart, order) in AREA_MARTS.items()
            if release.has_columns(mart, "area_code")
        }
        self.has_coverage = release.has_columns("coverage", "area_code", "has_value", schema="meta")
        self.indicators = _PerArea(self, "indicators")
        self.benchmarks = _PerArea(self, "benchmarks")
        self.plan = _PerArea(self, "plan")
        self.ageing = _PerArea(self, "ageing")
        self.coverage = _PerArea(self, "coverage")
        self.sources = self._sources()
        self.source_status = (
            {r["source_id"]: r for r in release.rows("select * from raw.source_status")}
            if release.has("source_status", "raw")
            else {}
        )
        self.has_pyramid = release.has_columns(
            "fct_population_by_age", "area_code", "period", "sex", "age", "population"
        )

    # -- reading -------------------------------------------------------------------------

    def _areas(self) -> list[Area]:
        cols = self.release.columns("dim_area")
        region = "region" if "region" in cols else "null"
        rows = self.release.rows(
            f"select area_code, area_level, name_th, name_en, parent_code, {region} as region "
            "from marts.dim_area order by area_level, area_code"
        )
        areas = [
            Area(
                r["area_code"],
                r["area_level"],
                r["name_th"] or r["area_code"],
                r["name_en"] or r["area_code"],
                r["parent_code"],
                r["region"],
            )
            for r in rows
        ]
        if self.release.has("dim_target_area_members"):
            members = collections.defaultdict(list)
            for r in self.release.rows("select * from marts.dim_target_area_members order by 1, 2"):
                members[r["target_area_code"]].append(r)
            for area in areas:
                area.members = members.get(area.code, [])
        return areas

    def _catalogue(self) -> dict[str, dict[str, Any]]:
        if not self.release.has("indicator_catalogue", "reference"):
            return {}
        return {
            r["indicator_code"]: r
            for r in self.release.rows("select * from reference.indicator_catalogue")
        }

    def each(self, areas: list[Area], chunk: int = CHUNK) -> Iterator[Area]:
        """``areas`` in order, the rows of each chunk of them read before it is yielded and
        dropped after."""
        for start in range(0, len(areas), chunk):
            part = areas[start : start + chunk]
            self._cache = self._read([a.code for a in part])
            yield from part
        self._cache = {}

    def rows_of(self, code: str) -> dict[str, Any]:
        """The rows of one area (read now unless its chunk was)."""
        if code not in self._cache:
            self._cache.update(self._read([code]))
        return self._cache[code]

    def _read(self, codes: list[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {code: {"_headline": None} for code in codes}
        params = {"codes": codes}
        wanted = "area_code in (select unnest($codes::varchar[]))"
        for key, (mart, order) in self._marts.items():
            for row in self.release.rows(
                f"select * from marts.{mart} where {wanted} "
                f"order by {', '.join(['area_code', *filter(None, [order])])}",
                params,
            ):
                out[row["area_code"]].setdefault(key, []).append(row)
        if self.has_coverage:
            for r in self.release.rows(
                f"""
                select area_code, period, dimension, count(*) as catalogued,
                       count(*) filter (where has_value) as with_value
                from meta.coverage
                where {wanted} and (area_code, period) in
                      (select (area_code, max(period)) from meta.coverage where {wanted}
                       group by area_code)
                group by all order by area_code, dimension
                """,
                params,
            ):
                entry = out[r["area_code"]].setdefault(
                    "coverage", {"period": r["period"], "dimensions": {}}
                )
                entry["dimensions"][r["dimension"]] = (r["with_value"], r["catalogued"])
        if self.has_pyramid:
            for r in self.release.rows(
                f"""
                with latest as (
                    select area_code, max(period) as period from marts.fct_population_by_age
                    where {wanted} group by area_code
                )
                select p.area_code, p.period, p.age,
                       sum(p.population) filter (where p.sex = 'male') as male,
                       sum(p.population) filter (where p.sex = 'female') as female
                from marts.fct_population_by_age p
                join latest l on l.area_code = p.area_code and l.period = p.period
                group by p.area_code, p.period, p.age order by p.area_code, p.age
                """,
                params,
            ):
                code = r.pop("area_code")
                out[code].setdefault("pyramid", []).append(r)
        return out

    def _sources(self) -> dict[str, dict[str, Any]]:
        if not self.release.has("release_sources", "meta"):
            return {}
        publisher = (
            "(select any_value(publisher) from raw.landing_manifests m "
            "where m.source_id = s.source_id)"
            if self.release.has_columns("landing_manifests", "source_id", "publisher", schema="raw")
            else "null"
        )
        rows = self.release.rows(f"""
            select source_id, list(distinct vintage order by vintage) as vintages,
                   count(*) as slices, bool_or(is_modelled) as is_modelled,
                   string_agg(distinct population_scope, ', ') as population_scope,
                   string_agg(distinct licence, '; ') as licence,
                   min(url) as example_url, max(fetched_at) as fetched_at,
                   {publisher} as publisher
            from meta.release_sources s group by source_id order by source_id
        """)
        return {r["source_id"]: r for r in rows}

    def pyramid(self, code: str) -> dict[str, Any] | None:
        """Males and females by single year of age at the area's latest period."""
        if not self.has_pyramid:
            return None
        rows = self.rows_of(code).get("pyramid")
        if not rows:
            return None
        return {"period": rows[0]["period"], "rows": rows}

    # -- per area ------------------------------------------------------------------------

    def page_areas(self) -> list[Area]:
        return [a for a in self.areas if a.level in PAGE_LEVELS]

    def workbook_areas(self) -> list[Area]:
        return [
            a
            for a in self.areas
            if a.level in WORKBOOK_LEVELS and (a.level != "target_area" or a.members)
        ]

    def headline(self, code: str) -> list[dict[str, Any]]:
        """The latest value of every indicator of the area, with names and units."""
        rows = self.rows_of(code)
        if rows["_headline"] is None:
            rows["_headline"] = self._headline(rows.get("indicators") or [])
        return rows["_headline"]

    def _headline(self, indicators: list[dict[str, Any]]) -> list[dict[str, Any]]:
        latest: dict[str, dict[str, Any]] = {}
        for row in indicators:
            latest[row["indicator_code"]] = row  # rows are ordered by period
        out = []
        for indicator, row in latest.items():
            entry = self.catalogue.get(indicator, {})
            out.append(
                {
                    **row,
                    "name_th": entry.get("name_th") or indicator,
                    "name_en": entry.get("name_en") or indicator,
                    "direction": entry.get("direction"),
                }
            )
        order = list(DIMENSIONS)
        out.sort(
            key=lambda r: (
                order.index(r["dimension"]) if r["dimension"] in order else 99,
                r["indicator_code"],
            )
        )
        return out

    def series(self, code: str) -> dict[str, list[dict[str, Any]]]:
        """Every period of every indicator of the area."""
        out: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
        for row in self.indicators.get(code, []):
            out[row["indicator_code"]].append(row)
        return out

    def peers(self, area: Area) -> list[Area]:
        """The areas an area is compared with: every province for a province, the
        districts of the same province for a district, every target area for one."""
        key = (area.level, area.parent_code if area.level == "district" else None)
        if key not in self._peers:
            self._peers[key] = self._find_peers(area)
        return self._peers[key]

    def _find_peers(self, area: Area) -> list[Area]:
        if area.level == "province":
            return [a for a in self.areas if a.level == "province"]
        if area.level == "district":
            return [
                a for a in self.areas if a.level == "district" and a.parent_code == area.parent_code
            ]
        if area.level == "target_area":
            return [a for a in self.areas if a.level == "target_area"]
        return []

    def peer_values(self, area: Area, indicator: str, period: Any) -> list[tuple[Area, float]]:
        if self._values is None:
            self._values = self._peer_values()
        values = self._values.get((indicator, period), {})
        return [(peer, values[peer.code]) for peer in self.peers(area) if peer.code in values]

    def ranking(self, area: Area, indicator: str, period: Any) -> Ranking:
        """The area's peers with a value, highest first (ties in area order), shared by
        every area of the same peer group."""
        key = (
            area.level,
            area.parent_code if area.level == "district" else None,
            indicator,
            period,
        )
        if key not in self._rankings:
            peers = self.peer_values(area, indicator, period)
            peers.sort(key=lambda p: p[1], reverse=True)
            self._rankings[key] = Ranking(peers)
        return self._rankings[key]

    def _peer_values(self) -> dict[tuple, dict[str, Any]]:
        """Values of the areas at a peer level, for each indicator at the periods that are
        the latest of one of them (the periods a page or workbook compares at)."""
        out: dict[tuple, dict[str, Any]] = collections.defaultdict(dict)
        if "indicators" not in self._marts:
            return out
        levels = ", ".join(f"'{level}'" for level in PEER_LEVELS)
        rows = self.release.con.execute(f"""
            with peer as (
                select i.area_code, i.indicator_code, i.period, i.value
                from marts.mart_area_indicators i
                where i.area_code in (
                    select area_code from marts.dim_area where area_level in ({levels})
                )
            ),
            shown as (
                select distinct indicator_code, max(period) as period
                from peer group by area_code, indicator_code
            )
            select p.indicator_code, p.period, p.area_code, p.value
            from peer p join shown s on s.indicator_code = p.indicator_code and s.period = p.period
            where p.value is not null
        """).fetchall()
        for indicator, period, code, value in rows:
            out[(indicator, period)][code] = value
        return out

    def sources_of(self, code: str) -> list[dict[str, Any]]:
        used = set()
        for row in self.indicators.get(code, []):
            used.update(s.strip() for s in (row.get("source_id") or "").split(",") if s.strip())
        return [
            {**self.sources[s], "status": self.source_status.get(s, {}).get("status")}
            for s in sorted(used)
            if s in self.sources
        ]

    def quality(self, code: str) -> dict[str, Any]:
        """The data-quality panel: modelled, stale, scope, coverage, sources."""
        headline = self.headline(code)
        ageing = self.ageing.get(code, [])
        latest_ageing = ageing[-1] if ageing else {}
        coverage = self.coverage.get(code)
        return {
            "modelled": [r for r in headline if r.get("is_modelled")],
            "not_ok": [r for r in headline if (r.get("quality_status") or "ok") != "ok"],
            "stale_sources": [s for s in self.sources_of(code) if s.get("status") == "stale"],
            "population_scope": latest_ageing.get("population_scope"),
            "coverage": coverage,
            "coverage_share": (
                sum(v for v, _ in coverage["dimensions"].values())
                / max(1, sum(n for _, n in coverage["dimensions"].values()))
                if coverage
                else None
            ),
            "sources": self.sources_of(code),
        }
