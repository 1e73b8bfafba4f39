"""The yearly report of implementation: what was done under each priority and sub-goal, coverage
by region and the actions that changed, as data, an HTML page and a PDF."""

import html
from datetime import UTC, datetime
from typing import Any

from fpdf import FPDF
from pymongo.asynchronous.database import AsyncDatabase

from htk_reporting import store
from htk_reporting.contribution import ALL, cell_id
from htk_reporting.figures import Ages, Docs, county_table, figures, push_reason
from htk_reporting.geography import Geography
from htk_reporting.plan import WHOLE_PLAN, PlanView

EXAMPLES_PER_SUB_GOAL = 10
CHANGES_LISTED = 500


async def report_data(
    db: AsyncDatabase[dict[str, Any]],
    plan: PlanView,
    geo: Geography,
    docs: Docs,
    year: int,
    now: datetime,
    ages: Ages,
    *,
    snapshot_id: str | None = None,
) -> dict[str, Any]:
    """``docs`` holds the cells of every node in scope ``all`` and of the whole plan by place."""
    priorities = []
    for p in plan.active("priority"):
        subs = []
        for s in plan.active("sub_goal"):
            if not s.code.startswith(p.code + "."):
                continue
            fig = figures(docs.get(cell_id(s.code, ALL)), now, ages)
            examples = (
                await db[store.ACTIONS]
                .find(
                    {"published": True, "codes": {"$in": sorted(plan.sources(s.code))}},
                    {"snapshot.title": 1, "public.title": 1},
                )
                .sort("_id", 1)
                .limit(EXAMPLES_PER_SUB_GOAL)
                .to_list()
            )
            subs.append(
                {
                    "code": s.code,
                    "name": s.name,
                    **fig,
                    "needs_push": push_reason(fig),
                    "examples": [e["public"]["title"] for e in examples],
                }
            )
        fig = figures(docs.get(cell_id(p.code, ALL)), now, ages)
        priorities.append({"code": p.code, "name": p.name, **fig, "sub_goals": subs})
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    changed: dict[str, dict[str, Any]] = {}
    cursor = db[store.LOG].find({"time": {"$gte": start, "$lt": end}}).sort("time", 1)
    async for e in cursor:
        if e["public_kind"]:
            title = e["facts"]["title"] if e["facts"] else None
            prior = changed.get(e["action_id"], {})
            changed[e["action_id"]] = {
                "action_id": e["action_id"],
                "title": title or prior.get("title"),
                "kinds": sorted({*prior.get("kinds", []), e["kind"]}),
                "last_change": e["time"].date().isoformat(),
            }
    missing = [a for a, c in changed.items() if not c["title"]]
    async for a in db[store.ACTIONS].find({"_id": {"$in": missing}}):
        changed[a["_id"]]["title"] = (a.get("snapshot") or {}).get("title") or a["_id"]
    counts = {
        k: sum(k in c["kinds"] for c in changed.values())
        for k in ("published", "updated", "withdrawn")
    }
    return {
        "year": year,
        "plan_version": plan.version,
        "computed_at": now.isoformat(),
        "snapshot_id": snapshot_id,
        "total": figures(docs.get(cell_id(WHOLE_PLAN, ALL)), now, ages),
        "priorities": priorities,
        "regions": county_table(geo, docs, WHOLE_PLAN, now, ages),
        "changes": {
            **counts,
            "actions": list(changed.values())[:CHANGES_LISTED],
            "listed_of": len(changed),
        },
    }


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def to_html(data: dict[str, Any]) -> str:
    frozen = (
        f"Jäädytetty tilannekuva / frozen snapshot {_e(data['snapshot_id'])}"
        if data["snapshot_id"]
        else "Alustava: ei jäädytetty / preliminary, not frozen"
    )
    parts = [
        "<!doctype html><html lang='fi'><head><meta charset='utf-8'>",
        f"<title>Toimeenpanon vuosiraportti {data['year']}</title></head><body>",
        f"<h1>Toimeenpanon vuosiraportti / Yearly report {data['year']}</h1>",
        f"<p>Suunnitelman versio / plan version {data['plan_version']}. {frozen}. "
        f"Laskettu / computed {_e(data['computed_at'])}.</p>",
        f"<p>Julkaistuja toimenpiteitä / published actions: {data['total']['actions']}; "
        f"organisaatioita / organisations: {data['total']['organisations']}; "
        f"kuntia / municipalities: {data['total']['municipalities']}.</p>",
        "<h2>Painopisteet ja alatavoitteet / Priorities and sub-goals</h2>",
    ]
    for p in data["priorities"]:
        parts.append(f"<h3>{_e(p['code'])} {_e(p['name'])}: {p['actions']} toimenpidettä</h3>")
        parts.append(
            "<table><tr><th>Alatavoite</th><th>Toimenpiteitä</th><th>Organisaatioita</th>"
            "<th>Kuntia</th><th>Tuore / ikääntyvä / vanha</th><th>Tarvitsee tukea</th>"
            "<th>Esimerkkejä</th></tr>"
        )
        for s in p["sub_goals"]:
            f = s["freshness"]
            parts.append(
                f"<tr><td>{_e(s['code'])} {_e(s['name'])}</td><td>{s['actions']}</td>"
                f"<td>{s['organisations']}</td><td>{s['municipalities']}</td>"
                f"<td>{f['fresh']} / {f['ageing']} / {f['stale']}</td>"
                f"<td>{_e(s['needs_push'] or '')}</td>"
                f"<td>{'; '.join(_e(t) for t in s['examples'])}</td></tr>"
            )
        parts.append("</table>")
    parts.append("<h2>Alueellinen kattavuus / Coverage by region</h2><table>")
    parts.append(
        "<tr><th>Alue</th><th>Toimenpiteitä</th><th>Koko alueen</th>"
        "<th>Kuntia tavoitettu / kaikkiaan</th></tr>"
    )
    for r in data["regions"]:
        total = r["municipalities_total"]
        reached = f"{r['municipalities']} / {total}" if total is not None else ""
        parts.append(
            f"<tr><td>{_e(r['name'])}</td><td>{r['actions']}</td>"
            f"<td>{_e(r['county_wide'])}</td><td>{reached}</td></tr>"
        )
    parts.append("</table>")
    c = data["changes"]
    parts.append(
        f"<h2>Muuttuneet toimenpiteet / Actions that changed</h2><p>Julkaistu {c['published']}, "
        f"päivitetty {c['updated']}, poistettu {c['withdrawn']}.</p><ul>"
    )
    for a in c["actions"]:
        parts.append(
            f"<li>{_e(a['title'])} ({_e(', '.join(a['kinds']))}, {_e(a['last_change'])})</li>"
        )
    parts.append("</ul></body></html>")
    return "\n".join(parts)


def _latin1(text: Any) -> str:
    # The PDF core fonts cover Latin-1 (Finnish and Swedish letters included).
    return str(text).encode("latin-1", "replace").decode("latin-1")


def to_pdf(data: dict[str, Any]) -> bytes:
    pdf = FPDF()
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    width = pdf.epw

    def line(text: str, size: int = 10, style: str = "") -> None:
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(width, size * 0.55, _latin1(text), new_x="LMARGIN", new_y="NEXT")

    line(f"Toimeenpanon vuosiraportti / Yearly report {data['year']}", 16, "B")
    state = f"snapshot {data['snapshot_id']}" if data["snapshot_id"] else "preliminary, not frozen"
    line(f"Plan version {data['plan_version']}, {state}, computed {data['computed_at']}")
    t = data["total"]
    line(
        f"Published actions {t['actions']}, organisations {t['organisations']}, "
        f"municipalities {t['municipalities']}"
    )
    for p in data["priorities"]:
        line(f"{p['code']} {p['name']}: {p['actions']} actions", 12, "B")
        for s in p["sub_goals"]:
            f = s["freshness"]
            push = f" - needs a push ({s['needs_push']})" if s["needs_push"] else ""
            line(
                f"{s['code']} {s['name']}: {s['actions']} actions, {s['organisations']} "
                f"organisations, {s['municipalities']} municipalities; fresh {f['fresh']}, "
                f"ageing {f['ageing']}, stale {f['stale']}{push}"
            )
    line("Coverage by region", 12, "B")
    for r in data["regions"]:
        total = r["municipalities_total"]
        reached = f", municipalities {r['municipalities']}/{total}" if total is not None else ""
        line(f"{r['name']}: {r['actions']} actions{reached}")
    c = data["changes"]
    line("Actions that changed", 12, "B")
    line(f"published {c['published']}, updated {c['updated']}, withdrawn {c['withdrawn']}")
    for a in c["actions"]:
        line(f"- {a['title']} ({', '.join(a['kinds'])}, {a['last_change']})", 9)
    return bytes(pdf.output())
