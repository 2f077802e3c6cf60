"""The dbt documentation of a release (models, columns, lineage, exposures), as one page.

``dbt docs generate --static`` runs with a profile of its own (the project's ``duckdb``
output, ``warehouse.dbt_build.write_profile``) that opens the release file read-only: the
catalogue (column types) is the release's own, and the release is never written to.

``DocsJob`` runs it in a process of its own (``python -m warehouse.outputs.dbt_docs``) while
the pages and workbooks are written: DuckDB lets several processes read one file.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from smartcity import settings


class DbtDocsError(RuntimeError):
    """``dbt docs generate`` did not produce the static page."""


def generate_dbt_docs(release_path: Path, out_dir: Path) -> Path:
    from dbt.cli.main import dbtRunner  # heavy: import only when the docs are built

    from warehouse.dbt_build import write_profile

    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dbt-docs-") as tmp:
        work = Path(tmp)
        output = {"path": str(release_path), "config_options": {"access_mode": "READ_ONLY"}}
        profiles_dir = write_profile("duckdb", work, output).parent
        result = dbtRunner().invoke(
            [
                "docs", "generate", "--static",
                "--project-dir", str(settings.dbt_project_dir()),
                "--profiles-dir", str(profiles_dir),
                "--target", "duckdb",
                "--target-path", str(work / "target"),
                "--log-path", str(work / "logs"),
                "--no-use-colors", "--quiet",
            ]  # fmt: skip
        )
        page = work / "target" / "static_index.html"
        if not result.success or not page.exists():
            raise DbtDocsError(f"dbt docs generate failed: {result.exception}")
        shutil.copyfile(page, out_dir / "index.html")
        manifest = json.loads((work / "target" / "manifest.json").read_text("utf-8"))
    (out_dir / "README.txt").write_text(
        f"dbt docs of {release_path.name}: {len(manifest.get('nodes', {}))} nodes, "
        f"{len(manifest.get('exposures', {}))} exposures\n",
        encoding="utf-8",
    )
    return out_dir / "index.html"


class DocsJob:
    """``generate_dbt_docs`` in a separate process, started now and collected by ``wait``.

    It writes into ``work/docs`` (its log beside it); ``wait`` returns that folder."""

    def __init__(self, release_path: Path, work: Path) -> None:
        self.work = work
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        self.out_dir = work / "docs"
        self.log = work / "log"
        self.started = time.monotonic()
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "warehouse.outputs.dbt_docs", str(release_path), str(self.out_dir)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        self.seconds: float | None = None

    def wait(self) -> Path:
        """Wait for the docs (raises ``DbtDocsError``); ``seconds`` is what they took."""
        code = self.process.wait()
        log = self.log.read_text("utf-8", errors="replace")
        took = [line for line in log.splitlines() if line.startswith(SECONDS_MARK)]
        self.seconds = (
            float(took[-1].removeprefix(SECONDS_MARK))
            if took
            else round(time.monotonic() - self.started, 2)
        )
        if code != 0 or not (self.out_dir / "index.html").exists():
            tail = " | ".join(log.strip().splitlines()[-5:])
            raise DbtDocsError(f"dbt docs generate failed (exit {code}): {tail}")
        return self.out_dir

    def stop(self) -> None:
        """End the process if it still runs (the outputs failed) and remove its folder."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.work, ignore_errors=True)


SECONDS_MARK = "dbt docs seconds: "


def main(argv: list[str] | None = None) -> int:
    release_path, out_dir = (Path(a) for a in (argv or sys.argv[1:]))
    started = time.monotonic()
    generate_dbt_docs(release_path, out_dir)
    print(f"{SECONDS_MARK}{time.monotonic() - started:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
