"""Extract one slice end to end: conditional fetch, parse, land, and report what happened."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import requests

from extract import dopa_statpop, http_client, landing
from extract.buddhist_era import period_end
from extract.catalogue import Source, load_catalogue
from extract.run_config import Slice

# Status of a slice after extraction (also ``meta.fetch_log.status``).
DOWNLOADED, NOT_MODIFIED, UNCHANGED, NO_DATA = "downloaded", "not_modified", "unchanged", "no_data"


def _population_table(
    rows: list[dopa_statpop.PopulationRow], source: Source, sha256: str, modelled: bool
) -> pa.Table:
    n = len(rows)
    return pa.table(
        {
            "area_code": [r.area_code for r in rows],
            "period": [r.period for r in rows],
            "sex": [r.sex for r in rows],
            "age": [r.age for r in rows],
            "population": [r.population for r in rows],
            "population_scope": [source.population_scope] * n,
            "is_modelled": [modelled] * n,
            "source_id": [source.id] * n,
            "source_sha256": [sha256] * n,
        },
        schema=landing.POPULATION_SCHEMA,
    )


def extract_slice(
    slc: Slice, data_dir: Path, session: requests.Session | None = None
) -> dict[str, Any]:
    """Fetch, parse and land one slice; returns its outcome (a row of the fetch log)."""
    source = load_catalogue()[slc.source_id]
    url = source.url(province=slc.province, period=slc.period)
    directory = landing.slice_dir(data_dir, slc.source_id, slc.period, slc.key)
    previous = landing.read_manifest(directory) or {}
    outcome: dict[str, Any] = {**slc.as_dict(), "slice_key": slc.key, "url": url}
    session = session or http_client.make_session()
    result = http_client.fetch(
        session,
        source.id,
        url,
        expect="json_array",
        max_bytes=source.max_bytes,
        etag=previous.get("etag"),
        last_modified=previous.get("last_modified"),
    )
    outcome.update(http_status=result.http_status, duration_s=round(result.duration_s, 3))
    if result.not_modified:
        return {
            **outcome,
            "status": NOT_MODIFIED,
            "bytes": 0,
            "sha256": previous.get("sha256"),
            "rows": previous.get("rows", 0),
            "is_modelled": previous.get("is_modelled", False),
        }
    body = result.body or b""
    outcome.update(bytes=len(body), sha256=result.sha256, is_modelled=result.modelled)
    if previous.get("sha256") == result.sha256 and previous.get("status") != NO_DATA:
        return {**outcome, "status": UNCHANGED, "rows": previous.get("rows", 0)}
    manifest = {
        "source_id": source.id,
        "publisher": source.publisher.name,
        "licence": source.publisher.licence,
        "url": url,
        "etag": result.etag,
        "last_modified": result.last_modified,
        "sha256": result.sha256,
        "bytes": len(body),
        "fetched_at": landing.utc_now(),
        "parser_version": dopa_statpop.PARSER_VERSION,
        "is_modelled": result.modelled,
        "population_scope": source.population_scope,
        "period": slc.period,
        "slice_key": slc.key,
    }
    try:
        rows = dopa_statpop.parse(
            body, source_id=source.id, area_code=slc.province, period=period_end(slc.period)
        )
    except dopa_statpop.NoDataYet as exc:
        landing.land_manifest_only(directory, {**manifest, "status": NO_DATA, "note": str(exc)})
        return {**outcome, "status": NO_DATA, "rows": 0}
    table = _population_table(rows, source, result.sha256 or "", result.modelled)
    landing.land(directory, table, {**manifest, "status": DOWNLOADED})
    return {**outcome, "status": DOWNLOADED, "rows": table.num_rows}
