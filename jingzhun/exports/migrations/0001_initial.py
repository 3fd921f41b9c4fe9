import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("imports", "0004_exportrecord_moved_to_exports"),
    ]

    # The model moves here from the imports app; its table (with its audit chain and
    # trigger) stays as it is: only Django's record of which app owns it changes.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="ExportRecord",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="at")),
                        (
                            "chain_seq",
                            models.BigIntegerField(blank=True, db_index=True, editable=False, null=True),
                        ),
                        (
                            "chain_hash",
                            models.CharField(blank=True, default="", editable=False, max_length=64),
                        ),
                        ("what", models.CharField(max_length=40, verbose_name="export")),
                        ("parameters", models.CharField(blank=True, max_length=500, verbose_name="filters")),
                        ("rows", models.PositiveIntegerField(default=0, verbose_name="rows")),
                        (
                            "sensitive_in_full",
                            models.BooleanField(default=False, verbose_name="sensitive columns in full"),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "export",
                        "verbose_name_plural": "exports",
                        "db_table": "imports_exportrecord",
                        "ordering": ["-at", "-id"],
                    },
                ),
            ],
        ),
    ]
