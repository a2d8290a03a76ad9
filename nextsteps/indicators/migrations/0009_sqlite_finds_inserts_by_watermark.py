"""On SQLite, inserts into the watched tables are found by watermark instead of by trigger
(nextsteps/indicators/counted_triggers.py): the triggers are installed again, without those for inserts."""
from django.db import migrations, models

from nextsteps.indicators import counted_triggers


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    counted_triggers.install(schema_editor)


def install_with_insert_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    counted_triggers.install(schema_editor, inserts_by_trigger=True)


class Migration(migrations.Migration):

    dependencies = [
        ('indicators', '0008_counted_rows_kept_by_triggers'),
    ]

    operations = [
        migrations.CreateModel(
            name='CountedWatermark',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=64, unique=True)),
                ('last_id', models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(install, install_with_insert_triggers),
    ]
