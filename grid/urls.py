"""Page URLs of every grid area; each area's routes module lists its own (issue 12 adds
incidents the same way)."""

from importlib import import_module

AREAS = ("map", "people", "patrols", "incidents", "categories", "dispatch", "oncall")

app_name = "grid"


def _patterns(attribute: str) -> list:
    patterns = []
    for area in AREAS:
        module = import_module(f"grid.routes.{area}")
        patterns += getattr(module, attribute, [])
    return patterns


urlpatterns = _patterns("urlpatterns")
