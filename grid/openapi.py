"""Choice sets named for the OpenAPI schema (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]), so
that fields called kind, status… in different components get distinct enum names."""

from django.db import models

from grid.models.dispatch import HandlerKind


class RoutingEvaluationStatus(models.TextChoices):
    MATCHED = "matched"
    ALSO_MATCHES = "also_matches"
    NO_MATCH = "no_match"
    OFF = "off"
    UNAVAILABLE = "unavailable"


DispatchHandlerKind = HandlerKind
