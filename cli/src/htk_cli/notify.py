"""``htk notify digest``: send every waiting notification digest now, for testing and operations
(the gateway sends them itself once a day; coordinators have the same button on /coordinator).

Works on the gateway's database with the gateway's own notification code and the settings
``htk up`` gives the gateway (its secret signs the unsubscribe links, its mail folder is the
sink), or those in the environment when ``HTK_MONGO_URI`` is set.
"""

import argparse
import asyncio
import os
from pathlib import Path

from htk_cli.launcher import service_env, token_keys
from htk_cli.settings import LauncherSettings


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    cmd = commands.add_parser("notify", help="notification mail: send the waiting digests now")
    sub = cmd.add_subparsers(dest="notify_command", required=True)
    sub.add_parser("digest", help="send every waiting notification digest now")


def run(args: argparse.Namespace) -> int:
    return asyncio.run(send_digests())


async def send_digests() -> int:
    from htk_gateway.api.upstream import Upstreams
    from htk_gateway.auth.members import MemberCopies
    from htk_gateway.notify.delivery import Notifier
    from htk_gateway.notify.kinds import Sources
    from htk_gateway.notify.store import NotifyStore
    from htk_gateway.settings import GatewaySettings
    from htk_runtime.mail import make_mailer
    from htk_runtime.mongo import make_mongo_client

    if "HTK_MONGO_URI" in os.environ:
        settings = GatewaySettings()
    else:
        launcher = LauncherSettings()
        env = service_env(
            launcher, "gateway", dev_open_writes=False, keys=token_keys(launcher.var_dir)
        )
        settings = GatewaySettings(
            mongo_uri=env["HTK_MONGO_URI"],
            gateway_secret=env["HTK_GATEWAY_SECRET"],
            public_url=env["HTK_PUBLIC_URL"],
            mail_dir=Path(env["HTK_MAIL_DIR"]),
            token_private_key=env["HTK_TOKEN_PRIVATE_KEY"],
        )
    mongo = make_mongo_client(settings)
    upstreams = Upstreams({}, settings.upstream_timeout_seconds)
    try:
        db = mongo[settings.mongo_database]
        members = MemberCopies(db)
        notifier = Notifier(
            NotifyStore(db),
            members,
            Sources(members, upstreams, settings.token_private_key),
            make_mailer(settings),
            settings.public_url,
            settings.gateway_secret,
            settings.notify_digest_hour,
        )
        sent = await notifier.send_digests(force=True)
    finally:
        await upstreams.close()
        await mongo.close()
    print(f"{sent} notification digests sent")
    return 0
