from tests.stack import RunningPlatform

def test_up(platform: RunningPlatform) -> None:
    print(platform.ids, {r: p.member_id for r, p in platform.people.items()})
