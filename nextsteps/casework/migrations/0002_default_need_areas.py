"""The areas an assessment rates needs in, as every programme starts with them; editable in the admin."""

from django.db import migrations

AREAS = [
    ("safety", "Veiligheid", "Safety", "Siguranță"),
    ("housing", "Huisvesting", "Housing", "Locuință"),
    ("health", "Lichamelijke gezondheid", "Physical health", "Sănătate fizică"),
    ("mental_health", "Psychisch welzijn", "Mental well-being", "Sănătate mintală"),
    ("legal", "Juridische zaken", "Legal matters", "Probleme juridice"),
    ("income", "Inkomen en werk", "Income and work", "Venit și muncă"),
    ("education", "Onderwijs", "Education", "Educație"),
    ("family", "Familie en netwerk", "Family and support network", "Familie și rețea de sprijin"),
    ("documents", "Identiteitsdocumenten", "Identity documents", "Acte de identitate"),
]


def add_areas(apps, schema_editor):
    model = apps.get_model("casework", "NeedArea")
    for order, (code, nl, en, ro) in enumerate(AREAS):
        model.objects.update_or_create(
            code=code, defaults={"label_nl": nl, "label_en": en, "label_ro": ro, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_case_file")]
    operations = [migrations.RunPython(add_areas, migrations.RunPython.noop)]
