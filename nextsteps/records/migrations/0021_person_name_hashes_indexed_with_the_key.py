"""Each name hash of a person is indexed together with the person's key, so that PostgreSQL can list one
name's persons newest first from the index (the pickers). The single-column indexes (and PostgreSQL's
`_like` copies, which no query used: hashes are only compared whole) are dropped by name rather than by
altering the fields, which on SQLite would copy the persons into a new table and lose the counted rows'
triggers on it. Going back recreates the single-column indexes, not the `_like` copies."""

from django.db import migrations, models

SINGLE = {
    "records_person_given_name_hash_4057bf05": "given_name_hash",
    "records_person_family_name_hash_35478947": "family_name_hash",
    "records_person_full_name_hash_aaa04c72": "full_name_hash",
}


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0009_period_narrative_language_names_in_their_own_language"),
        ("records", "0020_visit_indexes_covered_by_the_report_and_list_ones"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                operation
                for name, column in SINGLE.items()
                for operation in (
                    migrations.RunSQL(
                        f'DROP INDEX IF EXISTS "{name}_like"', reverse_sql=migrations.RunSQL.noop
                    ),
                    migrations.RunSQL(
                        f'DROP INDEX "{name}"',
                        reverse_sql=f'CREATE INDEX "{name}" ON "records_person" ("{column}")',
                    ),
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="person",
                    name=column,
                    field=models.CharField(blank=True, editable=False, max_length=64),
                )
                for column in SINGLE.values()
            ],
        ),
        *(
            migrations.AddIndex(
                model_name="person",
                index=models.Index(fields=[column, "id"], name=f"person_{column}_idx"),
            )
            for column in SINGLE.values()
        ),
    ]
