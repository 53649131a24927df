"""Create the five role groups with the permissions each carries."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# The five roles as they stood when this migration was written: a migration
# keeps its own copy, so roles added later (accounts.roles) never change it.
GROUP_NAMES = {
    "manager": "Referring manager",
    "hr": "HR adviser",
    "panel": "Panel member",
    "decision_maker": "Decision-maker",
    "governance": "Governance viewer",
}
GROUP_PERMISSIONS = {
    "manager": ("workflow.submit_referral",),
    "hr": ("workflow.triage_case", "workflow.convene_panel", "workflow.view_ethnicity"),
    "panel": ("panels.sit_on_panel",),
    "decision_maker": ("workflow.sign_off", "workflow.view_ethnicity"),
    "governance": ("workflow.view_governance_reports",),
}


def create_groups(apps, schema_editor):
    # Permissions are normally made at post_migrate; make them now so the
    # groups can hold them in this migration.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, name in GROUP_NAMES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for dotted in GROUP_PERMISSIONS[role]:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUP_NAMES.values()).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("workflow", "0001_initial"),
        ("panels", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
