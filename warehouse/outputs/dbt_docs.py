"""The dbt documentation of a release (models, columns, lineage, exposures), as one page.

``dbt docs generate --static`` runs on the ``release_docs`` target of the project's
profile, which opens the release file read-only: the catalogue (column types) is the
release's own, and the release is never written to.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from warehouse.paths import dbt_project_dir


class DbtDocsError(RuntimeError):
    """``dbt docs generate`` did not produce the static page."""


def generate_dbt_docs(release_path: Path, out_dir: Path) -> Path:
    from dbt.cli.main import dbtRunner  # heavy: import only when the docs are built

    project = dbt_project_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dbt-docs-") as work:
        env = {
            "SMARTCITY_RELEASE_PATH": str(release_path),
            "SMARTCITY_BUILD_PATH": str(release_path),  # rendered by the profile, not opened
        }
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            result = dbtRunner().invoke(
                [
                    "docs", "generate", "--static",
                    "--project-dir", str(project), "--profiles-dir", str(project),
                    "--target", "release_docs",
                    "--target-path", str(Path(work) / "target"),
                    "--log-path", str(Path(work) / "logs"),
                    "--no-use-colors", "--quiet",
                ]  # fmt: skip
            )
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        page = Path(work) / "target" / "static_index.html"
        if not result.success or not page.exists():
            raise DbtDocsError(f"dbt docs generate failed: {result.exception}")
        shutil.copyfile(page, out_dir / "index.html")
        manifest = json.loads((Path(work) / "target" / "manifest.json").read_text("utf-8"))
    (out_dir / "README.txt").write_text(
        f"dbt docs of {release_path.name}: {len(manifest.get('nodes', {}))} nodes, "
        f"{len(manifest.get('exposures', {}))} exposures\n",
        encoding="utf-8",
    )
    return out_dir / "index.html"
