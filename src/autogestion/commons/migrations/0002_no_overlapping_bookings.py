"""On PostgreSQL, two confirmed bookings of one resource never overlap: an exclusion
constraint on the half-open span [starts_at, ends_at), checked by the database for
every writer, concurrent ones included (the second of two racing transactions waits
for the first and is refused). SQLite has no such constraint: there the booking
service checks inside its transaction, and SQLite runs one writer at a time."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE commons_booking ADD CONSTRAINT booking_confirmed_no_overlap
    EXCLUDE USING gist (resource_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status = 'confirmed');
"""

DROP = """
ALTER TABLE commons_booking DROP CONSTRAINT IF EXISTS booking_confirmed_no_overlap;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("commons", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
