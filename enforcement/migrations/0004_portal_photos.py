"""Lead photos and photo evidence go through portal.photos (original unaltered with its
SHA-256, an EXIF-free thumbnail): a lead photo is a link to a portal.Photo."""

import django.db.models.deletion
from django.db import migrations, models

import enforcement.models.records


class Migration(migrations.Migration):
    dependencies = [
        ("enforcement", "0003_records"),
        ("portal", "0006_photos"),
    ]

    operations = [
        migrations.DeleteModel(name="LeadPhoto"),
        migrations.CreateModel(
            name="LeadPhoto",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "lead",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="photos",
                        to="enforcement.lead",
                    ),
                ),
                (
                    "photo",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="portal.photo",
                    ),
                ),
            ],
            options={
                "verbose_name": "线索照片",
                "verbose_name_plural": "线索照片",
                "ordering": ["id"],
                "constraints": [
                    models.UniqueConstraint(fields=("lead", "photo"), name="lead_photo_once")
                ],
            },
        ),
        migrations.AddField(
            model_name="evidence",
            name="photo",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.photo",
            ),
        ),
        migrations.AlterField(
            model_name="evidence",
            name="file",
            field=models.FileField(
                blank=True, max_length=255, upload_to=enforcement.models.records._evidence_path
            ),
        ),
    ]
