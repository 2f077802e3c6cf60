"""Screenshot of an area page of the current site for the README (development tooling):
``python -m devtools.screenshot [slug] [out.png]`` (default ``province-91``,
``docs/area-profile-satun.png``), in Debian's headless Chromium, offline."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from warehouse.outputs import LATEST, site_root

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


def main(argv: list[str]) -> int:
    slug = argv[0] if argv else "province-91"
    out = Path(argv[1] if len(argv) > 1 else "docs/area-profile-satun.png")
    page_path = (site_root() / LATEST / "areas" / f"{slug}.html").resolve()
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1280, "height": 900},
        )  # fmt: skip
        page = context.new_page()
        page.goto(page_path.as_uri())
        page.wait_for_selector(".chart .main-svg")
        page.screenshot(path=str(out), full_page=True,
                        clip={"x": 0, "y": 0, "width": 1280, "height": 3600})  # fmt: skip
        context.close()
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
