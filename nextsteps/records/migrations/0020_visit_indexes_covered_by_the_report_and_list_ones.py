"""A visit's programme, organisation and date lose their single-column indexes: the report index starts with
the programme and the date, the list index with the organisation and the date. The indexes are dropped by
name rather than by altering the fields, which on SQLite would copy the visits into a new table and lose the
counted rows' triggers on it (indicators/counted_triggers.py)."""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = {
    "records_outreachvisit_date_0f23cad4": "date",
    "records_outreachvisit_organisation_id_255a7fe1": "organisation_id",
    "records_outreachvisit_programme_id_f330a10d": "programme_id",
}


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0009_period_narrative_language_names_in_their_own_language"),
        ("records", "0019_case_caseworker_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "records_outreachvisit" ("{column}")',
                )
                for name, column in INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="outreachvisit",
                    name="date",
                    field=models.DateField(verbose_name="date"),
                ),
                migrations.AlterField(
                    model_name="outreachvisit",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="visits",
                        to="programmes.organisation",
                        verbose_name="organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="outreachvisit",
                    name="programme",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="visits",
                        to="programmes.programme",
                        verbose_name="programme",
                    ),
                ),
            ],
        )
    ]
