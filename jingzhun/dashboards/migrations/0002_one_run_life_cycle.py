from django.db import migrations, models


def done_is_succeeded(apps, schema_editor):
    """The one run life cycle (core.runs) says "succeeded" where this model said "done"."""
    apps.get_model("dashboards", "AggregateRun").objects.filter(status="done").update(status="succeeded")


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(done_is_succeeded, migrations.RunPython.noop),
        migrations.AddField(
            model_name="aggregaterun",
            name="stage",
            field=models.CharField(blank=True, max_length=100, verbose_name="stage"),
        ),
        migrations.AlterField(
            model_name="aggregaterun",
            name="finished_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="finished"),
        ),
        migrations.AlterField(
            model_name="aggregaterun",
            name="started_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="started"),
        ),
        migrations.AlterField(
            model_name="aggregaterun",
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
