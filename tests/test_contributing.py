"""CONTRIBUTING.md names only what exists: every path, module and make target in it.

House rules that point at a file which was moved or renamed send a newcomer nowhere, so the
check reads the file the way the newcomer path test reads the READMEs (and with its helpers):
commands in its ``sh`` blocks and inline commands must run, every inline span that looks like
a repository path must match a file or folder (``<name>`` stands for any one name,
``{fi,sv,en}`` for each of the three), and every dotted ``htk_*`` name must import.
"""

import importlib
import itertools
import re
from pathlib import Path

from tests.test_newcomer_path import (
    ANY_BLOCK,
    INLINE,
    REPO,
    commands,
    make_targets,
    problem,
    segments,
)

CONTRIBUTING = REPO / "CONTRIBUTING.md"
# File endings that make a span without a slash a file name.
FILE_ENDINGS = (".py", ".md", ".json", ".yml", ".yaml", ".html", ".toml", ".env", ".sh", ".css")
PLACEHOLDER = re.compile(r"<[a-z_]+>")
BRACES = re.compile(r"\{([a-z0-9_,]+)\}")
DOTTED = re.compile(r"^htk_[a-z_]+(\.[A-Za-z_][A-Za-z0-9_]*)*$")
# Tools run through ./uv that the newcomer path check does not know; they come with the workspace.
UV_TOOLS = {"ruff", "mypy"}
SKIPPED_DIRS = {".venv", "node_modules", ".git", "var"}


def inline_spans(text: str) -> list[str]:
    return INLINE.findall(ANY_BLOCK.sub("", text))


def looks_like_path(span: str) -> bool:
    # Routes (/api/v1), the home folder and message suffixes (.body) are not repository paths.
    if any(c.isspace() for c in span) or span.startswith(("/", "~", "http")):
        return False
    if span.startswith(".") and not span.startswith(("./", ".ci/")):
        return False
    return "/" in span or span.endswith(FILE_ENDINGS)


def expansions(span: str) -> list[str]:
    """``a/{fi,sv}.json`` -> ``a/fi.json``, ``a/sv.json``; ``<name>`` -> ``*``."""
    pattern = PLACEHOLDER.sub("*", span.removeprefix("./"))
    parts = BRACES.split(pattern)
    choices = [[p] if i % 2 == 0 else p.split(",") for i, p in enumerate(parts)]
    return ["".join(c) for c in itertools.product(*choices)]


def _in_repo(path: Path) -> bool:
    return not SKIPPED_DIRS & set(path.relative_to(REPO).parts)


def path_exists(span: str) -> bool:
    for pattern in expansions(span.rstrip("/")):
        if "/" in pattern:
            found = [p for p in REPO.glob(pattern) if _in_repo(p)]
        else:  # a file name: somewhere in the repository
            found = [p for p in REPO.rglob(pattern) if _in_repo(p)]
        if not found:
            return False
    return True


def name_imports(dotted: str) -> bool:
    """``htk_runtime.outbox.Outbox.add``: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


def command_problem(words: list[str], in_block: bool, targets: set[str]) -> str | None:
    if words[:2] == ["./uv", "run"] and words[2:3] and words[2] in UV_TOOLS:
        return None
    return problem(words, in_block, targets)


def test_every_path_named_exists() -> None:
    spans = [s for s in inline_spans(CONTRIBUTING.read_text()) if looks_like_path(s)]
    assert len(spans) > 40, "the extraction found too little to prove anything"
    missing = sorted({s for s in spans if not path_exists(s)})
    assert not missing, f"CONTRIBUTING.md names paths that do not exist: {missing}"


def test_every_module_and_name_imports() -> None:
    names = [s for s in inline_spans(CONTRIBUTING.read_text()) if DOTTED.match(s)]
    assert len(names) > 10
    broken = sorted({n for n in names if not name_imports(n)})
    assert not broken, f"CONTRIBUTING.md names what does not import: {broken}"


def test_every_command_and_make_target_exists() -> None:
    targets = make_targets()
    found = commands(CONTRIBUTING)
    named = {" ".join(w) for c, _ in found for w in segments(c)}
    # The extraction must see the commands of the first block, or the check proves nothing.
    assert {"make test", "make test-fast", "make lint", "make schemas", "make bench"} <= named
    problems = [
        f"{command!r}: {found_problem}"
        for command, in_block in found
        for words in segments(command)
        if (found_problem := command_problem(words, in_block, targets))
    ]
    assert not problems, "\n".join(problems)


def test_the_checks_catch_what_is_wrong() -> None:
    assert path_exists("services/<name>/src/htk_<name>/settings.py")
    assert path_exists("services/gateway/src/htk_gateway/messages/notify/{fi,sv,en}.json")
    assert not path_exists("services/gateway/src/htk_gateway/messages/notify/{fi,de}.json")
    assert not path_exists("services/reporting/src/htk_reporting/no_such_package/")
    assert path_exists("kinds.py") and not path_exists("no_such_module.py")
    assert name_imports("htk_runtime.outbox.Outbox.add")
    assert not name_imports("htk_runtime.outbox.Outbox.no_such_method")
    assert not name_imports("htk_runtime.no_such_module")
    assert command_problem(["make", "test-slow"], False, make_targets())
    assert command_problem(["./uv", "run", "ruff", "check"], False, make_targets()) is None


def test_the_readme_links_here() -> None:
    assert "CONTRIBUTING.md" in (REPO / "README.md").read_text()
