"""The identification lists every programme starts with (after HTCDS 2.0); programmes edit them in the admin."""

from django.db import migrations

OTHER = ("other", "Overig", "Other", "Altele")
LISTS = {
    "ExploitationType": [
        ("sexual_exploitation", "Seksuele uitbuiting", "Sexual exploitation", "Exploatare sexuală"),
        ("forced_labour", "Gedwongen arbeid", "Forced labour", "Muncă forțată"),
        ("forced_begging", "Gedwongen bedelarij", "Forced begging", "Cerșetorie forțată"),
        ("forced_criminality", "Gedwongen criminaliteit", "Forced criminality",
         "Constrângere la comiterea de infracțiuni"),
        ("domestic_servitude", "Huishoudelijke dienstbaarheid", "Domestic servitude", "Servitute domestică"),
        ("forced_marriage", "Gedwongen huwelijk", "Forced marriage", "Căsătorie forțată"),
        ("organ_removal", "Verwijdering van organen", "Organ removal", "Prelevare de organe"),
        OTHER,
    ],
    "LabourSector": [
        ("agriculture", "Landbouw", "Agriculture", "Agricultură"),
        ("construction", "Bouw", "Construction", "Construcții"),
        ("manufacturing", "Industrie", "Manufacturing", "Industrie prelucrătoare"),
        ("hospitality", "Horeca", "Hospitality", "Hoteluri și restaurante"),
        ("domestic_work", "Huishoudelijk werk", "Domestic work", "Muncă domestică"),
        ("fishing", "Visserij", "Fishing", "Pescuit"),
        OTHER,
    ],
    "RecruitmentMethod": [
        ("job_offer", "Valse of misleidende baanaanbieding", "False or misleading job offer",
         "Ofertă de muncă falsă sau înșelătoare"),
        ("intimate_relationship", "Liefdesrelatie (loverboy)", "Intimate relationship (lover boy)",
         "Relație intimă („loverboy”)"),
        ("marriage_proposal", "Huwelijksaanzoek", "Marriage proposal", "Propunere de căsătorie"),
        ("study_or_travel", "Aanbod van studie of reis", "Offer of study or travel",
         "Ofertă de studii sau de călătorie"),
        ("sold_by_family", "Verkocht of afgestaan door familie", "Sold or given away by family",
         "Vândut(ă) sau cedat(ă) de familie"),
        ("abduction", "Ontvoering", "Abduction", "Răpire"),
        ("online", "Via internet of sociale media", "Online or through social media",
         "Prin internet sau rețele sociale"),
        OTHER,
    ],
    "RecruiterRelationship": [
        ("intimate_partner", "Partner", "Intimate partner", "Partener intim"),
        ("family_member", "Familielid", "Family member", "Membru al familiei"),
        ("friend", "Vriend of vriendin", "Friend", "Prieten(ă)"),
        ("acquaintance", "Kennis", "Acquaintance", "Cunoștință"),
        ("employer", "Werkgever of bemiddelaar", "Employer or recruitment agent",
         "Angajator sau agent de recrutare"),
        ("stranger", "Onbekende", "Stranger", "Persoană necunoscută"),
        OTHER,
    ],
    "ControlMeans": [
        ("threats", "Bedreigingen", "Threats", "Amenințări"),
        ("physical_violence", "Fysiek geweld", "Physical violence", "Violență fizică"),
        ("sexual_violence", "Seksueel geweld", "Sexual violence", "Violență sexuală"),
        ("psychological_abuse", "Psychisch misbruik", "Psychological abuse", "Abuz psihologic"),
        ("debt_bondage", "Schuldslavernij", "Debt bondage", "Servitute pentru datorii"),
        ("withholding_documents", "Inhouden van documenten", "Withholding of documents",
         "Reținerea documentelor"),
        ("withholding_wages", "Inhouden van loon", "Withholding of wages", "Reținerea salariului"),
        ("restriction_of_movement", "Beperking van de bewegingsvrijheid", "Restriction of movement",
         "Restrângerea libertății de mișcare"),
        ("isolation", "Isolement", "Isolation", "Izolare"),
        ("substance_dependency", "Afhankelijk maken van middelen", "Substance dependency",
         "Dependență de substanțe"),
        ("threats_to_family", "Bedreiging van familie", "Threats to family", "Amenințări la adresa familiei"),
        ("false_promises", "Valse beloften", "False promises", "Promisiuni false"),
        OTHER,
    ],
    "ReferralSource": [
        ("police", "Politie", "Police", "Poliție"),
        ("labour_inspectorate", "Arbeidsinspectie", "Labour inspectorate", "Inspecția muncii"),
        ("prosecution_or_court", "Openbaar Ministerie of rechtbank", "Prosecution or court",
         "Parchet sau instanță"),
        ("ngo", "Andere ngo", "Another NGO", "Alt ONG"),
        ("hotline", "Hulplijn", "Hotline", "Linie telefonică de asistență"),
        ("self_referral", "Meldde zich zelf", "Self-referral", "S-a prezentat singur(ă)"),
        ("family_or_friends", "Familie of vrienden", "Family or friends", "Familie sau prieteni"),
        ("embassy_or_consulate", "Ambassade of consulaat", "Embassy or consulate", "Ambasadă sau consulat"),
        ("health_services", "Zorgverleners", "Health services", "Servicii medicale"),
        ("social_services", "Sociale dienst", "Social services", "Servicii sociale"),
        OTHER,
    ],
}


def add_lists(apps, schema_editor):
    for model_name, rows in LISTS.items():
        model = apps.get_model("identification", model_name)
        for order, (code, nl, en, ro) in enumerate(rows):
            model.objects.update_or_create(
                code=code, defaults={"label_nl": nl, "label_en": en, "label_ro": ro, "order": order}
            )


class Migration(migrations.Migration):
    dependencies = [("identification", "0001_case_identification_and_lists")]
    operations = [migrations.RunPython(add_lists, migrations.RunPython.noop)]
