# Every record carries its wording's hash (0004 gave the older ones theirs).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0004_a_wording_for_every_record"),
    ]

    operations = [
        migrations.AlterField(
            model_name="consentrecord",
            name="wording",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="records",
                to="consent.consentwording",
                verbose_name="wording",
            ),
        ),
    ]
