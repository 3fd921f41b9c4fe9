from django.db import migrations, models


def done_is_succeeded(apps, schema_editor):
    """The one run life cycle (core.runs) says "succeeded" where this model said "done"."""
    apps.get_model("monitoring", "ScreeningRun").objects.filter(status="done").update(status="succeeded")


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0003_rule_health_data"),
    ]

    operations = [
        migrations.RunPython(done_is_succeeded, migrations.RunPython.noop),
        migrations.AddField(
            model_name="screeningrun",
            name="stage",
            field=models.CharField(blank=True, max_length=100, verbose_name="stage"),
        ),
        migrations.AlterField(
            model_name="screeningrun",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("running", "Running"),
                    ("succeeded", "Done"),
                    ("failed", "Failed"),
                ],
                db_index=True,
                default="queued",
                max_length=10,
                verbose_name="status",
            ),
        ),
    ]
