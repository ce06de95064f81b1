"""Create the ``customer`` group: users who sign in to the self-service pages (/me/)."""

from django.db import migrations

CUSTOMER_GROUP = "customer"


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name=CUSTOMER_GROUP)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=CUSTOMER_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [("ecosystem", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_group, delete_group)]
