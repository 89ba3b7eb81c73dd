"""Page URLs of every enforcement area; each area's routes module lists its own."""

from importlib import import_module

AREAS = (
    "leads",
    "cases",
    "field",
    "desk",
    "team",
    "publicity",
    "inspections",
    "benchmarks",
    "callouts",
    "api",
)

app_name = "enforcement"


def _patterns(attribute: str) -> list:
    patterns = []
    for area in AREAS:
        try:
            module = import_module(f"enforcement.routes.{area}")
        except ModuleNotFoundError as exc:
            if exc.name != f"enforcement.routes.{area}":
                raise
            continue
        patterns += getattr(module, attribute, [])
    return patterns


urlpatterns = _patterns("urlpatterns")
