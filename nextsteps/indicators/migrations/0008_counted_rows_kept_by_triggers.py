"""Counted rows of distinct rules, and the triggers that mark the persons and households whose rows a write
changes (nextsteps/indicators/counted.py, counted_triggers.py). Rows are built whole by imports, generation,
a saved counting rule and `nextsteps counted-rows`; reports rebuild only the keys a write changed."""

import django.db.models.deletion
from django.db import migrations, models

from nextsteps.indicators import counted_triggers


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    counted_triggers.install(schema_editor)


def uninstall(apps, schema_editor):  # type: ignore[no-untyped-def]
    counted_triggers.uninstall(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('indicators', '0007_volunteer_hours_are_a_source'),
        ('records', '0018_merge_volunteer_pipeline'),
        ('programmes', '0009_period_narrative_language_names_in_their_own_language'),
    ]

    operations = [
        migrations.CreateModel(
            name='DirtyKey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=1)),
                ('k', models.BigIntegerField()),
            ],
        ),
        migrations.CreateModel(
            name='CountedRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('signature', models.TextField()),
                ('kind', models.CharField(max_length=1)),
                ('indicator', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='indicators.indicator')),
            ],
        ),
        migrations.CreateModel(
            name='CountedRow',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('k', models.BigIntegerField()),
                ('d', models.DateField()),
                ('p', models.DateField(null=True)),
                ('o', models.BigIntegerField()),
                ('l', models.CharField(max_length=200)),
                ('rule', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='indicators.countedrule')),
            ],
            options={
                'indexes': [models.Index(fields=['rule', 'd', 'p', 'o', 'l', 'k'], name='counted_row_period'), models.Index(fields=['rule', 'k'], name='counted_row_key')],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
