# The sign-in failures are counted as the throttle's hits (ThrottleHit, door "sign_in") now.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_throttle_hits'),
    ]

    operations = [
        migrations.DeleteModel(
            name='SignInFailure',
        ),
    ]
