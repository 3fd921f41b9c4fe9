import json
from importlib import resources

from django.db import migrations

_TEXTS = ("description_zh", "description_en", "message_zh", "message_en")


def income_rule_wording(apps, schema_editor):
    """INCOME_BELOW_LINE now warns on the line too (registry.conditions): its texts say so.
    Only a rule still worded as shipped is changed; a province's own wording stays."""
    catalogue = json.loads(
        resources.files("jingzhun.monitoring").joinpath("data/catalogue.json").read_text("utf-8")
    )
    shipped = next(rule for rule in catalogue["rules"] if rule["code"] == "INCOME_BELOW_LINE")
    rules = apps.get_model("monitoring", "ScreeningRule")
    rules.objects.filter(
        code="INCOME_BELOW_LINE", message_en__startswith="Per-capita net income {value} yuan, below"
    ).update(**{field: shipped[field] for field in _TEXTS})


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0004_one_run_life_cycle")]

    operations = [migrations.RunPython(income_rule_wording, migrations.RunPython.noop)]
