"""The demo town's map: 12 villages and communities, 48 grids, 6 special grids and some three
hundred micro-grids that tile each village (portal.areas.tiling), loaded through the same checks
as an import. Idempotent: a second run finds everything unchanged and writes nothing."""

from datetime import date

from portal.areas import imports, services, tiling

DEMO_SINCE = date(2024, 1, 1)
DEMO_VILLAGE = "360313103201"  # 下埠村


def seed() -> dict:
    services.ensure_town(
        code=tiling.DEMO_TOWN_CODE, name=tiling.DEMO_TOWN_NAME, active_from=DEMO_SINCE
    )
    features = tiling.generate(tiling.demo_spec())
    for feature in features:
        feature.active_from = DEMO_SINCE
    plan = imports.check(features)
    if plan.problems:
        raise RuntimeError(
            "demo map does not pass its own checks:\n" + "\n".join(map(str, plan.problems[:20]))
        )
    result = imports.apply(plan, actor="system", source="demo") if plan.rows else plan.summary()
    _demo_addresses()
    return result


def _demo_addresses() -> None:
    """The demo citizen lives in 下埠村 and the proxy agent serves it: their applications (and
    the dashboards' village filter) have a village from the start."""
    from portal.models import Area, User

    village = Area.objects.filter(code=DEMO_VILLAGE).first()
    if village is None:
        return
    from portal import user_state

    for username, address in (("citizen", "下埠村老街18号"), ("proxy", "下埠村村委会")):
        people = User.objects.filter(username=username, village__isnull=True)
        pks = list(people.values_list("pk", flat=True))
        people.update(village=village, address=address)
        user_state.changed(pks)  # update() sends no signal: the cached session user drops
