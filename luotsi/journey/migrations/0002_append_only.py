from django.db import migrations

from luotsi.core.migration_ops import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("journey", "0001_initial")]

    operations = [AppendOnly("journey_journeyevent")]
