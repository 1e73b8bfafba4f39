"""Writes the compose ``.env`` from ``.env.example``, generating every ``CHANGE_ME`` value.

``python deploy/compose/make_env.py .env.example .env`` (``make compose-env``). Passwords and the
MongoDB keyfile are random hex (valid in URIs and in a keyfile); token keys are a fresh Ed25519
pair from htk_runtime.auth. Refuses to overwrite an existing file: its secrets are in use.
"""

import secrets
import sys
from pathlib import Path

from htk_runtime.auth import generate_keypair

PLACEHOLDER = "CHANGE_ME"


def render(example: str) -> str:
    private_key, public_key = generate_keypair()
    keys = {"HTK_TOKEN_PUBLIC_KEY": public_key, "HTK_TOKEN_PRIVATE_KEY": private_key}
    lines = []
    for line in example.splitlines():
        name, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("#") and value.strip() == PLACEHOLDER:
            line = f"{name}={keys.get(name.strip()) or secrets.token_hex(24)}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    source, target = Path(argv[0]), Path(argv[1])
    if target.exists():
        print(f"{target} exists; its secrets may be in use. Remove it to generate new ones.")
        return 1
    target.write_text(render(source.read_text()))
    target.chmod(0o600)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
