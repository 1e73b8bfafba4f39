"""The Grafana dashboard, the Prometheus configuration and alert rules of the compose stack.

Structure is checked here in Python; PromQL syntax and the alerts' behaviour by ``promtool``
(Debian package ``prometheus``, installed by ``make setup``) when it is on the PATH. Every metric a
query names must be one the services export (htk_runtime.metrics).
"""

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from htk_runtime.metrics import ServiceMetrics

REPO = Path(__file__).resolve().parents[2]
OBSERVABILITY = REPO / "deploy/compose/observability"
DASHBOARD = OBSERVABILITY / "grafana/dashboards/htk-platform.json"
ALERTS = OBSERVABILITY / "prometheus/alerts.yml"
PROMETHEUS = OBSERVABILITY / "prometheus/prometheus.yml"
ALERT_TESTS = Path(__file__).parent / "alerts_test.yml"
SERVICES = ("gateway", "catalogue", "submissions", "search", "reporting", "community")
METRIC = re.compile(r"\b((?:htk|process)_[a-z0-9_]+)\b")
DURATION = re.compile(r"^\d+[smhd]$")
promtool = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    promtool is None, reason="promtool not installed (Debian package prometheus; make setup)"
)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert isinstance(data, dict)
    return data


def exported_names() -> set[str]:
    """Every sample name the services' /metrics can show."""
    names = set()
    for family in ServiceMetrics("any").registry.collect():
        suffixes = {
            "counter": ("_total", "_created"),
            "histogram": ("_bucket", "_count", "_sum", "_created"),
            "gauge": ("",),
        }[family.type]
        names |= {family.name + suffix for suffix in suffixes}
    return names


def dashboard() -> dict[str, Any]:
    data = json.loads(DASHBOARD.read_text())
    assert isinstance(data, dict)
    return data


def queries() -> list[str]:
    return [
        target["expr"]
        for panel in dashboard()["panels"]
        if panel["type"] != "row"
        for target in panel["targets"]
    ]


def rules() -> list[dict[str, Any]]:
    data = yaml.safe_load(ALERTS.read_text())
    return [rule for group in data["groups"] for rule in group["rules"]]


def test_the_dashboard_is_a_grafana_dashboard_with_a_place_for_every_panel() -> None:
    board = dashboard()
    assert board["uid"] == "htk-platform" and board["title"]
    assert isinstance(board["schemaVersion"], int) and board["schemaVersion"] >= 36
    panels = board["panels"]
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids)), "panel ids are unique"
    taken: set[tuple[int, int]] = set()
    datasources = {
        d["uid"]
        for d in yaml.safe_load((OBSERVABILITY / "grafana/datasources.yaml").read_text())[
            "datasources"
        ]
    }
    for panel in panels:
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["w"] >= 1 and grid["x"] + grid["w"] <= 24, panel["title"]
        cells = {
            (grid["y"] + dy, grid["x"] + dx) for dy in range(grid["h"]) for dx in range(grid["w"])
        }
        assert not cells & taken, f"{panel['title']} overlaps another panel"
        taken |= cells
        if panel["type"] == "row":
            continue
        assert panel["type"] in {"timeseries", "stat"}
        assert panel["title"] and panel["description"]
        assert panel["datasource"]["uid"] in datasources
        assert panel["targets"], panel["title"]
        refs = [t["refId"] for t in panel["targets"]]
        assert len(refs) == len(set(refs))
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == panel["datasource"]["uid"]
            assert target["expr"].count("(") == target["expr"].count(")"), target["expr"]


def test_the_dashboard_shows_what_the_issue_asks_from_metrics_that_exist() -> None:
    exported = exported_names()
    used = {name for expr in queries() for name in METRIC.findall(expr)}
    assert used - exported == set(), "queries name metrics nobody exports"
    # request rates, consumer lag, outbox backlog and age, end-to-end delays, search latency
    assert {
        "htk_http_requests_total",
        "htk_http_request_duration_seconds_bucket",
        "htk_consumer_lag_messages",
        "htk_outbox_backlog_events",
        "htk_outbox_oldest_unsent_age_seconds",
        "htk_event_delay_seconds_bucket",
        "htk_events_published_total",
        "htk_events_consumed_total",
    } <= used
    text = " ".join(queries())
    assert 'service="search"' in text and 'service="reporting"' in text  # the two delays
    assert 'route="/search"' in text


def test_the_alert_rules_cover_outbox_lag_and_dead_letters_with_metrics_that_exist() -> None:
    exported = exported_names() | {"up"}
    found = rules()
    names = {rule["alert"] for rule in found}
    assert {"HtkOutboxGrowing", "HtkConsumerLagGrowing", "HtkDeadLetters"} <= names
    for rule in found:
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations", "keep_firing_for"}
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
        assert DURATION.match(rule.get("for", "0s")), rule["alert"]
        assert set(METRIC.findall(rule["expr"])) <= exported, rule["alert"]
    by_name = {rule["alert"]: rule["expr"] for rule in found}
    assert "htk_outbox_backlog_events" in by_name["HtkOutboxGrowing"]
    assert "htk_consumer_lag_messages" in by_name["HtkConsumerLagGrowing"]
    assert ".dlt" in by_name["HtkDeadLetters"]


def test_prometheus_scrapes_every_service_where_compose_runs_it(compose: dict[str, Any]) -> None:
    config = yaml.safe_load(PROMETHEUS.read_text())
    (job,) = [j for j in config["scrape_configs"] if j["job_name"] == "htk"]
    assert job["metrics_path"] == "/metrics"
    targets = {t for group in job["static_configs"] for t in group["targets"]}
    stack = compose["services"]
    assert targets == {f"{name}:{stack[name]['environment']['HTK_PORT']}" for name in SERVICES}
    mounts = [str(v) for v in stack["prometheus"]["volumes"]]
    mounted_rules = {
        m.split(":")[1] for m in mounts if m.startswith(f"./{ALERTS.relative_to(REPO)}:")
    }
    assert set(config["rule_files"]) == mounted_rules
    # Grafana finds the dashboard where its provisioning file says
    provider = yaml.safe_load((OBSERVABILITY / "grafana/dashboards.yaml").read_text())
    (folder,) = [p["options"]["path"] for p in provider["providers"]]
    grafana = [str(v) for v in stack["grafana"]["volumes"]]
    assert f"./{DASHBOARD.relative_to(REPO)}:{folder}/{DASHBOARD.name}:ro" in grafana


@needs_promtool
def test_promtool_accepts_the_rules_and_the_configuration(tmp_path: Path) -> None:
    assert promtool is not None
    checked = subprocess.run(
        [promtool, "check", "rules", str(ALERTS)], capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # The configuration names the rules where the container mounts them; point it at the file.
    config = yaml.safe_load(PROMETHEUS.read_text())
    config["rule_files"] = [str(ALERTS)]
    local = tmp_path / "prometheus.yml"
    local.write_text(yaml.safe_dump(config))
    checked = subprocess.run(
        [promtool, "check", "config", str(local)], capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


@needs_promtool
def test_promtool_parses_every_dashboard_query(tmp_path: Path) -> None:
    assert promtool is not None
    # Grafana's interval variable is not PromQL; give it the value Grafana would.
    records = [
        {"record": f"htk:dashboard_query_{i}", "expr": expr.replace("$__rate_interval", "1m")}
        for i, expr in enumerate(queries())
    ]
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": records}]}))
    checked = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


@needs_promtool
def test_the_alerts_fire_on_the_situations_they_describe_and_not_otherwise() -> None:
    assert promtool is not None
    checked = subprocess.run(
        [promtool, "test", "rules", str(ALERT_TESTS)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ALERT_TESTS.parent,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS" in checked.stdout
