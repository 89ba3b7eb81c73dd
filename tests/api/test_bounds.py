"""Every value a client can send through the API has a bound in the schema (and so in the
serializer that checks it): text a maxLength, numbers a minimum and maximum, lists a maxItems
(portal.api_fields). A new serializer that forgets one fails here."""

import pytest
from drf_spectacular.generators import SchemaGenerator

# Looked up by a code or name (a not-found answer, never a column overflow), or not ours.
EXEMPT = {
    "/api/v1/auth/token/",  # log-in: the accounts' own rules
}
# Codes of other objects (SlugRelatedField): a value that names nothing is a 400 "does not exist".
LOOKED_UP = (".category", "_department")
EXEMPT_FORMATS = {"date", "date-time", "binary", "uuid", "uri", "email", "decimal", "time"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _unbounded(schema, node, path, found):
    components = schema["components"]["schemas"]
    if "$ref" in node:
        node = components[node["$ref"].split("/")[-1]]
    for key in ("allOf", "oneOf", "anyOf"):
        for sub in node.get(key, []):
            _unbounded(schema, sub, path, found)
    if "enum" in node or node.get("readOnly"):
        return
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        for name, sub in node.get("properties", {}).items():
            _unbounded(schema, sub, f"{path}.{name}", found)
    elif kind == "array":
        if "maxItems" not in node:
            found.append(f"{path}: list without maxItems")
        _unbounded(schema, node.get("items", {}), f"{path}[]", found)
    elif kind == "string":
        if node.get("format") in EXEMPT_FORMATS or "pattern" in node:
            return
        if "maxLength" not in node and not path.endswith(LOOKED_UP):
            found.append(f"{path}: text without maxLength")
    elif kind in ("integer", "number"):
        if "maximum" not in node or "minimum" not in node:
            found.append(f"{path}: number without minimum/maximum")


def test_every_request_body_value_is_bounded(schema):
    found = []
    for path, operations in schema["paths"].items():
        if path in EXEMPT:
            continue
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            body = content.get("application/json") or next(iter(content.values()), None)
            if body:
                _unbounded(schema, body["schema"], f"{method.upper()} {path} ", found)
    assert found == []


def test_free_json_says_its_bounds(schema):
    create = schema["components"]["schemas"]["CreateRequest"]["properties"]["details"]
    assert "8 levels" in create["description"]
