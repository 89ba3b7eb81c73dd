"""Page URLs of every approvals area; each area's routes module lists its own."""

from importlib import import_module

AREAS = ("register", "applications", "citizen", "staff", "hall", "evaluations", "dashboard")

app_name = "approvals"


def _patterns(attribute: str) -> list:
    patterns = []
    for area in AREAS:
        try:
            module = import_module(f"approvals.routes.{area}")
        except ModuleNotFoundError as exc:
            if exc.name != f"approvals.routes.{area}":
                raise
            continue
        patterns += getattr(module, attribute, [])
    return patterns


urlpatterns = _patterns("urlpatterns")
