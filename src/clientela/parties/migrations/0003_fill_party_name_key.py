"""Fill Party.name_key for the parties written before it existed."""

from django.db import migrations

BATCH = 2000


def fill_name_keys(apps, schema_editor):
    # A pure function of the name fields; it reads no model of its own.
    from clientela.parties.services.identity import name_key

    Party = apps.get_model("parties", "Party")
    pending = Party.objects.filter(name_key="").order_by("pk")
    last = 0
    while True:
        rows = list(
            pending.filter(pk__gt=last).only(
                "pk", "kind", "given_name", "family_name", "organization_name"
            )[:BATCH]
        )
        if not rows:
            return
        for party in rows:
            party.name_key = name_key(
                party.kind, party.given_name, party.family_name, party.organization_name
            )
        Party.objects.bulk_update(rows, ["name_key"])
        last = rows[-1].pk


class Migration(migrations.Migration):
    dependencies = [("parties", "0002_party_name_key")]

    operations = [migrations.RunPython(fill_name_keys, migrations.RunPython.noop)]
