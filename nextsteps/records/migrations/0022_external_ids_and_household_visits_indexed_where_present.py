"""Records whose external id is unique in their organisation lose the index of the id alone: their lookups
name the organisation and leave out empty ids, which the unique index on (organisation, external id) serves,
and the second index cost each imported record a write. A visit's household is indexed only where there is
one (most visits have none). The indexes are dropped by name, found in the database's catalogue (PostgreSQL
also has a pattern index beside each text index), rather than by altering the fields, which on SQLite would
copy each table into a new one and lose the counted rows' triggers on it (indicators/counted_triggers.py)."""

import django.db.models.deletion
from django.db import migrations, models

# Model → the column whose single-column indexes go.
COLUMNS = {
    "activity": "external_id",
    "case": "external_id",
    "distribution": "external_id",
    "household": "external_id",
    "outreachvisit": "external_id",
    "partnercontact": "external_id",
    "person": "external_id",
    "volunteer": "external_id",
}
HOUSEHOLD = ("outreachvisit", "household_id")


def drop_single_column_indexes(apps, schema_editor):
    for model_name, column in [*COLUMNS.items(), HOUSEHOLD]:
        model = apps.get_model("records", model_name)
        for name in schema_editor._constraint_names(
            model, [column], index=True, unique=False, primary_key=False
        ):
            schema_editor.execute(schema_editor._delete_index_sql(model, name))


def create_single_column_indexes(apps, schema_editor):
    for model_name, column in [*COLUMNS.items(), HOUSEHOLD]:
        model = apps.get_model("records", model_name)
        field = next(f for f in model._meta.concrete_fields if f.column == column)
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))
        # PostgreSQL only: the pattern index a text field's index comes with.
        like = getattr(schema_editor, "_create_like_index_sql", None)
        if like is not None and (sql := like(model, field)) is not None:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0009_period_narrative_language_names_in_their_own_language"),
        ("records", "0021_person_name_hashes_indexed_with_the_key"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(drop_single_column_indexes, create_single_column_indexes)
            ],
            state_operations=[
                *[
                    migrations.AlterField(
                        model_name=model_name,
                        name="external_id",
                        field=models.CharField(blank=True, max_length=80, verbose_name="external id"),
                    )
                    for model_name in COLUMNS
                ],
                migrations.AlterField(
                    model_name="outreachvisit",
                    name="household",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="visits",
                        to="records.household",
                        verbose_name="household",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="outreachvisit",
            index=models.Index(
                condition=models.Q(("household__isnull", False)),
                fields=["household"],
                name="visit_household_idx",
            ),
        ),
    ]
