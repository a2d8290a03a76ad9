from django.db import migrations


def write_ahead_log(apps, schema_editor):
    """SQLite only: a write-ahead log instead of a rollback journal, a lasting property of the file.

    Readers then never wait for a writer, and a commit appends to one file with one sync instead of three.
    Under load every request writes (the session's idle timer is renewed on each one): with the rollback
    journal 20 concurrent clients got about 10 requests a second in all (docs/performance.md).
    """
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode = WAL")


class Migration(migrations.Migration):
    # The journal mode cannot change inside a transaction.
    atomic = False

    dependencies = [
        ("audit", "0002_data_version"),
    ]

    operations = [
        migrations.RunPython(write_ahead_log, migrations.RunPython.noop, elidable=True),
    ]
