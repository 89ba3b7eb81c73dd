"""The demo town's map: 12 villages and communities, 48 grids, 6 special grids and some three
hundred micro-grids that tile each village (portal.areas.tiling), loaded through the same checks
as an import. Idempotent: a second run finds everything unchanged and writes nothing."""

from datetime import date

from portal.areas import imports, services, tiling

DEMO_SINCE = date(2024, 1, 1)


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
    if plan.rows:
        return imports.apply(plan, actor="system", source="demo")
    return plan.summary()
