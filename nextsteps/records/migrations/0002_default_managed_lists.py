"""The managed lists every programme starts with; programmes edit them in the admin afterwards."""

from django.db import migrations

LISTS = {
    "ServiceType": [
        ("return_assistance", "Terugkeerhulp", "Return assistance", "Asistență la întoarcere"),
        ("legal_support", "Juridische ondersteuning", "Legal support", "Asistență juridică"),
        ("education", "Onderwijs", "Education", "Educație"),
        ("vocational_training", "Beroepsopleiding", "Vocational training", "Formare profesională"),
        ("employment_support", "Hulp bij werk", "Employment support", "Sprijin pentru angajare"),
        ("shelter", "Opvang", "Shelter", "Adăpost"),
        ("medical", "Medische zorg", "Medical care", "Îngrijire medicală"),
        ("psychosocial", "Psychosociale hulp", "Psychosocial support", "Sprijin psihosocial"),
        ("other", "Overig", "Other", "Altele"),
    ],
    "OutcomeType": [
        ("exited_prostitution", "Uit de prostitutie gestapt", "Exited prostitution", "A ieșit din prostituție"),
        ("employed", "Betaald werk gevonden", "Found paid work", "Angajat(ă)"),
        ("returned_home", "Naar huis teruggekeerd", "Returned home", "S-a întors acasă"),
        ("enrolled_in_education", "Ingeschreven voor onderwijs", "Enrolled in education", "Înscris(ă) la școală"),
        ("other", "Overig", "Other", "Altele"),
    ],
    "ActivityType": [
        ("prevention_session", "Preventie- of voorlichtingssessie", "Prevention or awareness session",
         "Sesiune de prevenire sau conștientizare"),
        ("school_session", "Sessie op school", "School session", "Sesiune la școală"),
        ("conference", "Conferentie", "Conference", "Conferință"),
        ("training", "Training", "Training", "Instruire"),
        ("work_visit", "Werkbezoek", "Work visit", "Vizită de lucru"),
        ("campaign_event", "Campagne-activiteit", "Campaign event", "Eveniment de campanie"),
    ],
    "SiteType": [
        ("household", "Huishouden", "Household", "Gospodărie"),
        ("homeless_shelter", "Daklozenopvang", "Homeless shelter", "Adăpost pentru persoane fără adăpost"),
        ("street", "Straat", "Street", "Stradă"),
        ("other", "Overig", "Other", "Altele"),
    ],
    "ParticipantGroup": [
        ("partner_ngos", "Partnerorganisaties", "Partner NGOs", "ONG-uri partenere"),
        ("other_ngos", "Andere ngo's", "Other NGOs", "Alte ONG-uri"),
        ("police", "Politie", "Police", "Poliție"),
        ("anti_trafficking_agency", "Anti-mensenhandelafdeling", "Anti-trafficking department",
         "Agenția împotriva traficului de persoane"),
        ("university", "Universiteit", "University staff", "Profesori universitari"),
        ("students", "Studenten", "Students", "Studenți"),
        ("volunteers", "Vrijwilligers", "Volunteers", "Voluntari"),
        ("pupils", "Scholieren", "Pupils", "Elevi"),
        ("teachers", "Leraren", "Teachers", "Profesori"),
    ],
}
NOTABLE = {"conference", "work_visit", "campaign_event"}


def add_lists(apps, schema_editor):
    for model_name, rows in LISTS.items():
        model = apps.get_model("records", model_name)
        for order, (code, nl, en, ro) in enumerate(rows):
            defaults = {"label_nl": nl, "label_en": en, "label_ro": ro, "order": order}
            if model_name == "ActivityType":
                defaults["notable"] = code in NOTABLE
            model.objects.update_or_create(code=code, defaults=defaults)


class Migration(migrations.Migration):
    dependencies = [("records", "0001_people_cases_visits_activities")]
    operations = [migrations.RunPython(add_lists, migrations.RunPython.noop)]
