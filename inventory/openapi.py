"""Examples in the API schema taken from the KonnectBot demo, so that an
integrator reading /api/docs/ sees records as the service holds them rather than
"string" placeholders (a drf-spectacular post-processing hook)."""

from __future__ import annotations

from typing import Any

from inventory import demo

# component (response body) -> the demo rows it shows; the first row is the example
DEMO_ROWS = {
    "LegalEntity": "LEGAL_ENTITIES",
    "DataSubjectCategory": "DATA_SUBJECT_CATEGORIES",
    "DataCategory": "DATA_CATEGORIES",
    "SecurityMeasure": "SECURITY_MEASURES",
    "Vendor": "VENDORS",
    "System": "SYSTEMS",
    "ProcessingActivity": "ACTIVITIES",
    "ProductFeature": "FEATURES",
    "Customer": "CUSTOMERS",
}
JSON_TYPES = {"string": str, "boolean": bool, "integer": int, "array": list}


def fits(value: Any, schema: dict[str, Any], schemas: dict[str, Any]) -> bool:
    """Whether a demo value is valid for the property (type, choices); the demo
    names related records where the API has ids, and those are left out."""
    if "$ref" in schema:
        return fits(value, schemas[schema["$ref"].rsplit("/", 1)[-1]], schemas)
    choices = schema.get("oneOf") or schema.get("allOf")
    if choices:
        return any(fits(value, choice, schemas) for choice in choices)
    if "enum" in schema:
        return value in schema["enum"]
    expected = JSON_TYPES.get(str(schema.get("type", "")))
    if expected is None or isinstance(value, bool) is not (expected is bool):
        return False
    if expected is list:
        items = schema.get("items", {})
        return all(fits(item, items, schemas) for item in value)
    if expected is str and len(value) > schema.get("maxLength", len(value)):
        return False
    return isinstance(value, expected)


def example(
    row: dict[str, Any], schema: dict[str, Any], schemas: dict[str, Any]
) -> dict[str, Any]:
    properties = schema.get("properties", {})
    values: dict[str, Any] = {"id": 1} if "id" in properties else {}
    for name, value in row.items():
        prop = properties.get(name)
        if prop is not None and fits(value, prop, schemas):
            values[name] = value
    return values


def demo_examples(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    schemas = result.get("components", {}).get("schemas", {})
    for component, rows_name in DEMO_ROWS.items():
        rows = getattr(demo, rows_name, None)
        if not rows:
            continue
        for name in (component, f"{component}Request"):
            if name in schemas:
                schemas[name]["example"] = example(rows[0], schemas[name], schemas)
    return result
