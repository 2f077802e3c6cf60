"""The dbt documentation of a release (models, columns, lineage, exposures), as one page.

``dbt docs generate --static`` runs with a profile of its own (the project's ``duckdb``
output, ``warehouse.dbt_build.write_profile``) that opens the release file read-only: the
catalogue (column types) is the release's own, and the release is never written to.
"""

from __future__ import annotations

import json
import shutil
import tempfile
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
