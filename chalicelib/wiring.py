"""Lazy construction of the adapters a Lambda container reuses between requests."""
from __future__ import annotations

from functools import lru_cache

from .adapters.calendar import OfficialCalendar
from .adapters.files import MaterialFiles
from .adapters.notify import Notifier
from .adapters.store import CaseRepository, VersionConflict
from .config import load
from .services.calendar import DeadlineService
from .services.cases import Deps


@lru_cache(maxsize=1)
def deps() -> Deps:
    config = load()
    return Deps(
        repo=CaseRepository(),
        files=MaterialFiles(config.materials_bucket),
        results=Notifier(config.results_topic_arn),
        deadlines=DeadlineService(OfficialCalendar()),
        conflict=VersionConflict,
        max_material_bytes=config.max_material_bytes,
    )
