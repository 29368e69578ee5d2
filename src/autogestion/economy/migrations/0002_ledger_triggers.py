"""On PostgreSQL the ledger's double entry is a database rule too: every statement that
writes entries writes, per payment, exactly two that sum to zero, and entries are never
changed or deleted afterwards (a correction is a new payment)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION economy_entries_balanced() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_entries GROUP BY payment_id
                HAVING count(*) <> 2 OR sum(amount) <> 0) THEN
        RAISE EXCEPTION 'a payment must write two entries that sum to zero'
            USING ERRCODE = '23514';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER economy_entries_balanced
    AFTER INSERT ON economy_entry REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION economy_entries_balanced();

CREATE OR REPLACE FUNCTION economy_entries_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are never changed: make a new payment'
        USING ERRCODE = '23514';
END $$ LANGUAGE plpgsql;

CREATE TRIGGER economy_entries_append_only
    BEFORE UPDATE OR DELETE ON economy_entry
    FOR EACH ROW EXECUTE FUNCTION economy_entries_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS economy_entries_append_only ON economy_entry;
DROP FUNCTION IF EXISTS economy_entries_append_only();
DROP TRIGGER IF EXISTS economy_entries_balanced ON economy_entry;
DROP FUNCTION IF EXISTS economy_entries_balanced();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("economy", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
