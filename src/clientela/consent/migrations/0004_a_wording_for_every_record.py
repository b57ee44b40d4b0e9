# Every record carries a wording from now on. Records made before without one (withdrawals,
# yeses on another legal basis) get a wording that says so, rather than an invented text.

import hashlib

from django.db import migrations

LEGACY = (
    "No wording was kept with this record: it was made before every consent record carried one."
)


def attach_legacy_wording(apps, schema_editor):
    record = apps.get_model("consent", "ConsentRecord")
    wording = apps.get_model("consent", "ConsentWording")
    missing = record.objects.filter(wording__isnull=True)
    if not missing.exists():
        return
    legacy, _created = wording.objects.get_or_create(
        sha256=hashlib.sha256(LEGACY.encode("utf-8")).hexdigest(),
        defaults={"text": LEGACY, "version": "legacy", "language": "en"},
    )
    missing.update(wording=legacy)


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0003_actor_protected"),
    ]

    operations = [
        migrations.RunPython(attach_legacy_wording, migrations.RunPython.noop, elidable=False),
    ]
