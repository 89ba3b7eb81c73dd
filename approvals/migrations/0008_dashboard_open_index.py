from django.db import migrations

OPEN_STATES = (
    "'submitted', 'correction', 'accepted', 'in_review', 'suspended', 'forwarded', "
    "'ready_for_release'"
)
# The open applications' partial index, now covering everything the live panels read (the
# clock status needs accepted_on) and the keyset of the lists (due_date, id): the panels and
# the first step of a list page are index-only scans of a few thousand entries.
NEW = (
    "CREATE INDEX IF NOT EXISTS dash_app_open_idx ON approvals_application (department_id, "
    "state, due_date, id, warning_date, accepted_on, window_id, handler_id, channel, matter_id) "
    "WHERE state IN (" + OPEN_STATES + ")"
)
OLD = (
    "CREATE INDEX IF NOT EXISTS dash_app_open_idx ON approvals_application (department_id, "
    "state, due_date, warning_date, window_id, handler_id, channel, matter_id) "
    "WHERE state IN (" + OPEN_STATES + ")"
)


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0007_dashboard"),
    ]

    operations = [
        migrations.RunSQL(
            ["DROP INDEX IF EXISTS dash_app_open_idx", NEW],
            ["DROP INDEX IF EXISTS dash_app_open_idx", OLD],
        ),
    ]
