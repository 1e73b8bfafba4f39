"""``htk admin create --email ... --name ...``: the first coordinator, on a fresh platform.

Works on the catalogue's database through the catalogue's own store code, like the other
catalogue commands (``HTK_MONGO_URI`` and ``HTK_MONGO_DATABASE``, or the database ``htk up``
runs). The member and the role commit with their events; the running catalogue relays them, and
the gateway then lets the address sign in by email link.
"""

import argparse
import asyncio

from htk_cli.settings import LauncherSettings
from htk_contracts.actions import Language


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    cmd = commands.add_parser("admin", help="platform administration: the first coordinator")
    sub = cmd.add_subparsers(dest="admin_command", required=True)
    create = sub.add_parser(
        "create", help="create a coordinator (or give an existing member the coordinator role)"
    )
    create.add_argument("--email", required=True)
    create.add_argument("--name", default=None, help="full name (default: from the address)")
    create.add_argument("--language", choices=("fi", "sv", "en"), default="fi")


def run(args: argparse.Namespace) -> int:
    return asyncio.run(create(args.email, args.name, args.language))


async def create(email: str, name: str | None, language: str) -> int:
    from htk_catalogue.catalogue import Catalogue
    from htk_catalogue.member_schemas import Registration
    from htk_cli.catalogue import settings as catalogue_settings
    from htk_runtime.errors import DomainError
    from htk_runtime.mongo import make_mongo_client

    settings = catalogue_settings()
    mongo = make_mongo_client(settings)
    try:
        catalogue = await Catalogue.open(mongo[settings.mongo_database], settings)
        members = catalogue.members
        try:
            registration = Registration(
                name=name or email.split("@")[0].replace(".", " ").title(),
                email=email,
                language=Language(language),
            )
        except ValueError as exc:
            print(f"refused: {exc}")
            return 1
        member = await members.by_email(registration.email)
        if member is None:
            try:
                member = await members.writer.transaction(
                    lambda session: members.new_member(session, registration, [])
                )
            except DomainError as exc:
                print(f"refused: {exc.message}")
                return 1
        await members.set_coordinator(member["_id"], True)
    finally:
        await mongo.close()
    launcher = LauncherSettings()
    print(f"{member['name']} <{registration.email}> is a coordinator.")
    print(
        f"Sign in: open http://{launcher.host}:{launcher.gateway_port}/login and enter the address."
    )
    print(
        f"On the embedded default the link is mailed to {launcher.var_dir.resolve() / 'mail'}/ "
        "(the newest .eml file); it works once, for 15 minutes."
    )
    return 0
