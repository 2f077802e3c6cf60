"""The area-profile site of a release: an index and one page per area, Thai and English.

Pages are rendered by Jinja2 templates (``templates/``); charts are plotly.js figures (age
pyramid, trends, peers, dimensions, plan progress) drawn in the browser by the copy of
plotly.js the ``plotly`` package ships, written once into ``assets/``. No page loads
anything from another machine; the site opens from the file system.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

import jinja2
import plotly.io
import plotly.offline

from warehouse import progress
from warehouse.outputs.areas import DIMENSIONS, LEVEL_NAMES, PAGE_LEVELS, Area, AreaData

TEMPLATES = Path(__file__).with_name("templates")
HIGHLIGHT, PEER = "#d62728", "#9ecae1"
MALE, FEMALE = "#1f77b4", "#e377c2"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["number"] = format_value
    env.filters["figure"] = _figure_json
    env.globals.update(LEVEL_NAMES=LEVEL_NAMES, DIMENSIONS=DIMENSIONS)
    return env


def format_value(value: Any, unit: str | None = None) -> str:
    """A figure as a planner reads it: fractions as per cent, thousands separated."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit == "fraction":
        return f"{100 * value:,.1f} %"
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1000:
        return f"{value:,.0f}"
    if isinstance(value, int | float):
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def _unit(unit: str | None) -> str:
    return "%" if unit == "fraction" else (unit or "")


def _scaled(value: Any, unit: str | None) -> Any:
    return 100 * value if unit == "fraction" and value is not None else value


def _encode(value: Any) -> str:
    """``value`` as plotly encodes it in a figure (compact; dates, NaN; <, > and / escaped)."""
    # plotly.io.to_json of a figure without validation is this encoder on the dict
    return plotly.io.json.to_json_plotly(value, engine="json")


class EncodedFigure(dict):
    """A figure some of whose values are JSON already (``raw``): encoded once for many
    pages, put in place of their stand-ins when the figure is written."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fragments: list[str] = []

    def raw(self, encoded: str) -> str:
        self.fragments.append(encoded)
        return f"\x00raw:{len(self.fragments) - 1}\x00"


_STAND_IN = re.compile(r'"\\u0000raw:(\d+)\\u0000"')  # a stand-in as encoded


def _figure_json(figure: dict[str, Any]) -> str:
    # plotly's own encoder (dates, NaN); "</" escaped so the JSON cannot end its <script>.
    text = _encode(figure)
    fragments = getattr(figure, "fragments", None)
    if fragments:
        text = _STAND_IN.sub(lambda m: fragments[int(m.group(1))], text)
    return jinja2.utils.markupsafe.Markup(text.replace("</", "<\\/"))


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


# -- figures -------------------------------------------------------------------------------

BASE_LAYOUT = {
    "margin": {"l": 60, "r": 20, "t": 40, "b": 50},
    "font": {"family": "Noto Sans Thai, Loma, Garuda, sans-serif", "size": 12},
    "height": 380,
}


def pyramid_figure(pyramid: dict[str, Any]) -> dict[str, Any]:
    ages = [r["age"] for r in pyramid["rows"]]
    return {
        "data": [
            {
                "type": "bar", "orientation": "h", "name": "ชาย / Male", "y": ages,
                "x": [-(r["male"] or 0) for r in pyramid["rows"]],
                "customdata": [r["male"] for r in pyramid["rows"]],
                "hovertemplate": "age %{y}: %{customdata:,} males<extra></extra>",
                "marker": {"color": MALE},
            },
            {
                "type": "bar", "orientation": "h", "name": "หญิง / Female", "y": ages,
                "x": [r["female"] or 0 for r in pyramid["rows"]],
                "hovertemplate": "age %{y}: %{x:,} females<extra></extra>",
                "marker": {"color": FEMALE},
            },
        ],  # fmt: skip
        "layout": {
            **BASE_LAYOUT,
            "height": 460,
            "barmode": "overlay",
            "bargap": 0.05,
            "title": {"text": f"ปิรามิดประชากร / Age pyramid, {_iso(pyramid['period'])}"},
            "xaxis": {"title": {"text": "คน / persons (male left, female right)"}},
            "yaxis": {"title": {"text": "อายุ / age"}},
        },
    }


def _dropdown(labels: list[str], extra: list[dict[str, Any]]) -> list[dict[str, Any]]:
    buttons = []
    for i, label in enumerate(labels):
        visible = [j == i for j in range(len(labels))]
        buttons.append(
            {"label": label, "method": "update", "args": [{"visible": visible}, extra[i]]}
        )
    return [{"buttons": buttons, "x": 0, "xanchor": "left", "y": 1.22, "yanchor": "top"}]


def _point_note(row: dict[str, Any]) -> str:
    notes = ["modelled"] if row.get("is_modelled") else []
    if (row.get("quality_status") or "ok") != "ok":
        notes.append(row["quality_status"])
    return f"({', '.join(notes)})" if notes else ""


def trends_figure(data: AreaData, code: str) -> dict[str, Any] | None:
    series = data.series(code)
    if not series:
        return None
    traces, labels, extra = [], [], []
    for indicator, rows in series.items():
        entry = data.catalogue.get(indicator, {})
        unit = rows[-1]["unit"]
        label = f"{entry.get('name_en') or indicator} / {entry.get('name_th') or ''}"
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": indicator,
                "x": [_iso(r["period"]) for r in rows],
                "y": [_scaled(r["value"], unit) for r in rows],
                "visible": not traces,
                # modelled points open, partial scope or stale ones named on hover
                "text": [_point_note(r) for r in rows],
                "marker": {
                    "size": 9,
                    "symbol": ["circle-open" if r["is_modelled"] else "circle" for r in rows],
                },
                "hovertemplate": "%{x}: %{y:,.2f} " + _unit(unit) + " %{text}<extra></extra>",
            }
        )
        labels.append(label[:60])
        # one period: a category axis (a date axis would spread one day over hours)
        extra.append(
            {"yaxis.title.text": _unit(unit), "xaxis.type": "date" if len(rows) > 1 else "category"}
        )
    return {
        "data": traces,
        "layout": {
            **BASE_LAYOUT,
            "margin": {**BASE_LAYOUT["margin"], "t": 90},
            "updatemenus": _dropdown(labels, extra),
            "xaxis": {"title": {"text": "งวด / period"}, "type": extra[0]["xaxis.type"]},
            "yaxis": {"title": {"text": extra[0]["yaxis.title.text"]}},
            "showlegend": False,
        },
    }


def benchmark_figure(data: AreaData, area: Area) -> tuple[dict[str, Any] | None, list]:
    """Bars of every peer for each indicator at the area's latest period, the area in red.

    A peer group's names and values are encoded once (``Ranking.encoded``) and shared by
    the pages of its areas; each page encodes only its colours."""
    traces, labels, extra, ranks = [], [], [], []
    figure = EncodedFigure()
    for row in data.headline(area.code):
        if row["value"] is None:
            continue
        ranking = data.ranking(area, row["indicator_code"], row["period"])
        if len(ranking) < 2:
            continue
        unit = row["unit"]
        traces.append(
            {
                "type": "bar",
                "name": row["indicator_code"],
                "x": figure.raw(_shared(ranking, "x", lambda r: [p.name_en for p, _ in r.peers])),
                "y": figure.raw(
                    _shared(ranking, ("y", unit), lambda r, u=unit: [_scaled(v, u) for v in r.values])
                ),
                "customdata": figure.raw(
                    _shared(ranking, "customdata", lambda r: [p.name_th for p, _ in r.peers])
                ),
                "marker": {"color": figure.raw(_colours(ranking, area))},
                "visible": not traces,
                "hovertemplate": "%{x} (%{customdata}): %{y:,.2f}<extra></extra>",
            }
        )
        rank = 1 + ranking.higher_than(row["value"])
        ranks.append({**row, "rank": rank, "peer_count": len(ranking)})
        labels.append(f"{row['name_en']} / {row['name_th']}"[:60])
        extra.append(
            {
                "yaxis.title.text": _unit(unit),
                "title.text": f"{_iso(row['period'])}: {area.name_en} {rank} / {len(ranking)}",
            }
        )
    if not traces:
        return None, []
    figure.update({
        "data": traces,
        "layout": {
            **BASE_LAYOUT,
            "height": 440,
            "margin": {"l": 60, "r": 20, "t": 110, "b": 120},
            "updatemenus": _dropdown(labels, extra),
            "title": {"text": extra[0]["title.text"], "y": 0.82},
            "yaxis": {"title": {"text": extra[0]["yaxis.title.text"]}},
            "xaxis": {"tickangle": -60, "automargin": True},
            "showlegend": False,
        },
    })
    return figure, ranks


def _shared(ranking: Any, key: Any, values: Any) -> str:
    if key not in ranking.encoded:
        ranking.encoded[key] = _encode(values(ranking))
    return ranking.encoded[key]


_ENCODED_COLOURS = (_encode(PEER), _encode(HIGHLIGHT))


def _colours(ranking: Any, area: Area) -> str:
    """The bar colours as JSON: the area's bar red, every other one blue."""
    if len(ranking.position) != len(ranking):  # a code twice: colour bar by bar
        return _encode([HIGHLIGHT if p.code == area.code else PEER for p, _ in ranking.peers])
    peer, highlight = _ENCODED_COLOURS
    at = ranking.position.get(area.code)
    n = len(ranking)
    items = [peer] * n
    if at is not None:
        items[at] = highlight
    return "[" + ",".join(items) + "]"


def dimensions_figure(data: AreaData, code: str) -> dict[str, Any] | None:
    """The seven dimensions at a glance: mean benchmark score when the release has the
    benchmarks mart, otherwise the share of catalogued indicators with a value."""
    names = [f"{en} / {th}" for th, en in DIMENSIONS.values()]
    scores = data.benchmarks.get(code)
    if scores and "score_0_100" in scores[0]:
        by_dim: dict[str, list[float]] = {}
        for r in scores:
            dim = r.get("dimension") or data.catalogue.get(r["indicator_code"], {}).get("dimension")
            if r.get("score_0_100") is not None:
                by_dim.setdefault(dim, []).append(r["score_0_100"])
        values = [sum(v) / len(v) if (v := by_dim.get(d)) else 0 for d in DIMENSIONS]
        title = "คะแนนเฉลี่ยเทียบกลุ่ม / mean score among peers (0-100)"
    elif code in data.coverage:
        dims = data.coverage[code]["dimensions"]
        values = [100 * dims[d][0] / dims[d][1] if d in dims and dims[d][1] else 0 for d in DIMENSIONS]
        title = "ตัวชี้วัดที่มีข้อมูล / indicators with a value (%)"
    else:
        return None
    return {
        "data": [
            {
                "type": "barpolar",
                "r": values,
                "theta": names,
                "marker": {"color": ["#2ca02c", "#ff7f0e", "#1f77b4", "#bcbd22", "#9467bd", "#8c564b", "#17becf"]},
                "hovertemplate": "%{theta}: %{r:.0f}<extra></extra>",
            }
        ],
        "layout": {
            **BASE_LAYOUT,
            "height": 420,
            "title": {"text": title},
            "polar": {"radialaxis": {"range": [0, 100]}},
            "showlegend": False,
        },
    }


def plan_figure(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    rows = [r for r in rows if r.get("progress_share") is not None]
    if not rows:
        return None
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [r["indicator_code"] for r in rows],
                "x": [100 * r["progress_share"] for r in rows],
                "text": [r.get("status") for r in rows],
                "hovertemplate": "%{y}: %{x:.0f} %% of the way (%{text})<extra></extra>",
            }
        ],
        "layout": {
            **BASE_LAYOUT,
            "height": 120 + 30 * len(rows),
            "title": {"text": "ความก้าวหน้าสู่เป้าหมาย / progress to target (%)"},
            "xaxis": {"range": [min(0, *(100 * r["progress_share"] for r in rows)), 110]},
            "yaxis": {"automargin": True},
        },
    }


# -- pages ---------------------------------------------------------------------------------


def _dimension_cards(data: AreaData, code: str) -> list[dict[str, Any]]:
    headline = data.headline(code)
    coverage = data.coverage.get(code, {}).get("dimensions", {})
    cards = []
    for dim, (th, en) in DIMENSIONS.items():
        with_value, catalogued = coverage.get(dim, (None, None))
        cards.append(
            {
                "code": dim, "name_th": th, "name_en": en,
                "indicators": [r for r in headline if r["dimension"] == dim],
                "with_value": with_value, "catalogued": catalogued,
            }
        )  # fmt: skip
    return cards


def area_context(data: AreaData, area: Area) -> dict[str, Any]:
    pyramid = data.pyramid(area.code)
    benchmarks, ranks = benchmark_figure(data, area)
    parent = data.by_code.get(area.parent_code) if area.parent_code else None
    children = data.children.get(area.code, [])
    members = [
        {**m, "area": data.by_code.get(m.get("member_code"))} for m in area.members
    ]
    plan = data.plan.get(area.code, [])
    return {
        "area": area,
        "parent": parent,
        "children": children,
        "members": members,
        "headline": data.headline(area.code),
        "quality": data.quality(area.code),
        "pyramid": pyramid_figure(pyramid) if pyramid else None,
        "trends": trends_figure(data, area.code),
        "benchmarks": benchmarks,
        "ranks": ranks,
        "benchmark_rows": data.benchmarks.get(area.code, []),
        "dimensions": dimensions_figure(data, area.code),
        "dimension_cards": _dimension_cards(data, area.code),
        "plan": plan,
        "plan_figure": plan_figure(plan),
        "has_plan_mart": data.release.has("mart_plan_progress"),
    }


def build_site(data: AreaData, out_dir: Path) -> int:
    """Write the site into ``out_dir``; returns the number of area pages."""
    env = _environment()
    (out_dir / "areas").mkdir(parents=True, exist_ok=True)
    assets = out_dir / "assets"
    assets.mkdir(exist_ok=True)
    (assets / "plotly.min.js").write_text(plotly.offline.get_plotlyjs(), encoding="utf-8")
    for name in ("site.css", "site.js"):
        (assets / name).write_text((TEMPLATES / name).read_text("utf-8"), encoding="utf-8")
    release = {
        **{k: _iso(v) for k, v in data.release.info.items()},
        "marts": data.release.marts(),
    }
    common = {"release": release, "workbook_areas": {a.code for a in data.workbook_areas()}}
    areas = data.page_areas()
    index = [
        {**a.as_dict(), "parent_name": (data.by_code.get(a.parent_code) or a).name_en}
        for a in areas
    ]
    (out_dir / "index.html").write_text(
        env.get_template("index.html.j2").render(
            areas=index, levels=[lvl for lvl in PAGE_LEVELS if any(a.level == lvl for a in areas)],
            **common,
        ),
        encoding="utf-8",
    )  # fmt: skip
    page = env.get_template("area.html.j2")
    for area in progress.track(data.each(areas), "site: area pages", len(areas), unit="page"):
        html = page.render(**area_context(data, area), **common)
        (out_dir / "areas" / f"{area.slug}.html").write_text(html, encoding="utf-8")
    return len(areas)
