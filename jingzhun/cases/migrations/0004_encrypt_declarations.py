from django.db import migrations, models

import jingzhun.core.crypto
from jingzhun.core.migration_helpers import rewrite_columns


def encrypt_existing(apps, schema_editor):
    rewrite_columns(apps, "cases", "Declaration", ["id_number", "phone"])


class Migration(migrations.Migration):
    """Self-declarations' ID numbers and phones encrypted; the ID number found by its
    blind index (the same digest as the member's)."""

    dependencies = [
        ("cases", "0003_exit_incidence"),
        ("registry", "0004_encrypt_id_numbers"),
    ]

    operations = [
        migrations.AddField(
            model_name="declaration",
            name="id_number_index",
            field=models.CharField(default="", max_length=32, editable=False),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="declaration",
            name="id_number",
            field=jingzhun.core.crypto.EncryptedCharField(
                blind_index="id_number_index", max_length=18, verbose_name="ID number"
            ),
        ),
        migrations.AlterField(
            model_name="declaration",
            name="phone",
            field=jingzhun.core.crypto.EncryptedCharField(max_length=20, verbose_name="phone"),
        ),
        migrations.AlterField(
            model_name="declaration",
            name="id_number_index",
            field=jingzhun.core.crypto.BlindIndexField(
                db_index=True, max_length=32, purpose="id_number", source="id_number"
            ),
        ),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop, elidable=False),
    ]
