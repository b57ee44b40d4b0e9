from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("parties", "0007_merge_tag_variants")]

    operations = [
        migrations.AlterField(
            model_name="tag",
            name="key",
            field=models.CharField(max_length=100, unique=True),
        ),
    ]
