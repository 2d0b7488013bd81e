"""Previewed imports that are never confirmed do not stay in storage."""

import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from ropa_import.tasks import delete_stale_import_previews


def age(name: str, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(default_storage.path(name), (then, then))


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_previews_older_than_a_day_are_deleted_by_beat(media, settings):
    old = default_storage.save("imports/old.xlsx", ContentFile(b"old"))
    recent = default_storage.save("imports/recent.xlsx", ContentFile(b"new"))
    age(old, 25)
    age(recent, 23)

    assert delete_stale_import_previews() == 1

    assert not default_storage.exists(old)
    assert default_storage.exists(recent)
    assert "delete-stale-import-previews" in settings.CELERY_BEAT_SCHEDULE


def test_nothing_to_delete(media):
    assert delete_stale_import_previews() == 0
