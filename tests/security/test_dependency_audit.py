"""The dependency audit never reports a pass it did not earn (tests/security/dependency_audit.py)."""

import json

from tests.security.dependency_audit import AUDITED, NOT_AUDITED, VULNERABLE, judge


def report(*dependencies: dict[str, object]) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


def test_skipped_packages_are_not_a_pass() -> None:
    # What pip-audit prints here, where the index has no JSON API: every package skipped,
    # "No known vulnerabilities found", exit 0.
    skipped = {
        "name": "httpx",
        "skip_reason": "Dependency not found on PyPI and could not be audited",
    }
    verdict = judge(0, report(skipped, {"name": "idna", "version": "3.10", "vulns": []}), "")
    assert verdict.code == NOT_AUDITED
    assert "AUDIT NOT DONE" in verdict.message() and "1 packages skipped" in verdict.message()


def test_an_unreachable_service_is_not_a_pass() -> None:
    verdict = judge(1, "", "Traceback ...\nrequests.exceptions.ConnectionError: api.osv.dev")
    assert verdict.code == NOT_AUDITED and "ConnectionError" in verdict.message()


def test_vulnerabilities_and_a_clean_audit() -> None:
    vulnerable = {
        "name": "jinja2",
        "version": "3.1.2",
        "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"]}],
    }
    assert judge(1, report(vulnerable), "").code == VULNERABLE
    assert "GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)" in judge(1, report(vulnerable), "").message()
    clean = judge(0, report({"name": "idna", "version": "3.10", "vulns": []}), "")
    assert clean.code == AUDITED and "1 packages audited" in clean.message()
    assert judge(0, report(), "").code == NOT_AUDITED, "an empty report audited nothing"
