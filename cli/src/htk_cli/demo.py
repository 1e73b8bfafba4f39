"""``htk demo load``: a living platform for a first look. Organisations across the country and a
few hundred generated actions over the example plan's measures, counties and municipalities,
published through the submissions service's bulk import (so a second run adds nothing).

It speaks HTTP to the services of ``htk up`` as a coordinator, with a user token signed by the
key ``htk up`` keeps under ``var/keys``. Every text is generated and marked as demo data.
"""

import argparse
import csv
import io
import random
import time
from pathlib import Path
from typing import Any

import httpx

from htk_cli.launcher import token_keys
from htk_cli.settings import LauncherSettings
from htk_runtime.auth import HEADER, User, sign
from htk_runtime.geography import load_geography
from htk_submissions.importer import COLUMNS

ACTIVITIES = [
    ("Kohtaamispaikka", "avoin kohtaamispaikka, jossa on kahvia, seuraa ja ohjausta"),
    ("Liikuntaryhmä", "matalan kynnyksen liikuntaryhmä ohjaajan kanssa"),
    ("Vertaistukiryhmä", "vertaistukiryhmä, jota vetää koulutettu vapaaehtoinen"),
    ("Yhteisöateria", "yhteinen ateria ja ruoka-apu kerran viikossa"),
    ("Digituki", "henkilökohtainen apu sähköisten palvelujen käyttöön"),
    ("Iltatoiminta", "ohjattu iltatoiminta ja harrastuskokeilut"),
    ("Perheiden olohuone", "perheiden olohuone, jossa on leikkiä ja neuvontaa"),
    ("Kotikäynnit", "vapaaehtoisten kotikäynnit ja soittorinki"),
    ("Harrastustakuu", "maksuton harrastus koulupäivän yhteydessä"),
    ("Mielenterveyden ensiapu", "mielenterveyden ensiapukoulutus ja keskusteluapu"),
    ("Kyytipalvelu", "kutsukyyti palveluihin ja harrastuksiin"),
    ("Työpaja", "työpaja, jossa harjoitellaan arjen taitoja ja työelämää"),
]
GROUPS = [
    ("ikäihmisille", "older_people", "age"),
    ("nuorille", "young_people", "age"),
    ("maahan muuttaneille", "immigrants", "origin"),
    ("työttömille", "unemployed", "socioeconomic"),
    ("lapsiperheille", "families_with_children", "socioeconomic"),
    ("pienituloisille", "low_income", "socioeconomic"),
    ("vammaisille henkilöille", "people_with_disabilities", "disability"),
    ("lapsille", "children", "age"),
]
REACH = [
    "Toiminta on maksutonta ja tavoittaa ne, joille muut palvelut ovat liian kaukana tai kalliita.",
    "Ohjaajat etsivät osallistujat kotikäynneillä, joten mukaan pääsevät myös yksin asuvat.",
    "Toiminta järjestetään lähellä kotia ja useilla kielillä, mikä madaltaa kynnystä osallistua.",
    "Kohderyhmä on mukana suunnittelussa, jolloin toiminta vastaa heidän omiin tarpeisiinsa.",
]
ORGANISATION_KINDS = [
    ("{} kaupunki", "municipality"),
    ("{} kylätoimintayhdistys ry", "ngo"),
    ("{} seudun mielenterveysseura ry", "ngo"),
    ("{} kansalaisopisto", "education_institution"),
]


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    cmd = commands.add_parser("demo", help="demo data for a first look")
    sub = cmd.add_subparsers(dest="demo_command", required=True)
    load = sub.add_parser("load", help="organisations and a few hundred published demo actions")
    load.add_argument("--actions", type=int, default=300)
    load.add_argument("--seed", type=int, default=2030)


def run(args: argparse.Namespace) -> int:
    return load(LauncherSettings(), args.actions, args.seed)


def example_measures(data_dir: Path) -> list[str]:
    with (data_dir / "plan" / "example-plan.csv").open(encoding="utf-8") as f:
        return [r["code"] for r in csv.DictReader(f) if r["code"].count(".") == 2]


def generate(
    count: int, organisations: list[dict[str, Any]], measures: list[str], data_dir: Path, seed: int
) -> list[dict[str, str]]:
    rng = random.Random(seed)  # noqa: S311  # repeatable demo data, not secrets
    geo = load_geography(data_dir / "geography")
    municipalities = sorted(geo.municipalities.values(), key=lambda m: m.code)
    rows = []
    for n in range(count):
        activity, what = rng.choice(ACTIVITIES)
        group, target, dimension = rng.choice(GROUPS)
        org = rng.choice(organisations)
        home = [m for m in municipalities if m.code == org.get("municipality")]
        place = home[0] if home and rng.random() < 0.7 else rng.choice(municipalities)
        national = rng.random() < 0.05
        start_year = rng.choice([2024, 2025, 2026])
        rows.append(
            {
                "title": f"{activity} {group}: {place.name_fi} (demo {n + 1})",
                "summary": f"{what.capitalize()} {group}. Paikkakunta: {place.name_fi}. "
                f"Järjestäjä: {org['name_fi']}.",
                "description": "Demoaineistoa: tämä toimenpide on keksitty esittelyä varten.",
                "organisation_id": org["id"],
                "measures": ";".join(sorted(set(rng.sample(measures, rng.choice([1, 1, 2]))))),
                "national": "yes" if national else "no",
                "counties": "" if national else place.county_code,
                "municipalities": "" if national else place.code,
                "target_groups": target,
                "inequality_reduction": rng.choice(REACH),
                "inequality_dimensions": ";".join(sorted({dimension, "regional"})),
                "state": rng.choice(["ongoing", "ongoing", "planned", "completed"]),
                "start_date": f"{start_year}-{rng.randint(1, 12):02d}-01",
                "end_date": f"{start_year + 2}-12-31",
                "language": "fi",
                "links": "https://innokyla.fi/fi/toimintamalli/demo" if rng.random() < 0.3 else "",
            }
        )
    return rows


def as_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    # The importer's own header: columns the demo leaves out stay empty.
    writer = csv.DictWriter(out, COLUMNS, restval="")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _every_organisation(client: httpx.Client, catalogue: str) -> list[dict[str, Any]]:
    """Every approved organisation, page by page (the catalogue answers one page a call)."""
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 200}
    while True:
        page = client.get(f"{catalogue}/organisations", params=params).json()
        found += page.get("items", [])
        if not page.get("next_cursor"):
            return found
        params["cursor"] = page["next_cursor"]


def load(s: LauncherSettings, count: int, seed: int) -> int:
    private, _ = token_keys(s.var_dir)
    loader = User(member_id="demo-loader", coordinator=True)

    def headers() -> dict[str, str]:
        return {HEADER: sign(loader, private, 120)}

    base = {n: f"http://{s.host}:{getattr(s, f'{n}_port')}" for n in ("catalogue", "submissions")}
    geo = load_geography(s.data_dir / "geography")
    rng = random.Random(seed)  # noqa: S311  # repeatable demo data, not secrets
    towns = rng.sample(sorted(geo.municipalities.values(), key=lambda m: m.code), 8)
    with httpx.Client(timeout=60) as client:
        known = {o["name_fi"]: o for o in _every_organisation(client, base["catalogue"])}
        organisations = []
        for i, town in enumerate(towns):
            template, kind = ORGANISATION_KINDS[i % len(ORGANISATION_KINDS)]
            name = template.format(town.name_fi)
            if name in known:
                organisations.append(known[name])
                continue
            answer = client.post(
                f"{base['catalogue']}/organisations",
                json={
                    "name_fi": name,
                    "type": kind,
                    "municipality": town.code,
                    "county": town.county_code,
                },
                headers=headers(),
            )
            if answer.status_code != 201:
                print(f"organisation {name} refused: {answer.text}")
                return 1
            organisations.append(answer.json())
        print(f"{len(organisations)} demo organisations")
        rows = generate(count, organisations, example_measures(s.data_dir), s.data_dir, seed)
        file = as_csv(rows)
        # The organisations reach the submissions service by events: wait until they check out.
        deadline = time.monotonic() + 120
        while True:
            check = client.post(
                f"{base['submissions']}/imports",
                params={"dry_run": "true"},
                files={"file": ("demo.csv", file, "text/csv")},
                headers=headers(),
            )
            errors = check.json().get("errors", []) if check.status_code == 200 else ["?"]
            if check.status_code == 200 and not errors:
                break
            if time.monotonic() > deadline:
                print(f"the demo rows were refused: {check.text[:2000]}")
                return 1
            time.sleep(1)
        done = client.post(
            f"{base['submissions']}/imports",
            params={"dry_run": "false"},
            files={"file": ("demo.csv", file, "text/csv")},
            headers=headers(),
        ).json()
    print(
        f"{done['imported']} demo actions published, {done['already_imported']} were there "
        "already. Search and coverage catch up within seconds."
    )
    return 0
