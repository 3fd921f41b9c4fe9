import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# What each former state becomes: (status, job, writable, cancelled).
_STATES = {
    "checking": ("queued", "check", False, False),
    "checked": ("succeeded", "check", True, False),
    "writing": ("queued", "write", True, False),
    "done": ("succeeded", "write", True, False),
    "rejected": ("succeeded", "check", False, False),
    "cancelled": ("succeeded", "check", True, True),
    "failed": ("failed", "check", False, False),
}


def from_states(apps, schema_editor):
    ImportRun = apps.get_model("imports", "ImportRun")
    for run in ImportRun.objects.order_by("pk"):
        status, phase, writable, cancelled = _STATES[run.state]
        run.status, run.phase, run.writable = status, phase, writable
        run.cancelled_at = (run.finished_at or run.started_at) if cancelled else None
        run.save(update_fields=["status", "phase", "writable", "cancelled_at"])


class Migration(migrations.Migration):
    """Import runs follow the one run life cycle (core.runs): a status per job (check,
    then write), the person's view of it derived from status and job."""

    dependencies = [
        ("imports", "0002_exportrecord_audit_chain"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="importrun", old_name="uploaded_by", new_name="started_by"),
        migrations.AlterField(
            model_name="importrun",
            name="started_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RenameField(model_name="importrun", old_name="created_at", new_name="started_at"),
        migrations.AlterField(
            model_name="importrun",
            name="started_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="started"),
        ),
        migrations.AddField(
            model_name="importrun",
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
        migrations.AddField(
            model_name="importrun",
            name="stage",
            field=models.CharField(blank=True, max_length=100, verbose_name="stage"),
        ),
        migrations.AddField(
            model_name="importrun",
            name="phase",
            field=models.CharField(
                choices=[("check", "Check"), ("write", "Write")],
                default="check",
                max_length=10,
                verbose_name="job",
            ),
        ),
        migrations.AddField(
            model_name="importrun", name="writable", field=models.BooleanField(default=False)
        ),
        migrations.AddField(
            model_name="importrun",
            name="cancelled_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="cancelled"),
        ),
        migrations.RunPython(from_states, migrations.RunPython.noop),
        migrations.RemoveField(model_name="importrun", name="state"),
        migrations.AlterModelOptions(
            name="importrun",
            options={
                "ordering": ["-started_at", "-id"],
                "verbose_name": "import",
                "verbose_name_plural": "imports",
            },
        ),
    ]
