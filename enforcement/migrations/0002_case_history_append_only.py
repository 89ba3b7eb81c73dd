"""On PostgreSQL the database itself refuses to change or remove a case's history entries (the
hash chain would show it anyway; this stops it at the door)."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION enforcement_case_history_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the case history is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER enforcement_caseevent_append_only
    BEFORE UPDATE OR DELETE ON enforcement_caseevent
    FOR EACH ROW EXECUTE FUNCTION enforcement_case_history_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS enforcement_caseevent_append_only ON enforcement_caseevent;
DROP FUNCTION IF EXISTS enforcement_case_history_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("enforcement", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
