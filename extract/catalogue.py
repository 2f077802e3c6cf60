"""The declarative catalogue of datasets (``sources.yml``) and URL building from it."""

from __future__ import annotations

import dataclasses
import functools
import os
from pathlib import Path
from typing import Any

import yaml

from extract.buddhist_era import period_to_yymm

CATALOGUE_PATH = Path(__file__).with_name("sources.yml")

# DOPA two-digit province codes (stable since 2011: Bueng Kan = 38 is the newest).
PROVINCE_CODES: tuple[str, ...] = (
    "10",
    "11",
    "12",
    "13",
    "14",
    "15",
    "16",
    "17",
    "18",
    "19",
    "20",
    "21",
    "22",
    "23",
    "24",
    "25",
    "26",
    "27",
    "30",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "38",
    "39",
    "40",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "47",
    "48",
    "49",
    "50",
    "51",
    "52",
    "53",
    "54",
    "55",
    "56",
    "57",
    "58",
    "60",
    "61",
    "62",
    "63",
    "64",
    "65",
    "66",
    "67",
    "70",
    "71",
    "72",
    "73",
    "74",
    "75",
    "76",
    "77",
    "80",
    "81",
    "82",
    "83",
    "84",
    "85",
    "86",
    "90",
    "91",
    "92",
    "93",
    "94",
    "95",
    "96",
)


@dataclasses.dataclass(frozen=True)
class Publisher:
    id: str
    name: str
    base_url_env: str
    default_base_url: str
    licence: str

    @property
    def base_url(self) -> str:
        return os.environ.get(self.base_url_env, self.default_base_url).rstrip("/")


@dataclasses.dataclass(frozen=True)
class Source:
    id: str
    publisher: Publisher
    title: str
    url_template: str
    format: str
    parser: str
    population_scope: str
    default_provinces: tuple[str, ...]
    default_periods: tuple[str, ...]
    refresh_cadence: str
    max_bytes: int

    def url(self, *, province: str, period: str) -> str:
        """The request URL of one slice; only validated codes and periods go in."""
        path = self.url_template.format(province=province, yymm=period_to_yymm(period))
        return self.publisher.base_url + path


def _source(source_id: str, entry: dict[str, Any], publishers: dict[str, Publisher]) -> Source:
    provinces = entry.get("default_provinces", "all")
    return Source(
        id=source_id,
        publisher=publishers[entry["publisher"]],
        title=entry["title"],
        url_template=entry["url_template"],
        format=entry["format"],
        parser=entry["parser"],
        population_scope=entry.get("population_scope", "all_nationalities"),
        default_provinces=PROVINCE_CODES if provinces == "all" else tuple(provinces),
        default_periods=tuple(entry["default_periods"]),
        refresh_cadence=entry["refresh_cadence"],
        max_bytes=int(entry["max_bytes"]),
    )


@functools.cache
def load_catalogue(path: Path = CATALOGUE_PATH) -> dict[str, Source]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    publishers = {
        pid: Publisher(
            id=pid,
            name=p["name"],
            base_url_env=p["base_url_env"],
            default_base_url=p["default_base_url"],
            licence=p["licence"],
        )
        for pid, p in raw["publishers"].items()
    }
    return {sid: _source(sid, entry, publishers) for sid, entry in raw["sources"].items()}
