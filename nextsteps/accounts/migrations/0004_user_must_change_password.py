"""Users given a one-time password (the Team page, `nextsteps user add`) replace it at their first sign-in.

On SQLite the new column remakes accounts_user: the operator triggers of 0003 go first and come back last,
as 0003 asks of any later migration that does so.
"""

from importlib import import_module

from django.db import migrations, models

triggers = import_module("nextsteps.accounts.migrations.0003_operators_hold_no_roles")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_operators_hold_no_roles"),
    ]

    operations = [
        migrations.RunPython(triggers.remove_triggers, triggers.add_triggers),
        migrations.AddField(
            model_name="user",
            name="must_change_password",
            field=models.BooleanField(default=False, verbose_name="must change the password"),
        ),
        migrations.RunPython(triggers.add_triggers, triggers.remove_triggers),
    ]
