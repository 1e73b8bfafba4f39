"""The newcomer's path: what `make run` installs, and the commands the READMEs show.

A new shell often lacks ``~/.local/bin`` (where ``make`` installs uv) on its PATH, so a README
command starting with a bare ``uv`` or ``htk`` fails for a newcomer even though it works for
whoever wrote it. Every shell command in a README's ``sh`` block (and every inline command
starting with ``make``, ``uv run``, ``htk`` or ``./``) must name something that exists: a make target
of the Makefile, an executable script of the repository, an ``htk`` subcommand, a module, a path.
"""

import contextlib
import io
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from htk_cli.main import main as htk_main

REPO = Path(__file__).resolve().parent.parent
READMES = sorted(
    p
    for p in REPO.rglob("*.md")
    if p.name == "README.md"
    and not {".venv", "node_modules", "var"} & set(p.relative_to(REPO).parts)
)
SHELL_BLOCK = re.compile(r"^```(?:sh|bash|shell|console)\n(.*?)^```", re.M | re.S)
ANY_BLOCK = re.compile(r"^```.*?^```", re.M | re.S)
INLINE = re.compile(r"`([^`]+)`")
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
# A command substitution, $( ... ), holds commands of its own.
OPERATORS = {"&&", "||", ";", "|", "(", ")", "$("}
# Tools the reader brings for the production stack (deploy/README.md); not the newcomer's path.
EXTERNAL = {"docker", "kubectl", "curl", "git", "cd", "time", "export", "python3", "echo"}
# A shell without ~/.local/bin on its PATH, as a new terminal on a fresh machine has.
NEW_SHELL_ENV = {
    "HOME": os.environ["HOME"],
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
}


def make_targets() -> set[str]:
    text = (REPO / "Makefile").read_text()
    return set(re.findall(r"^([A-Za-z0-9_.-]+)\s*:(?!=)", text, re.M))


def commands(readme: Path) -> list[tuple[str, bool]]:
    """(command, from a code block) pairs: every line of the sh blocks, and inline commands."""
    text = readme.read_text()
    found = [
        (line, True)
        for block in SHELL_BLOCK.findall(text)
        for line in _logical_lines(block)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    for span in INLINE.findall(ANY_BLOCK.sub("", text)):
        words = [w for w in span.split() if not ASSIGNMENT.match(w)]
        # `uv sync ...` inline names what make or the Dockerfile runs; `uv run ...` is for typing.
        if words and (
            words[0] in {"make", "htk"} or words[0].startswith("./") or words[:2] == ["uv", "run"]
        ):
            found.append((" ".join(span.split()), False))
    return found


def _logical_lines(block: str) -> list[str]:
    """A block's commands: lines continued with a backslash, or inside a quotation that goes
    on over several lines (a JSON body), are one command."""
    lines: list[str] = []
    pending = ""
    for line in block.replace("\\\n", " ").splitlines():
        pending = f"{pending}\n{line}" if pending else line
        try:
            shlex.split(pending, comments=True)
        except ValueError:
            continue  # an open quotation: the command goes on
        lines.append(pending)
        pending = ""
    if pending:
        lines.append(pending)
    return lines


def segments(command: str) -> list[list[str]]:
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    parts: list[list[str]] = [[]]
    for token in lexer:
        if token in OPERATORS:
            parts.append([])
        else:
            parts[-1].append(token)
    stripped = []
    for words in parts:
        while words and ASSIGNMENT.match(words[0]):
            words = words[1:]
        if words:
            stripped.append(words)
    return stripped


def htk_subcommand_problem(args: list[str]) -> str | None:
    """None if the words before the first argument name an existing htk (sub)command."""
    words = []
    for arg in args:
        if not re.fullmatch(r"[a-z][a-z-]*", arg):
            break
        words.append(arg)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            htk_main([*words, "--help"])
    except SystemExit as exit_:
        if exit_.code == 0:
            return None
    return f"`htk {' '.join(words)}` is not an htk command"


def problem(words: list[str], in_block: bool, targets: set[str]) -> str | None:
    head, args = words[0], words[1:]
    if head == "make":
        unknown = [a for a in args if not a.startswith("-") and "=" not in a and a not in targets]
        return f"make targets {unknown} are not in the Makefile" if unknown else None
    if head == "uv":
        return "bare `uv` is not on a new shell's PATH: write ./uv (or a make target)"
    if head == "htk":
        if in_block:
            return "bare `htk` is not on a new shell's PATH: write ./htk"
        return htk_subcommand_problem(args)
    if head.startswith("./"):
        script = REPO / head
        if not (script.is_file() and os.access(script, os.X_OK)):
            return f"{head} is not an executable file at the repository root"
        if head == "./htk":
            return htk_subcommand_problem(args)
        if head == "./uv" and args[:1] == ["run"]:
            return uv_run_problem(args[1:])
        return None
    if head in EXTERNAL:
        return None
    return f"`{head}` is neither a make target, a script of the repository nor a known tool"


def uv_run_problem(args: list[str]) -> str | None:
    import importlib.util

    if not args:
        return "`./uv run` without a command"
    tool, rest = args[0], args[1:]
    if tool == "htk":
        return htk_subcommand_problem(rest)
    if tool == "python" and rest[:1] == ["-m"]:
        module = rest[1]
        return None if importlib.util.find_spec(module) else f"no module {module}"
    if tool == "uvicorn":
        module = rest[0].split(":")[0]
        return None if importlib.util.find_spec(module) else f"no module {module}"
    if tool == "pytest":
        paths = [a for a in rest if not a.startswith("-")]
        missing = [p for p in paths if not (REPO / p.split("::")[0]).exists()]
        return f"pytest paths {missing} do not exist" if missing else None
    return f"`./uv run {tool}`: not a tool this check knows"


@pytest.mark.parametrize("readme", READMES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_readme_command_names_something_that_exists(readme: Path) -> None:
    targets = make_targets()
    problems = [
        f"{command!r}: {found}"
        for command, in_block in commands(readme)
        for words in segments(command)
        if (found := problem(words, in_block, targets))
    ]
    assert not problems, "\n".join(problems)


def test_the_readme_shows_its_first_steps() -> None:
    # The checks above pass vacuously if the extraction finds nothing: it must see these.
    found = {" ".join(w) for c, _ in commands(REPO / "README.md") for w in segments(c)}
    assert {"make run", "make admin EMAIL=you@example.org", "make demo"} <= found


def test_checks_catch_what_a_new_shell_would_fail() -> None:
    targets = make_targets()
    assert problem(["uv", "run", "htk", "demo", "load"], True, targets)
    assert problem(["htk", "demo", "load"], True, targets)
    assert problem(["./htk", "demo", "unload"], True, targets)
    assert problem(["make", "no-such-target"], True, targets)
    assert problem(["./no-such-script"], True, targets)
    assert problem(["make", "demo"], True, targets) is None


def new_shell(command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", command],
        cwd=REPO,
        env=NEW_SHELL_ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_wrappers_work_in_a_new_shell_without_uv_on_path() -> None:
    # The shell the test starts must really lack ~/.local/bin, or it proves nothing.
    assert "/.local/" not in new_shell("command -v uv").stdout
    done = new_shell("./htk --help")
    assert done.returncode == 0, done.stderr
    assert "usage: htk" in done.stdout
    # The make targets find uv where `make` installed it, not on PATH.
    dry = new_shell("make -n demo")
    assert dry.returncode == 0, dry.stderr
    last = shlex.split(dry.stdout.strip().splitlines()[-1])
    assert os.access(last[0], os.X_OK) and last[1:] == ["run", "htk", "demo", "load"], dry.stdout


def test_make_run_installs_only_what_running_needs() -> None:
    run = new_shell("make -n run")
    assert run.returncode == 0, run.stderr
    for test_only in ("chromium", "prometheus", "npm"):
        assert test_only not in run.stdout, f"`make run` would install {test_only}"
    for needed in ("libvoikko1", "voikko-fi", "fonts-dejavu-core"):
        assert needed in run.stdout, f"`make run` would not install {needed}"
    test = new_shell("make -n test")
    assert test.returncode == 0, test.stderr
    for needed in ("chromium", "prometheus", "fonts-dejavu-core", "libvoikko1"):
        assert needed in test.stdout, f"`make test` would not install {needed}"
