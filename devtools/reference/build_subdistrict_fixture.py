"""Build a sub-district reference fixture (``area_code,district_code,name_th,name_en``)
for one district from the gazetteer's administrative tree (``geocode<cc>.xml`` of
Ahoerstemeier/tambon, ``AHTambonData/Geocode/``).

    python devtools/reference/build_subdistrict_fixture.py GEOCODE_XML DISTRICT_CODE OUT_CSV
"""

from __future__ import annotations

import csv
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

NS = "{http://hoerstemeier.com/tambon/}"
SUBDISTRICT_TYPES = {"Tambon", "Khwaeng"}


def rows(geocode_xml: Path, district: str) -> list[dict[str, str]]:
    root = ET.parse(geocode_xml).getroot()
    found = []
    for entity in root.iter(f"{NS}entity"):
        code = entity.get("geocode", "")
        if (
            entity.get("type") in SUBDISTRICT_TYPES
            and len(code) == 6
            and code.startswith(district)
            and entity.get("obsolete") != "true"
        ):
            found.append(
                {
                    "area_code": code,
                    "district_code": district,
                    "name_th": entity.get("name", ""),
                    "name_en": entity.get("english", ""),
                }
            )
    return sorted(found, key=lambda r: r["area_code"])


def main(argv: list[str]) -> int:
    geocode_xml, district, out = Path(argv[0]), argv[1], Path(argv[2])
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle,
            fieldnames=["area_code", "district_code", "name_th", "name_en"],
            lineterminator="\n",
        )
        writer.writeheader()
        writer.writerows(rows(geocode_xml, district))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
