"""Build the bundled DOPA statpop snapshot from the real files in ``snapshots/real/``.

Writes one response body per request, in the API's wire shape, into ``dopa_statpop/``
plus ``index.json`` (request -> file, sha256, real or modelled, scope, method).

    python -m devtools.snapshots.build_dopa_snapshot [--real-dir DIR] [--out-dir DIR]

Only the Satun sample is published at single years of age; the all-province months are
modelled so that every published figure (province totals, age-band totals) stays exact.
Deterministic: the same inputs give byte-identical outputs.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SNAPSHOTS_DIR = Path(__file__).resolve().parent
DEFAULT_REAL_DIR = SNAPSHOTS_DIR / "real"
DEFAULT_OUT_DIR = SNAPSHOTS_DIR / "dopa_statpop"

FORWARD_PATH = "/stat/statnew/connectSAPI/stat_forward.php"
INNER_API = "/api/statpophouse/v1/statpop/list"
CONTENT_TYPE = "application/json; charset=utf-8"
INDEX_FORMAT = 1

SATUN_FILE = "dopa_statpop_satun_6909_thai.json"
TOTALS_2563_FILE = "dopa_province_population_2563.json"
BANDS_6406_FILE = "dopa_province_age_bands_6406.json"

SATUN_CC = "91"
SATUN_YYMM = "6909"
# The recorded Satun sample was fetched at this local (UTC+7) time.
THAI_TZ = dt.timezone(dt.timedelta(hours=7))

N_AGES = 102  # lsAge0..lsAge101 (101 = over 100)
SEXES = (1, 2)  # lsageSex: 1 male, 2 female; the wire order is male then female
# Band labels as in dopa_province_age_bands_6406.json, with the ages each one covers.
BANDS: tuple[tuple[str, range], ...] = (
    ("<20", range(0, 20)),
    ("20-60", range(20, 60)),
    (">60", range(60, N_AGES)),
)

METHOD_6406 = (
    "Modelled. Single-age-by-sex figures for this month are not in the bundled real "
    "data. The province's real Jun 2564 BE age-band totals (0-19, 20-59, 60 and over; "
    "all nationalities; dopa_province_age_bands_6406.json) are each split over the "
    "(sex, age) cells of the band in proportion to the real Satun single-age profile "
    "by sex (Thai nationals, Sep 2569 BE, prov_thai), rounded by the largest-remainder "
    "method (ties to the earlier cell, male before female), so every band total is exact."
)
METHOD_6312 = (
    "Modelled. The province's real total at 31 Dec 2563 BE "
    "(dopa_province_population_2563.json) is split into the bands 0-19, 20-59, 60 and "
    "over in the province's real Jun 2564 BE band proportions (largest remainder, so the "
    "total is exact); each band is then split over (sex, age) in proportion to the real "
    "Satun single-age profile by sex, as for Jun 2564 BE."
)
METHOD_REAL = (
    "Real. lsAge0..lsAge101 by sex copied unmodified from the DOPA statpop response "
    "recorded for Satun at Sep 2569 BE (Thai nationals, nat=99); lsSumTotTot is their "
    "sum; the descriptive fields are reconstructed (the recording kept only the figures)."
)


def largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` into integers that add up exactly.

    Integer arithmetic throughout, so the result does not depend on float rounding.
    Leftover units go to the largest remainders; ties go to the earlier position.
    """
    weight_sum = sum(weights)
    if total < 0 or weight_sum <= 0 or min(weights) < 0:
        raise ValueError(f"cannot split {total} over weights summing to {weight_sum}")
    shares = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    leftover = total - sum(shares)
    ranked = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in ranked[:leftover]:
        shares[i] += 1
    return shares


def model_ages_by_sex(
    band_totals: dict[str, int], profile: dict[int, list[int]]
) -> dict[int, list[int]]:
    """Single ages by sex whose band totals equal ``band_totals``, shaped like ``profile``."""
    ages = {sex: [0] * N_AGES for sex in SEXES}
    for label, band in BANDS:
        cells = [(sex, age) for sex in SEXES for age in band]
        counts = largest_remainder(band_totals[label], [profile[s][a] for s, a in cells])
        for (sex, age), count in zip(cells, counts, strict=True):
            ages[sex][age] = count
    return ages


def split_into_bands(total: int, band_weights: dict[str, int]) -> dict[str, int]:
    """A province total split into the age bands in the given proportions, exactly."""
    labels = [label for label, _ in BANDS]
    counts = largest_remainder(total, [band_weights[label] for label in labels])
    return dict(zip(labels, counts, strict=True))


def descriptive_fields(
    sex: int, yymm: str, nat: str, level: int, rcode: str, aa: str, as_text: bool
) -> dict[str, Any]:
    """The non-figure fields of one sex's object.

    Numbers in some files and strings in others, as the live service is not consistent
    about them either: clients must not rely on their type.
    """
    values: dict[str, int | str] = {
        "lsageSex": sex,
        "lsageYYMM": yymm,
        "lstrLevel": level,
        "lsageRcode": rcode,
        "lsageAA": aa,
        "lsageTT": 0,
        "lsageMM": 0,
        "lageNat": nat,
        "lagePopSt": 99,
        "lstAgev0": 0,
        "lsAgethai": 0,
    }
    convert = str if as_text else int
    return {key: convert(value) for key, value in values.items()}


def response_body(ages_by_sex: dict[int, list[int]], **descriptive: Any) -> bytes:
    """The wire body: a compact JSON array, male object then female object."""
    objects = []
    for sex in SEXES:
        ages = ages_by_sex[sex]
        if len(ages) != N_AGES:
            raise ValueError(f"sex {sex}: {len(ages)} ages, expected {N_AGES}")
        obj = descriptive_fields(sex, **descriptive)
        obj.update({f"lsAge{age}": int(count) for age, count in enumerate(ages)})
        obj["lsSumTotTot"] = sum(ages)
        objects.append(obj)
    return json.dumps(objects, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def snapshot_file_name(query: dict[str, str]) -> str:
    """File name of one request: short prefixes, only [a-z0-9_.] so any filesystem copes."""
    name = f"a{query['action']}_y{query['yymm']}_n{query['nat']}_p{query['popst']}_cc{query['cc']}"
    if "rcode" in query:
        name += f"_r{query['rcode']}"
    return name + ".json"


def statpop_query(
    action: int, yymm: str, nat: str, cc: str, rcode: str | None = None
) -> dict[str, str]:
    """Query parameters as the mirror keys them (the inner ``API`` path split out)."""
    query = {
        "API": INNER_API,
        "action": str(action),
        "yymm": yymm,
        "nat": nat,
        "popst": "99",
        "cc": cc,
    }
    if rcode is not None:
        query["rcode"] = rcode
    return query


def request_target(query: dict[str, str]) -> str:
    """The URL path and query exactly as a client sends it (inner ``API=`` unencoded)."""
    params = "&".join(f"{key}={value}" for key, value in query.items() if key != "API")
    return f"{FORWARD_PATH}?API={query['API']}?{params}"


def http_date(moment: dt.datetime) -> str:
    """RFC 7231 date (``Last-Modified``) of an aware datetime."""
    return moment.astimezone(dt.UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


def month_after(yymm: str) -> dt.datetime:
    """Start of the month after a ``yymm`` (UTC): the fixed publication stand-in."""
    year = 2500 + int(yymm[:2]) - 543
    month = int(yymm[2:])
    last_day = calendar.monthrange(year, month)[1]
    return dt.datetime(year, month, last_day, tzinfo=dt.UTC) + dt.timedelta(days=1)


def load_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def load_profile(satun: dict[str, Any], key: str) -> dict[int, list[int]]:
    """One area's ages by sex from the Satun recording (``"1"`` male, ``"2"`` female)."""
    profile = {sex: [int(v) for v in satun[key][str(sex)]] for sex in SEXES}
    for sex, ages in profile.items():
        if len(ages) != N_AGES:
            raise ValueError(f"{key} sex {sex}: {len(ages)} ages, expected {N_AGES}")
    return profile


def load_province_inputs(real_dir: Path) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """Dec 2563 totals and Jun 2564 band totals, keyed by 2-digit DOPA province code."""
    totals = {
        f"{int(row['PROV_CODE']):02d}": int(row["population"])
        for row in load_json(real_dir / TOTALS_2563_FILE)
    }
    bands = {
        f"{int(row['PROV_CODE']):02d}": {label: int(row[label]) for label, _ in BANDS}
        for row in load_json(real_dir / BANDS_6406_FILE)
    }
    if set(totals) != set(bands) or len(totals) != 77:
        raise ValueError("the Dec 2563 and Jun 2564 files must cover the same 77 provinces")
    return totals, bands


class SnapshotWriter:
    """Collects response bodies and their index entries, then writes them out."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.entries: list[dict[str, Any]] = []

    def add(self, query: dict[str, str], body: bytes, **meta: Any) -> None:
        name = snapshot_file_name(query)
        if name in self.files:
            raise ValueError(f"duplicate snapshot file {name}")
        self.files[name] = body
        self.entries.append(
            {
                "path": FORWARD_PATH,
                "query": query,
                "url": request_target(query),
                "file": name,
                "sha256": hashlib.sha256(body).hexdigest(),
                "bytes": len(body),
                "content_type": CONTENT_TYPE,
                **meta,
            }
        )

    def index(self) -> dict[str, Any]:
        return {
            "format": INDEX_FORMAT,
            "publisher": "dopa",
            "publisher_name": (
                "Department of Provincial Administration (DOPA), "
                "Bureau of Registration Administration (BORA)"
            ),
            "real_base_url": "https://stat.bora.dopa.go.th",
            "licence": "DGA Open Government License (Thailand)",
            "provenance": "../PROVENANCE.md",
            "built_by": "python -m devtools.snapshots.build_dopa_snapshot",
            "entries": sorted(self.entries, key=lambda entry: entry["file"]),
        }

    def write(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        outputs = dict(self.files)
        outputs["index.json"] = (
            json.dumps(self.index(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        ).encode("utf-8")
        # Drop bodies of requests no longer built, so the folder matches the index.
        for stale in out_dir.glob("*.json"):
            if stale.name not in outputs:
                stale.unlink()
        for name, data in sorted(outputs.items()):
            (out_dir / name).write_bytes(data)


def add_modelled_provinces(writer: SnapshotWriter, real_dir: Path, profile: dict) -> None:
    """Dec 2563 and Jun 2564, all 77 provinces, all nationalities (modelled)."""
    totals_2563, bands_6406 = load_province_inputs(real_dir)
    for cc in sorted(totals_2563):
        months = (
            (
                "6312",
                split_into_bands(totals_2563[cc], bands_6406[cc]),
                METHOD_6312,
                [TOTALS_2563_FILE, BANDS_6406_FILE, SATUN_FILE],
            ),
            ("6406", bands_6406[cc], METHOD_6406, [BANDS_6406_FILE, SATUN_FILE]),
        )
        for yymm, band_totals, method, inputs in months:
            body = response_body(
                model_ages_by_sex(band_totals, profile),
                yymm=yymm,
                nat="999",
                level=2,
                rcode=cc,
                aa="0",
                as_text=False,
            )
            writer.add(
                statpop_query(23, yymm, "999", cc),
                body,
                is_modelled=True,
                population_scope="all_nationalities",
                method=method,
                derived_from=inputs,
                last_modified=http_date(month_after(yymm)),
            )


def add_satun_recording(writer: SnapshotWriter, real_dir: Path) -> None:
    """Satun Sep 2569, Thai nationals: the province and its 14 registration offices (real)."""
    satun = load_json(real_dir / SATUN_FILE)
    fetched = dt.datetime.strptime(satun["fetched"], "%Y-%m-%d %H:%M").replace(tzinfo=THAI_TZ)
    meta = {
        "is_modelled": False,
        "population_scope": "thai_nationals",
        "method": METHOD_REAL,
        "derived_from": [SATUN_FILE],
        "last_modified": http_date(fetched),
    }
    province = load_profile(satun, "prov_thai")
    body = response_body(
        province, yymm=SATUN_YYMM, nat="99", level=2, rcode=SATUN_CC, aa="0", as_text=True
    )
    writer.add(statpop_query(23, SATUN_YYMM, "99", SATUN_CC), body, **meta)

    district_of = {office["rcode"]: office["aa"][0] for office in satun["offices"]}
    offices = {rcode: load_profile(satun["office_thai"], rcode) for rcode in satun["office_thai"]}
    check_offices_add_up(province, offices)
    for rcode in sorted(offices):
        body = response_body(
            offices[rcode],
            yymm=SATUN_YYMM,
            nat="99",
            level=3,
            rcode=rcode,
            aa=district_of[rcode],
            as_text=True,
        )
        writer.add(statpop_query(24, SATUN_YYMM, "99", SATUN_CC, rcode), body, **meta)


def check_offices_add_up(province: dict[int, list[int]], offices: dict) -> None:
    """The recording's own consistency: offices sum to the province at every age and sex."""
    for sex in SEXES:
        for age in range(N_AGES):
            if sum(office[sex][age] for office in offices.values()) != province[sex][age]:
                raise ValueError(f"Satun offices do not add up at sex {sex}, age {age}")


def build(real_dir: Path = DEFAULT_REAL_DIR, out_dir: Path = DEFAULT_OUT_DIR) -> dict[str, Any]:
    """Build the snapshot into ``out_dir`` and return its index."""
    writer = SnapshotWriter()
    profile = load_profile(load_json(real_dir / SATUN_FILE), "prov_thai")
    add_modelled_provinces(writer, real_dir, profile)
    add_satun_recording(writer, real_dir)
    writer.write(out_dir)
    return writer.index()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--real-dir",
        type=Path,
        default=DEFAULT_REAL_DIR,
        help="folder with the real input files (default: %(default)s)",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=DEFAULT_OUT_DIR,
        help="snapshot folder to write (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    index = build(args.real_dir, args.out_dir)
    modelled = sum(entry["is_modelled"] for entry in index["entries"])
    print(f"wrote {len(index['entries'])} responses ({modelled} modelled) to {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
