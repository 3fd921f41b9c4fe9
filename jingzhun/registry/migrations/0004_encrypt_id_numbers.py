from django.db import migrations, models

import jingzhun.core.crypto
from jingzhun.core.migration_helpers import rewrite_columns


def encrypt_existing(apps, schema_editor):
    rewrite_columns(apps, "registry", "Member", ["id_number"])


class Migration(migrations.Migration):
    """Member ID numbers encrypted, with blind indexes for search and uniqueness. The
    indexes are added empty, filled as the numbers are encrypted, then constrained."""

    dependencies = [
        ("registry", "0003_encrypt_phones_and_bank_accounts"),
    ]

    operations = [
        migrations.AddField(
            model_name="member",
            name="id_number_index",
            field=models.CharField(default="", max_length=32, editable=False),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="member",
            name="id_number_tail",
            field=models.CharField(default="", max_length=32, editable=False),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="member",
            name="id_number_well_formed",
            field=jingzhun.core.crypto.DerivedBooleanField(
                default=False,
                function="jingzhun.registry.idnumbers.is_well_formed",
                source="id_number",
                verbose_name="ID number well formed",
            ),
        ),
        migrations.AlterField(
            model_name="member",
            name="id_number",
            field=jingzhun.core.crypto.EncryptedCharField(
                blind_index="id_number_index", max_length=22, verbose_name="ID number"
            ),
        ),
        migrations.AlterField(
            model_name="member",
            name="id_number_index",
            field=jingzhun.core.crypto.BlindIndexField(
                max_length=32, purpose="id_number", source="id_number"
            ),
        ),
        migrations.AlterField(
            model_name="member",
            name="id_number_tail",
            field=jingzhun.core.crypto.BlindIndexField(
                max_length=32, purpose="id_tail", source="id_number", tail=4
            ),
        ),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="member",
            name="id_number_index",
            field=jingzhun.core.crypto.BlindIndexField(
                max_length=32, purpose="id_number", source="id_number", unique=True
            ),
        ),
        migrations.AlterField(
            model_name="member",
            name="id_number_tail",
            field=jingzhun.core.crypto.BlindIndexField(
                db_index=True, max_length=32, purpose="id_tail", source="id_number", tail=4
            ),
        ),
    ]
