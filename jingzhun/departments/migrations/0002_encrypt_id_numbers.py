from django.db import migrations, models

import jingzhun.core.crypto
from jingzhun.core.migration_helpers import rewrite_columns


def encrypt_existing(apps, schema_editor):
    rewrite_columns(apps, "departments", "DepartmentRecord", ["id_number"])


class Migration(migrations.Migration):
    """Department records' ID numbers encrypted, matched by blind index."""

    dependencies = [
        ("departments", "0001_initial"),
        ("registry", "0004_encrypt_id_numbers"),
    ]

    operations = [
        migrations.AddField(
            model_name="departmentrecord",
            name="id_number_index",
            field=models.CharField(default="", max_length=32, editable=False),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="departmentrecord",
            name="id_number",
            field=jingzhun.core.crypto.EncryptedCharField(
                blank=True, blind_index="id_number_index", max_length=22, verbose_name="ID number"
            ),
        ),
        migrations.AlterField(
            model_name="departmentrecord",
            name="id_number_index",
            field=jingzhun.core.crypto.BlindIndexField(
                blank=True, db_index=True, max_length=32, purpose="id_number", source="id_number"
            ),
        ),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop, elidable=False),
    ]
