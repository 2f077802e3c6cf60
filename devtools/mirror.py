"""Loopback HTTP mirror that serves the bundled snapshot in the publishers' real URL shapes.

Each publisher is one folder under ``devtools/snapshots/`` with an ``index.json`` whose
``entries`` map a request (``path`` + ``query``) to a recorded body (``file``), so the
real HTTP client and parsers run offline against it. The mirror answers like a
well-behaved origin (ETag, Last-Modified, 304) and can be told to misbehave (faults) so
retry and validation code is testable.

    python -m devtools.mirror --port 0 --port-file .mirror-port [--snapshot-dir DIR ...]
        [--modelled-bodies FILE]

The pipeline does not know the mirror: what marks a served body as modelled is the
provenance-labels file (``--modelled-bodies``, ``devtools.snapshots.modelled_bodies``) that
``SMARTCITY_MODELLED_BODIES`` names, as it would for any other source of modelled bodies.

A CKAN DataStore resource is recorded as one ``datastore_search`` answer holding every
record (an entry with ``"serve": "datastore_search"``); the mirror answers
``/api/3/action/datastore_search?resource_id=<id>&limit=&offset=`` from it page by page
as CKAN does (``limit`` default 100, capped at 32,000; ``offset`` default 0; ``sort`` by
``_id`` only), with CKAN's ``total``, ``offset``, ``limit`` and ``_links``.

Control endpoints (never faulted): ``GET /_mirror/health``; ``GET|POST|DELETE
/_mirror/faults`` (POST a JSON fault, see :class:`Fault`); ``GET|DELETE /_mirror/requests``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import email.utils
import functools
import hashlib
import json
import os
import signal
import socket
import struct
import sys
import threading
import urllib.request
from collections.abc import Iterator, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

SNAPSHOTS_ROOT = Path(__file__).resolve().parent / "snapshots"
LOOPBACK = "127.0.0.1"
CONTROL_PREFIX = "/_mirror/"
JSON_TYPE = "application/json; charset=utf-8"
# Says whether an answer is modelled, for a person or test looking at the mirror's answers;
# the pipeline ignores it (it reads the labels file, see the module docstring).
MODELLED_HEADER = "X-Data-Modelled"
HTML_ERROR_PAGE = (
    "<!DOCTYPE html><html><head><title>Request Rejected</title></head><body>"
    "<h1>Request Rejected</h1><p>The requested URL was rejected. Please consult with "
    "your administrator.</p></body></html>"
)

RequestKey = tuple[str, tuple[tuple[str, str], ...]]
DATASTORE_SEARCH_PATH = "/api/3/action/datastore_search"
DATASTORE_DEFAULT_LIMIT = 100  # CKAN's default page
DATASTORE_MAX_LIMIT = 32000  # CKAN's ckan.datastore.search.rows_max default
DATASTORE_PARAMS = {"resource_id", "limit", "offset", "sort", "include_total", "records_format"}


# --- snapshot registry ----------------------------------------------------------------


def normalise_query(raw_query: str) -> tuple[tuple[str, str], ...] | None:
    """Flat, order-insensitive parameters of a raw query string.

    DOPA nests a second query in one value (``API=/api/...list?action=23&yymm=...``),
    sent unencoded or percent-encoded; either way the value is cut at ``?`` and what
    follows becomes ordinary parameters. Returns None on a repeated key with two values.
    """
    pending = parse_qsl(raw_query, keep_blank_values=True)
    params: dict[str, str] = {}
    while pending:
        key, value = pending.pop(0)
        if "?" in value:
            value, nested = value.split("?", 1)
            pending.extend(parse_qsl(nested, keep_blank_values=True))
        if params.setdefault(key, value) != value:
            return None
    return tuple(sorted(params.items()))


def entry_key(path: str, query: dict[str, str]) -> RequestKey:
    return path, tuple(sorted((str(k), str(v)) for k, v in query.items()))


@dataclasses.dataclass(frozen=True)
class SnapshotEntry:
    """One recorded response."""

    publisher: str
    path: str
    query: dict[str, str]
    body: bytes
    content_type: str
    etag: str
    last_modified: str
    is_modelled: bool
    status: int = HTTPStatus.OK


@dataclasses.dataclass(frozen=True)
class DataStoreResource:
    """A recorded DataStore resource: every record, served a page at a time."""

    entry: SnapshotEntry
    resource_id: str
    help_url: str | None
    fields: list[Any]
    records: list[Any]

    @classmethod
    def of(cls, entry: SnapshotEntry) -> DataStoreResource:
        answer = json.loads(entry.body.decode("utf-8"))
        result = answer["result"]
        if len(result["records"]) != result["total"]:
            raise ValueError(f"{entry.path}: a DataStore recording must hold every record")
        return cls(
            entry, result["resource_id"], answer.get("help"), result["fields"], result["records"]
        )

    def page(self, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """(HTTP status, answer) of one ``datastore_search`` request, as CKAN answers it."""
        unknown = sorted(set(params) - DATASTORE_PARAMS)
        try:
            limit = int(params.get("limit", DATASTORE_DEFAULT_LIMIT))
            offset = int(params.get("offset", 0))
        except ValueError:
            unknown.append("limit/offset")
            limit = offset = -1
        sort = params.get("sort", "_id").strip()
        if sort not in ("_id", "_id asc", "_id desc"):
            unknown.append("sort")
        if unknown or limit < 0 or offset < 0:
            error = {
                "__type": "Validation Error",
                **{
                    k: ["not supported by the mirror or invalid"]
                    for k in unknown or ["limit/offset"]
                },
            }
            return HTTPStatus.CONFLICT, {"help": self.help_url, "success": False, "error": error}
        limit = min(limit, DATASTORE_MAX_LIMIT)
        records = self.records if sort != "_id desc" else list(reversed(self.records))
        query = {"resource_id": self.resource_id}
        if "limit" in params:
            query["limit"] = str(limit)
        start = DATASTORE_SEARCH_PATH + "?" + "&".join(f"{k}={v}" for k, v in sorted(query.items()))
        following = {**query, "offset": str(offset + limit)}
        result = {
            "include_total": True,
            "resource_id": self.resource_id,
            "fields": self.fields,
            "records_format": "objects",
            "records": records[offset : offset + limit],
            "limit": limit,
            "offset": offset,
            "total": len(self.records),
            "_links": {
                "start": start,
                "next": DATASTORE_SEARCH_PATH
                + "?"
                + "&".join(f"{k}={v}" for k, v in sorted(following.items())),
            },
        }
        return HTTPStatus.OK, {"help": self.help_url, "success": True, "result": result}


def load_snapshot_dir(
    folder: Path, datastore: dict[str, DataStoreResource] | None = None
) -> dict[RequestKey, SnapshotEntry]:
    """Entries of one publisher folder; fails loudly if a body does not match its sha256.

    DataStore recordings go to ``datastore`` (by resource id) when it is given.
    """
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    publisher = str(index.get("publisher", folder.name))
    entries: dict[RequestKey, SnapshotEntry] = {}
    for item in index["entries"]:
        body = (folder / item["file"]).read_bytes()
        digest = hashlib.sha256(body).hexdigest()
        if digest != item["sha256"]:
            raise ValueError(f"{folder.name}/{item['file']}: sha256 differs from index.json")
        query = {str(k): str(v) for k, v in item.get("query", {}).items()}
        entry = SnapshotEntry(
            publisher=publisher,
            path=item["path"],
            query=query,
            body=body,
            content_type=item.get("content_type", JSON_TYPE),
            etag=f'"{digest}"',
            last_modified=item["last_modified"],
            is_modelled=bool(item.get("is_modelled", False)),
        )
        if item.get("serve") == "datastore_search":
            resource = DataStoreResource.of(entry)
            if datastore is not None:
                if resource.resource_id in datastore:
                    raise ValueError(
                        f"{folder}: DataStore {resource.resource_id} is already served"
                    )
                datastore[resource.resource_id] = resource
            continue
        entries[entry_key(item["path"], query)] = entry
    return entries


def discover_snapshot_dirs(root: Path = SNAPSHOTS_ROOT) -> list[Path]:
    """Every publisher folder under the snapshots root (one with an ``index.json``)."""
    return sorted(path.parent for path in root.glob("*/index.json"))


class Snapshot:
    """All publishers' recorded responses, looked up by request."""

    def __init__(self, folders: Sequence[Path]) -> None:
        self.entries: dict[RequestKey, SnapshotEntry] = {}
        self.datastore: dict[str, DataStoreResource] = {}
        for folder in folders:
            for key, entry in load_snapshot_dir(Path(folder), self.datastore).items():
                if key in self.entries:
                    raise ValueError(f"{folder}: request {key} is already served")
                self.entries[key] = entry
        # Request targets as sent (path + raw query) -> the entry served: a client asks the
        # same targets again and again (every conditional refresh), so the query is
        # normalised once per target, not once per request. Only served entries are kept,
        # at most one per entry and spelling of its query.
        self._by_target: dict[tuple[str, str], SnapshotEntry] = {}
        self._pages: dict[tuple[tuple[str, str], ...], SnapshotEntry | None] = {}

    def lookup(self, path: str, raw_query: str) -> SnapshotEntry | None:
        known = self._by_target.get((path, raw_query))
        if known is not None:
            return known
        params = normalise_query(raw_query)
        if params is None:
            return None
        if path == DATASTORE_SEARCH_PATH:
            return self.datastore_page(dict(params))
        entry = self.entries.get((path, params))
        if entry is not None and len(self._by_target) < 8 * len(self.entries) + 1024:
            self._by_target[(path, raw_query)] = entry
        return entry

    def datastore_page(self, params: dict[str, str]) -> SnapshotEntry | None:
        """One ``datastore_search`` page as an entry of its own (its ETag is its hash);
        a page asked again is served as built the first time (the records do not change)."""
        key = tuple(sorted(params.items()))
        if key not in self._pages:
            self._pages[key] = self._datastore_page(params)
        return self._pages[key]

    def _datastore_page(self, params: dict[str, str]) -> SnapshotEntry | None:
        resource = self.datastore.get(params.get("resource_id", ""))
        if resource is None:
            return None
        status, answer = resource.page(params)
        body = json.dumps(answer, ensure_ascii=False).encode("utf-8")
        return dataclasses.replace(
            resource.entry,
            query=params,
            body=body,
            etag=f'"{hashlib.sha256(body).hexdigest()}"',
            status=status,
        )


# --- fault injection --------------------------------------------------------------------

FAULT_KINDS = ("status", "sleep", "truncate", "html", "reset", "body")


@dataclasses.dataclass
class Fault:
    """Misbehaviour for the next ``times`` matching requests (None = until cleared).

    Kinds: ``status`` (answer ``status`` with ``headers``, e.g. 429 + Retry-After);
    ``sleep`` (wait ``seconds`` then answer normally: a client timeout); ``truncate``
    (announce the full Content-Length, send half the body, close); ``html`` (200 with an
    HTML error page); ``reset`` (TCP reset before any byte); ``body`` (200 with ``body``
    and ``content_type``, e.g. ``[]``). A fault matches when ``path`` is None or equal
    to the request path and every item of ``params`` is among the request parameters.
    """

    kind: str
    times: int | None = 1
    path: str | None = None
    params: dict[str, str] = dataclasses.field(default_factory=dict)
    status: int = 500
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    seconds: float = 5.0
    body: str | None = None
    content_type: str = JSON_TYPE

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"fault kind {self.kind!r} is not one of {FAULT_KINDS}")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be a positive count or null")
        self.params = {str(k): str(v) for k, v in self.params.items()}

    def matches(self, path: str, params: dict[str, str]) -> bool:
        if self.path is not None and self.path != path:
            return False
        return all(params.get(key) == value for key, value in self.params.items())


class FaultPlan:
    """Queued faults, consumed first-in first-out by matching requests (thread-safe)."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dataclasses.asdict(fault) for fault in self._faults]

    def take(self, path: str, params: dict[str, str]) -> Fault | None:
        if not self._faults:  # the usual case: nothing planned, no lock taken
            return None
        with self._lock:
            for fault in self._faults:
                if fault.matches(path, params):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times == 0:
                            self._faults.remove(fault)
                    return fault
        return None


# --- HTTP server --------------------------------------------------------------------------


class _ConnectionDropped(Exception):
    """Raised after a deliberate reset so the handler stops without touching the socket."""


class MirrorServer(ThreadingHTTPServer):
    """Threaded loopback server holding the snapshot, the fault plan and a request log."""

    daemon_threads = True  # a sleeping fault never blocks shutdown

    def __init__(self, snapshot: Snapshot, port: int = 0, quiet: bool = False) -> None:
        self.snapshot = snapshot
        self.faults = FaultPlan()
        self.quiet = quiet
        self.stopping = threading.Event()
        self._log: list[dict[str, Any]] = []
        self._log_lock = threading.Lock()
        super().__init__((LOOPBACK, port), MirrorHandler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def record(self, item: dict[str, Any]) -> None:
        with self._log_lock:
            self._log.append(item)

    def request_log(self, clear: bool = False) -> list[dict[str, Any]]:
        with self._log_lock:
            items = list(self._log)
            if clear:
                self._log.clear()
        return items

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (timeout test) is expected, not worth a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def shutdown(self) -> None:
        self.stopping.set()
        super().shutdown()


class MirrorHandler(BaseHTTPRequestHandler):
    server: MirrorServer
    protocol_version = "HTTP/1.1"  # keep-alive, as a pooled client expects
    # Headers and body go out in two writes; with Nagle's algorithm on, the body waits
    # for the client's delayed ACK (about 40 ms a response on Linux loopback).
    disable_nagle_algorithm = True
    server_version = "smartcity-mirror/1"

    def handle(self) -> None:
        with contextlib.suppress(_ConnectionDropped):
            super().handle()

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self.dispatch()

    def do_HEAD(self) -> None:  # noqa: N802
        self.dispatch()

    def do_POST(self) -> None:  # noqa: N802
        self.dispatch()

    def do_DELETE(self) -> None:  # noqa: N802
        self.dispatch()

    def dispatch(self) -> None:
        split = urlsplit(self.path)
        if split.path.startswith(CONTROL_PREFIX):
            self.control(split.path[len(CONTROL_PREFIX) :])
            return
        if self.command not in ("GET", "HEAD"):
            self.send_json(HTTPStatus.METHOD_NOT_ALLOWED, {"error": "method not allowed"})
            return
        params = normalise_query(split.query) or ()
        fault = self.server.faults.take(split.path, dict(params))
        self.server.record(
            {
                "method": self.command,
                "path": split.path,
                "params": dict(params),
                "target": self.path,
                "headers": dict(self.headers.items()),
                "client_port": self.client_address[1],  # one port = one reused connection
                "fault": fault.kind if fault else None,
            }
        )
        if fault is not None and self.apply_fault(fault):
            return
        self.serve_snapshot(split.path, split.query)

    # -- snapshot responses

    def serve_snapshot(self, path: str, raw_query: str) -> None:
        entry = self.server.snapshot.lookup(path, raw_query)
        if entry is None:
            self.send_json(
                HTTPStatus.NOT_FOUND,
                {
                    "error": "not_in_snapshot",
                    "message": "this request is not in the bundled snapshot",
                    "path": path,
                    "params": dict(normalise_query(raw_query) or ()),
                },
            )
            return
        headers = {
            "ETag": entry.etag,
            "Last-Modified": entry.last_modified,
            MODELLED_HEADER: "true" if entry.is_modelled else "false",
        }
        if entry.status == HTTPStatus.OK and self.not_modified(entry):
            self.send_body(HTTPStatus.NOT_MODIFIED, b"", None, headers)
            return
        self.send_body(entry.status, entry.body, entry.content_type, headers)

    def not_modified(self, entry: SnapshotEntry) -> bool:
        """RFC 9110 conditional GET: If-None-Match wins over If-Modified-Since."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return "*" in tags or entry.etag in tags
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since is None:
            return False
        try:
            since = email.utils.parsedate_to_datetime(if_modified_since)
            modified = email.utils.parsedate_to_datetime(entry.last_modified)
        except (TypeError, ValueError):
            return False
        return since.tzinfo is not None and modified <= since

    # -- faults

    def apply_fault(self, fault: Fault) -> bool:
        """Misbehave as told; False when the normal answer should follow (``sleep``)."""
        if fault.kind == "sleep":
            self.server.stopping.wait(fault.seconds)
            return False
        if fault.kind == "reset":
            self.reset_connection()
        if fault.kind == "status":
            body = (
                fault.body
                if fault.body is not None
                else json.dumps({"error": "injected fault", "status": fault.status})
            )
            self.send_body(fault.status, body.encode(), fault.content_type, fault.headers)
        elif fault.kind == "html":
            self.send_body(HTTPStatus.OK, HTML_ERROR_PAGE.encode(), "text/html; charset=utf-8")
        elif fault.kind == "body":
            body = (fault.body or "").encode()
            self.send_body(HTTPStatus.OK, body, fault.content_type, fault.headers)
        elif fault.kind == "truncate":
            self.send_truncated(urlsplit(self.path))
        return True

    def reset_connection(self) -> None:
        """Close with SO_LINGER 0, so the client sees a TCP reset rather than a clean end."""
        self.log_message('"%s" reset (injected)', self.requestline)
        sock = self.connection
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()
        self.wfile.close()
        sock.close()
        raise _ConnectionDropped

    def send_truncated(self, split: Any) -> None:
        entry = self.server.snapshot.lookup(split.path, split.query)
        body = entry.body if entry else json.dumps({"padding": "x" * 64}).encode()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", entry.content_type if entry else JSON_TYPE)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        self.close_connection = True

    # -- control endpoints

    def control(self, name: str) -> None:
        if name == "health":
            snapshot = self.server.snapshot
            self.send_json(
                HTTPStatus.OK,
                {
                    "status": "ok",
                    # every recorded index entry, a DataStore resource counting as one
                    "entries": len(snapshot.entries) + len(snapshot.datastore),
                    "datastore_resources": len(snapshot.datastore),
                },
            )
        elif name == "faults":
            self.control_faults()
        elif name == "requests" and self.command in ("GET", "DELETE"):
            log = self.server.request_log(clear=self.command == "DELETE")
            self.send_json(HTTPStatus.OK, {"requests": log})
        else:
            self.send_json(HTTPStatus.NOT_FOUND, {"error": f"no control endpoint {name!r}"})

    def control_faults(self) -> None:
        plan = self.server.faults
        if self.command == "POST":
            try:
                length = int(self.headers.get("Content-Length", "0"))
                spec = json.loads(self.rfile.read(length) or b"{}")
                faults = [Fault(**item) for item in (spec if isinstance(spec, list) else [spec])]
            except (TypeError, ValueError) as exc:
                self.send_json(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
                return
            for fault in faults:
                plan.add(fault)
        elif self.command == "DELETE":
            plan.clear()
        self.send_json(HTTPStatus.OK, {"faults": plan.pending()})

    # -- plumbing

    def send_json(self, status: int, payload: Any) -> None:
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
        self.send_body(status, body, JSON_TYPE)

    def send_body(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Length", str(len(body)))
        # Headers and body in one write: one system call (and one packet) an answer.
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD" and status != HTTPStatus.NOT_MODIFIED:
            self._headers_buffer.append(body)
        self.flush_headers()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.log_message('"%s" %s', self.requestline, str(code))

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        if not self.server.quiet:
            sys.stderr.write(f"mirror: {format % args}\n")


# --- entry points -----------------------------------------------------------------------


class Mirror:
    """The mirror running in a background thread of this process (tests, notebooks).

    with Mirror() as mirror:
        mirror.inject(Fault("status", status=429, headers={"Retry-After": "1"}))
        requests.get(mirror.base_url + "/stat/...")
    """

    def __init__(
        self, snapshot_dirs: Sequence[Path] | None = None, port: int = 0, quiet: bool = True
    ) -> None:
        folders = list(snapshot_dirs) if snapshot_dirs else discover_snapshot_dirs()
        self.folders = folders
        self.server = MirrorServer(Snapshot(folders), port=port, quiet=quiet)
        # A short poll interval makes stop() quick, which keeps test suites fast.
        serve = functools.partial(self.server.serve_forever, poll_interval=0.05)
        self._thread = threading.Thread(target=serve, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.server.port}"

    def inject(self, fault: Fault) -> None:
        self.server.faults.add(fault)

    def write_modelled_bodies(self, path: Path) -> Path:
        """Write the provenance labels of the served bodies (for ``SMARTCITY_MODELLED_BODIES``)."""
        from devtools.snapshots import modelled_bodies

        return modelled_bodies.write(path, self.folders)

    def clear_faults(self) -> None:
        self.server.faults.clear()

    def requests(self, clear: bool = False) -> list[dict[str, Any]]:
        """Requests seen so far (control endpoints excluded), oldest first."""
        return self.server.request_log(clear=clear)

    def start(self) -> Mirror:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Mirror:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def serve_snapshot(
    snapshot_dirs: Sequence[Path] | None = None, port: int = 0, quiet: bool = True
) -> Iterator[str]:
    """Serve the snapshot on loopback for the duration of the block; yields the base URL.

    Faults can be injected through the control endpoint, e.g. with :func:`inject_fault`.
    """
    with Mirror(snapshot_dirs, port=port, quiet=quiet) as mirror:
        yield mirror.base_url


def inject_fault(base_url: str, **fault: Any) -> list[dict[str, Any]]:
    """Queue a fault on a running mirror (in this process or not); returns the queue."""
    Fault(**fault)  # validate here, with a Python traceback, before sending
    request = urllib.request.Request(
        f"{base_url}{CONTROL_PREFIX}faults",
        data=json.dumps(fault).encode(),
        headers={"Content-Type": JSON_TYPE},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["faults"]


def clear_faults(base_url: str) -> None:
    request = urllib.request.Request(f"{base_url}{CONTROL_PREFIX}faults", method="DELETE")
    with urllib.request.urlopen(request, timeout=10):
        pass


def write_port_file(path: Path, port: int) -> None:
    """Write the bound port atomically, so a reader never sees a partial number."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(f"{port}\n", encoding="utf-8")
    os.replace(tmp, path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the bundled snapshot on loopback.")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument(
        "--snapshot-dir",
        type=Path,
        action="append",
        default=None,
        help="publisher folder with an index.json (repeatable; default: all bundled)",
    )
    parser.add_argument("--port-file", type=Path, help="write the bound port here")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    parser.add_argument(
        "--modelled-bodies",
        type=Path,
        help="write the provenance labels of the served bodies here (SMARTCITY_MODELLED_BODIES)",
    )
    args = parser.parse_args(argv)

    folders = args.snapshot_dir or discover_snapshot_dirs()
    if args.modelled_bodies:
        from devtools.snapshots import modelled_bodies

        modelled_bodies.write(args.modelled_bodies, folders)
    server = MirrorServer(Snapshot(folders), port=args.port, quiet=args.quiet)
    # SIGTERM (make, compose) stops serving cleanly, like Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    if args.port_file:
        write_port_file(args.port_file, server.port)
    sys.stderr.write(
        f"mirror: serving {len(server.snapshot.entries)} responses and "
        f"{len(server.snapshot.datastore)} DataStore resource(s) from "
        f"{len(folders)} folder(s) on http://{LOOPBACK}:{server.port}\n"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if args.port_file:
            args.port_file.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
