"""Audit the locked dependencies for known vulnerabilities, and say plainly when it could not.

``python -m tests.security.dependency_audit`` exports the lock file (``uv export --frozen``),
runs ``pip-audit --no-deps --disable-pip`` on it and reads its JSON report. pip-audit reports
"No known vulnerabilities found" and exits 0 even when it skipped every package because the
vulnerability service did not answer; this check does not count a skipped package as audited.

Exit codes: 0 every package audited, none vulnerable; 1 known vulnerabilities; 3 the audit was
not done (service unreachable, or packages skipped), which is never reported as a pass.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
AUDITED, VULNERABLE, NOT_AUDITED = 0, 1, 3


@dataclass
class Verdict:
    code: int
    audited: int = 0
    skipped: list[str] = field(default_factory=list)
    vulnerable: list[str] = field(default_factory=list)
    detail: str = ""

    def message(self) -> str:
        if self.code == VULNERABLE:
            return "KNOWN VULNERABILITIES:\n" + "\n".join(f"  {v}" for v in self.vulnerable)
        if self.code == NOT_AUDITED:
            banner = "!" * 72
            return (
                f"{banner}\nDEPENDENCY AUDIT NOT DONE: the vulnerability service could not be "
                f"used.\n{len(self.skipped)} packages skipped, {self.audited} audited. "
                f"{self.detail}\nThis is not a pass: nobody checked these versions.\n{banner}"
            )
        return f"dependency audit: {self.audited} packages audited, no known vulnerabilities"


def judge(returncode: int, stdout: str, stderr: str) -> Verdict:
    """What pip-audit's JSON report (or its failure) means."""
    try:
        report = json.loads(stdout)
    except ValueError:
        last = (stderr.strip().splitlines() or ["no output"])[-1]
        return Verdict(NOT_AUDITED, detail=f"pip-audit failed (exit {returncode}): {last}")
    verdict = Verdict(AUDITED)
    for dependency in report.get("dependencies", []):
        name = f"{dependency['name']} {dependency.get('version', '')}".strip()
        if "skip_reason" in dependency:
            verdict.skipped.append(f"{name}: {dependency['skip_reason']}")
            continue
        verdict.audited += 1
        for vuln in dependency.get("vulns", []):
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            verdict.vulnerable.append(f"{name}: {vuln['id']} (fixed in {fixed})")
    if verdict.vulnerable:
        verdict.code = VULNERABLE
    elif verdict.skipped or verdict.audited == 0:
        verdict.code = NOT_AUDITED
        verdict.detail = verdict.skipped[0] if verdict.skipped else "the report listed nothing"
    return verdict


def main(extra: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        requirements = Path(tmp) / "requirements.txt"
        # `uv run` names its own executable in UV; CI machines need not have uv on PATH.
        uv = os.environ.get("UV") or shutil.which("uv") or "uv"
        subprocess.run(
            [
                uv,
                "export",
                "--frozen",
                "--format",
                "requirements-txt",
                "--no-emit-workspace",
                "--no-hashes",
                "--output-file",
                str(requirements),
            ],
            cwd=REPO,
            check=True,
            capture_output=True,
        )
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip_audit",
                "-r",
                str(requirements),
                "--no-deps",
                "--disable-pip",
                "--format",
                "json",
                "--progress-spinner",
                "off",
                *extra,
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
    verdict = judge(done.returncode, done.stdout, done.stderr)
    print(verdict.message(), file=sys.stderr if verdict.code else sys.stdout)
    return verdict.code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
