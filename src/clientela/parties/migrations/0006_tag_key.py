from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("parties", "0005_custom_field_labels")]

    operations = [
        migrations.AlterField(
            model_name="tag",
            name="name",
            field=models.CharField(max_length=50, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="tag",
            name="key",
            field=models.CharField(default="", max_length=100),
            preserve_default=False,
        ),
    ]
