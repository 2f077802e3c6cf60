"""Extract one slice end to end: find, conditional fetch, parse, report.

The same steps for every source: the catalogue says where the slice comes from (a URL
template, or a CKAN package whose resource for the month is looked up first) and which
registered parser turns the body into the landed table. ``answer_slice`` gives the
answer (outcome, manifest, rows) without writing anything; the batch it belongs to is
landed once, in one file (``extract.landing.land_batch``). ``extract_slice`` does both
for a single slice.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from extract import landing, parsers
from extract.catalogue import load_catalogue
from extract.errors import NoDataYet, ParseError
from extract.http import ckan
from extract.http import client as http_client
from extract.run_config import Slice
from extract.status import FetchStatus


@dataclasses.dataclass
class Answer:
    """What one slice's request gave: its outcome (a row of the fetch log), the manifest
    to record (None: nothing to record) and its rows (a table, None for no rows, or
    ``landing.KEEP``: the landed rows stay)."""

    outcome: dict[str, Any]
    manifest: dict[str, Any] | None = None
    rows: Any = landing.KEEP


def extract_slice(
    slc: Slice, data_dir: Path, session: requests.Session | None = None
) -> dict[str, Any]:
    """Fetch, parse and land one slice (into its batch); returns its outcome.

    For one slice at a time: the batch's manifest is read and rewritten, so answers of
    one batch extracted together go through ``answer_slice`` and ``land_answers`` once
    (``warehouse.refresh.extract``)."""
    directory = landing.batch_dir(data_dir, slc.source_id, slc.period)
    previous = landing.landed_answers(directory).get(slc.key) or {}
    answer = answer_slice(slc, previous, session)
    land_answers(directory, slc.source_id, {slc.key: answer})
    return answer.outcome


def land_answers(directory: Path, source_id: str, answers: dict[str, Answer]) -> None:
    """Land the answers of one batch (source x period) in one file (nothing is written
    when every answer is as landed; answers of the earlier layout are moved in)."""
    updates = {k: (a.manifest, a.rows) for k, a in answers.items() if a.manifest is not None}
    schema = parsers.schema_of(load_catalogue()[source_id])
    landing.land_batch(directory, updates, schema=schema)


def answer_slice(
    slc: Slice, previous: dict[str, Any], session: requests.Session | None = None
) -> Answer:
    """Fetch and parse one slice against its landed manifest ``previous`` ({} if none)."""
    source = load_catalogue()[slc.source_id]
    feed = source.feed(slc.feed)
    parser = parsers.get(source.parser)
    session = session or http_client.make_session()
    headers = ckan.api_headers(feed.publisher)  # never logged, never in a manifest
    manifest: dict[str, Any] = {
        "source_id": source.id,
        "publisher": feed.publisher.name,
        "provider": source.provider,
        "licence": source.licence,
        "population_scope": source.population_scope,
        "period": slc.period,
        "slice_key": slc.key,
    }
    if not source.verified:
        manifest.update(
            verified=False,
            verified_note=source.verified_note,
        )
    outcome: dict[str, Any] = {**slc.as_dict(), "slice_key": slc.key}
    if source.slicing == "province_offices" or feed.parts:
        return _extract_parts(
            slc, source, feed, parser, previous, session, headers, manifest, outcome
        )
    resource = None
    expect = feed.expect
    if feed.access == "ckan":
        package_url = feed.url(period=slc.period)
        package = ckan.package_show(session, source.id, package_url, headers=headers)
        reason = (
            ckan.package_unchanged_reason(package, previous)
            if _target(previous.get("package_url")) == _target(package_url)
            and previous.get("parser_version") == parser.PARSER_VERSION
            else None
        )
        if reason:  # the dataset-level signal first: one request for the whole slice
            return Answer(
                {
                    **outcome,
                    "url": previous.get("url"),
                    "status": FetchStatus.NOT_MODIFIED,
                    "detail": reason,
                    "bytes": 0,
                    "sha256": previous.get("sha256"),
                    "rows": previous.get("rows", 0),
                    "is_modelled": previous.get("is_modelled", False),
                }
            )
        try:
            resource = ckan.choose(package, feed, slc.period, source.id)
            resource = dataclasses.replace(
                resource, url=ckan.rebase(resource.url, feed.publisher, source.id)
            )
        except NoDataYet as exc:
            outcome["url"] = feed.url(period=slc.period)
            if previous.get("parquet"):
                # Portals drop old files when they publish a new one (DLT keeps one):
                # a vintage landed earlier stays, it is not "no data".
                return Answer(
                    {
                        **outcome,
                        "status": FetchStatus.UNCHANGED,
                        "rows": previous.get("rows", 0),
                        "sha256": previous.get("sha256"),
                        "is_modelled": previous.get("is_modelled"),
                    }
                )
            return _no_data(previous, manifest, outcome, str(exc))
        url, expect = resource.url, resource.format
        manifest.update(
            package_url=package_url,
            resource_name=resource.name,
            as_at=resource.as_at.isoformat(),
            **ckan.resource_change_signal(resource),
        )
        reason = (
            ckan.resource_unchanged_reason(resource, previous)
            if previous.get("parquet")
            and _target(previous.get("url")) == _target(url)
            and previous.get("parser_version") == parser.PARSER_VERSION
            else None
        )
        if reason:  # the portal says the landed file is current: no download at all
            return Answer(
                {
                    **outcome,
                    "url": url,
                    "status": FetchStatus.NOT_MODIFIED,
                    "detail": reason,
                    "bytes": 0,
                    "sha256": previous.get("sha256"),
                    "rows": previous.get("rows", 0),
                    "is_modelled": previous.get("is_modelled", False),
                }
            )
    elif feed.access == "ckan_datastore":
        package_url = feed.url(period=slc.period)
        package = ckan.package_show(session, source.id, package_url, headers=headers)
        item = ckan.datastore_resource(package, feed, source.id, package_url)
        signal = ckan.change_signal(package, item)
        manifest.update(
            package_url=package_url,
            resource_id=feed.datastore_resource,
            resource_name=str(item.get("name") or ""),
            **signal,
        )
        outcome["url"] = ckan.datastore_search_url(feed, limit=feed.page_size, offset=0)
        if (
            ckan.unchanged_since(previous, signal)
            and previous.get("parser_version") == parser.PARSER_VERSION
        ):
            # The portal says the records did not change since they were landed.
            return Answer(
                {
                    **outcome,
                    "status": FetchStatus.UNCHANGED,
                    "detail": "CKAN package and resource stamps as landed: not downloaded",
                    "rows": previous.get("rows", 0),
                    "sha256": previous.get("sha256"),
                    "is_modelled": previous.get("is_modelled"),
                }
            )
        answer = ckan.datastore_search(
            session, source.id, feed, headers=headers, max_bytes=source.max_bytes
        )
        url = answer.url
        manifest.update(datastore_pages=answer.pages, datastore_total=answer.total)
    else:
        url = feed.url(period=slc.period, province=slc.province, office=slc.office)
    outcome["url"] = url
    if feed.access == "ckan_datastore":
        result = http_client.FetchResult(
            url, 200, answer.body, answer.sha256, None, None, answer.duration_s
        )
    else:
        # Validators only make sense for the resource they came from (a new file is new);
        # the host may change (a mirror, a proxy), the path and query may not.
        validators = previous if _target(previous.get("url")) == _target(url) else {}
        result = http_client.fetch(
            session,
            source.id,
            url,
            expect=expect,
            max_bytes=source.max_bytes,
            etag=validators.get("etag"),
            last_modified=validators.get("last_modified"),
            headers=headers,
        )
    outcome.update(http_status=result.http_status, duration_s=round(result.duration_s, 3))
    remember = None
    if (
        previous
        and resource is not None
        and (result.not_modified or previous.get("sha256") == result.sha256)
    ):
        # the same file under new portal metadata: remember the metadata for next time
        remember = ckan.resource_change_signal(resource)
    if result.not_modified:
        return Answer(
            {
                **outcome,
                "status": FetchStatus.NOT_MODIFIED,
                "bytes": 0,
                "sha256": previous.get("sha256"),
                "rows": previous.get("rows", 0),
                "is_modelled": previous.get("is_modelled", False),
            },
            remember,
        )
    body = result.body or b""
    modelled = landing.modelled_method(result.sha256) is not None
    outcome.update(bytes=len(body), sha256=result.sha256, is_modelled=modelled)
    if (
        previous.get("sha256") == result.sha256
        and previous.get("status") != FetchStatus.NO_DATA
        and previous.get("parser_version") == parser.PARSER_VERSION
    ):
        return Answer(
            {**outcome, "status": FetchStatus.UNCHANGED, "rows": previous.get("rows", 0)},
            remember,
        )
    manifest.update(
        url=url,
        etag=result.etag,
        last_modified=result.last_modified,
        sha256=result.sha256,
        bytes=len(body),
        fetched_at=landing.utc_now(),
        parser_version=parser.PARSER_VERSION,
        is_modelled=modelled,
    )
    ctx = parsers.ParseContext(
        source=source,
        feed=feed,
        slice=slc,
        sha256=result.sha256 or "",
        is_modelled=modelled,
        resource=resource,
        document=result.document,
    )
    try:
        table = parser.parse_table(body, ctx)
    except NoDataYet as exc:
        return _no_data(previous, manifest, outcome, str(exc))
    except ParseError as exc:  # a batch holds thousands of answers: say which one
        raise exc.naming(_answer_name(slc, url)) from exc
    return Answer(
        {**outcome, "status": FetchStatus.DOWNLOADED, "rows": table.num_rows},
        {**manifest, "status": FetchStatus.DOWNLOADED},
        table,
    )


def _extract_parts(
    slc: Slice,
    source: Any,
    feed: Any,
    parser: Any,
    previous: dict[str, Any],
    session: requests.Session,
    headers: dict[str, str],
    manifest: dict[str, Any],
    outcome: dict[str, Any],
) -> Answer:
    """A slice of several answers parsed together (``parser.parse_parts``).

    ``province_offices``: the discovery answer (statpop action 193) lists the province's
    registration offices, then each office is asked (action 194); the offices come from
    the publisher, never from a hand-kept list. ``parts``: a fixed set of named requests
    (vital events: births, deaths, moves in, moves out). The slice's sha256 is that of its
    answers' sha256s in order, so an unchanged slice is recognised without validators.
    """
    bodies: dict[str, bytes] = {}
    requests_log: list[dict[str, Any]] = []
    modelled = False
    duration = 0.0
    # Each answer is asked "has this changed?" with the validators it was landed with.
    landed_parts = (
        {r["part"]: r for r in previous.get("requests") or ()}
        if previous.get("parquet") and previous.get("parser_version") == parser.PARSER_VERSION
        else {}
    )
    revalidated: list[str] = []  # parts the publisher answered 304

    def get(name: str, url: str, *, conditional: bool = True) -> bytes | None:
        nonlocal modelled, duration
        seen = landed_parts.get(name) if conditional else None
        validators = seen if seen and _target(seen.get("url")) == _target(url) else {}
        result = http_client.fetch(
            session,
            source.id,
            url,
            expect=feed.expect,
            max_bytes=source.max_bytes,
            etag=validators.get("etag"),
            last_modified=validators.get("last_modified"),
            headers=headers,
        )
        duration += result.duration_s
        entry: dict[str, Any] = {"part": name, "url": url}
        if result.not_modified and validators:
            revalidated.append(name)
            requests_log.append(
                {
                    **entry,
                    **{k: validators.get(k) for k in ("sha256", "bytes", "etag", "last_modified")},
                }
            )
            return None
        body = result.body or b""
        bodies[name] = body
        modelled = modelled or landing.modelled_method(result.sha256) is not None
        entry.update(
            sha256=result.sha256,
            bytes=len(body),
            etag=result.etag,
            last_modified=result.last_modified,
        )
        for index, logged in enumerate(requests_log):
            if logged["part"] == name:  # asked again in full: replaces its 304
                requests_log[index] = entry
                break
        else:
            requests_log.append(entry)
        return body

    ctx = parsers.ParseContext(source=source, feed=feed, slice=slc, sha256="", is_modelled=False)
    if source.slicing == "province_offices":
        first = feed.discovery_url(period=slc.period, province=slc.province)
        outcome["url"] = first
        discovery = get(parser.DISCOVERY_PART, first)
        if discovery is None:  # the same list of offices as landed
            offices = [p.removeprefix("rcode=") for p in landed_parts if p.startswith("rcode=")]
        else:
            try:
                offices = parser.offices(discovery, ctx)
            except NoDataYet as exc:
                return _no_data(previous, manifest, outcome, str(exc))
            except ParseError as exc:
                raise exc.naming(_answer_name(slc, first)) from exc
        for office in offices:
            get(
                f"rcode={office}", feed.url(period=slc.period, province=slc.province, office=office)
            )
    else:
        urls = feed.part_urls(period=slc.period, province=slc.province)
        outcome["url"] = next(iter(urls.values()))
        for name, url in urls.items():
            get(name, url)
    if revalidated and len(revalidated) == len(requests_log):
        # every answer of the slice is as landed: nothing downloaded, nothing parsed
        return Answer(
            {
                **outcome,
                "http_status": 304,
                "duration_s": round(duration, 3),
                "status": FetchStatus.NOT_MODIFIED,
                "bytes": 0,
                "sha256": previous.get("sha256"),
                "rows": previous.get("rows", 0),
                "is_modelled": previous.get("is_modelled", False),
                "requests": len(requests_log),
            }
        )
    urls_of = {r["part"]: r["url"] for r in requests_log}
    for name in revalidated:  # parsed together: the unchanged answers are needed too
        get(name, urls_of[name], conditional=False)
    digest = hashlib.sha256(
        "\n".join(f"{r['part']} {r['sha256']}" for r in requests_log).encode()
    ).hexdigest()
    total = sum(r["bytes"] for r in requests_log)
    outcome.update(
        http_status=200,
        duration_s=round(duration, 3),
        bytes=total,
        sha256=digest,
        is_modelled=modelled,
        requests=len(requests_log),
    )
    if (
        previous.get("sha256") == digest
        and previous.get("status") != FetchStatus.NO_DATA
        and previous.get("parser_version") == parser.PARSER_VERSION
    ):
        return Answer({**outcome, "status": FetchStatus.UNCHANGED, "rows": previous.get("rows", 0)})
    manifest.update(
        url=outcome["url"],
        sha256=digest,
        bytes=total,
        fetched_at=landing.utc_now(),
        parser_version=parser.PARSER_VERSION,
        is_modelled=modelled,
        requests=requests_log,
    )
    ctx = dataclasses.replace(ctx, sha256=digest, is_modelled=modelled)
    try:
        table = parser.parse_parts(bodies, ctx)
    except NoDataYet as exc:
        return _no_data(previous, manifest, outcome, str(exc))
    except ParseError as exc:
        raise exc.naming(_answer_name(slc, outcome["url"])) from exc
    return Answer(
        {**outcome, "status": FetchStatus.DOWNLOADED, "rows": table.num_rows},
        {**manifest, "status": FetchStatus.DOWNLOADED},
        table,
    )


def _answer_name(slc: Slice, url: str) -> str:
    return f"{slc.source_id} {slc.period} {slc.key} <{url}>"


def _target(url: str | None) -> tuple[str, str] | None:
    if not url:
        return None
    parts = urlsplit(url)
    return parts.path, parts.query


def _no_data(
    previous: dict[str, Any], manifest: dict[str, Any], outcome: dict[str, Any], note: str
) -> Answer:
    """The publisher has nothing for the slice yet: record it, land no rows."""
    result = {**outcome, "status": FetchStatus.NO_DATA, "rows": 0}
    if (
        previous.get("status") == FetchStatus.NO_DATA
        and previous.get("note") == note
        and previous.get("url") == outcome["url"]
    ):
        return Answer(result)  # recorded already: the batch is not rewritten for it
    return Answer(
        result,
        {
            "url": outcome["url"],
            "fetched_at": landing.utc_now(),
            **manifest,
            "status": FetchStatus.NO_DATA,
            "note": note,
        },
        None,
    )
