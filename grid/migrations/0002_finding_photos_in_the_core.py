"""Finding photos move to the core's evidence photos (portal.Photo, issue 12's portal.photos):
the old table (its own file and hash) is replaced. No finding photos existed before this."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("grid", "0001_people_patrols"),
        ("portal", "0006_photos"),
    ]

    operations = [
        migrations.DeleteModel(name="FindingPhoto"),
        migrations.CreateModel(
            name="FindingPhoto",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "finding",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="photos",
                        to="grid.finding",
                        verbose_name="巡查发现",
                    ),
                ),
                (
                    "photo",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="portal.photo",
                        verbose_name="照片",
                    ),
                ),
            ],
            options={"verbose_name": "巡查照片", "verbose_name_plural": "巡查照片", "ordering": ["id"]},
        ),
    ]
