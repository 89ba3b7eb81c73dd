"""Choice sets named for the OpenAPI schema (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"])."""

from centre.models import Press

ClockItemKind = Press.Kind
