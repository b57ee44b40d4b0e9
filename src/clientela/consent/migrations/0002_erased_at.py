# The stamp of erasure's pseudonymisation on consent records and wordings: the one change the
# proof triggers (0006) let through.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="consentrecord",
            name="erased_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="erased"),
        ),
        migrations.AddField(
            model_name="consentwording",
            name="erased_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="erased"),
        ),
    ]
