"""The kinds of campaign every programme starts with; programmes edit them in the admin."""

from django.db import migrations

KINDS = [
    (
        "women_for_women_christmas",
        "Kerstactie ‘Vrouwen voor vrouwen’",
        "“Women for women” Christmas campaign",
        "Campania de Crăciun „Femei pentru femei”",
    ),
]


def add_kinds(apps, schema_editor):
    model = apps.get_model("records", "CampaignKind")
    for order, (code, nl, en, ro) in enumerate(KINDS):
        model.objects.update_or_create(
            code=code, defaults={"label_nl": nl, "label_en": en, "label_ro": ro, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("records", "0011_campaign_kinds")]
    operations = [migrations.RunPython(add_kinds, migrations.RunPython.noop)]
