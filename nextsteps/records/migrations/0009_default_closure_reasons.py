"""The reasons a case closes, as every programme starts with them; programmes edit them in the admin."""

from django.db import migrations

REASONS = [
    ("goals_reached", "Doelen bereikt", "Goals reached", "Obiective atinse"),
    ("returned_home_stable", "Naar huis teruggekeerd en stabiel", "Returned home and stable",
     "S-a întors acasă și este stabil(ă)"),
    ("moved_away", "Verhuisd", "Moved away", "S-a mutat"),
    ("lost_contact", "Contact verloren", "Lost contact", "Contact pierdut"),
    ("referred_on", "Doorverwezen", "Referred on", "Trimis(ă) mai departe"),
    ("deceased", "Overleden", "Deceased", "Decedat(ă)"),
    ("other", "Overig", "Other", "Altele"),
]


def add_reasons(apps, schema_editor):
    model = apps.get_model("records", "ClosureReason")
    for order, (code, nl, en, ro) in enumerate(REASONS):
        model.objects.update_or_create(
            code=code, defaults={"label_nl": nl, "label_en": en, "label_ro": ro, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("records", "0008_case_assignment_and_closure")]
    operations = [migrations.RunPython(add_reasons, migrations.RunPython.noop)]
