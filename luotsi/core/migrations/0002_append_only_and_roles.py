from django.db import migrations

from luotsi.core.migration_ops import AppendOnly


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in (
        "responsible_worker",
        "team_lead",
        "area_management",
        "partner_worker",
        "evaluator",
        "administrator",
    ):
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        AppendOnly("core_auditentry"),
        AppendOnly("core_personaldataread"),
        migrations.RunPython(create_roles, migrations.RunPython.noop),
    ]
