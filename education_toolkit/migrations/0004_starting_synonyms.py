"""A small starting table of words people use for the toolkit's topics; toolkit editors keep it from then on."""

from django.db import migrations

STARTING_SYNONYMS = {
    "bleeding": "bleed, first aid, wound, stab wound, bleeding control",
    "first aid": "bleeding control, emergency, ambulance, casualty",
    "knife": "knives, blade, weapon, stabbing, knife crime",
    "gang": "gangs, county lines, exploitation, grooming",
    "online": "social media, drill, group chat, internet",
    "bereavement": "loss, grief, trauma, wellbeing",
    "bullying": "peer pressure, friendships, conflict",
    "police": "law, arrest, court, consequences",
    "reporting": "speaking up, bystander, crimestoppers",
    "parents": "carers, families, adults",
}


def add(apps, schema_editor):
    SearchSynonym = apps.get_model("education_toolkit", "SearchSynonym")
    for term, alternatives in STARTING_SYNONYMS.items():
        SearchSynonym.objects.get_or_create(term=term, defaults={"alternatives": alternatives})


def remove(apps, schema_editor):
    apps.get_model("education_toolkit", "SearchSynonym").objects.filter(term__in=STARTING_SYNONYMS).delete()


class Migration(migrations.Migration):
    dependencies = [("education_toolkit", "0003_search_synonyms")]
    operations = [migrations.RunPython(add, remove)]
