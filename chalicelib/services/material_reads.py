"""Reading a material's content: a short-lived presigned GET for the two sides handling the case.

The console shows the reviewer each material in the page. Materials are personal documents (an
ID card scan carries the full ID number), so, as with ``GET /cases/{id}/identity``, only the
受理地's window and the 业务属地's reviewer may open one, and every opening is an event on the
chained timeline (who, unit, when, which material). Only a received material (its bytes checked
at confirmation) can be opened, and the link names the exact object version that was checked.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ..domain.cases.case import Actor, Case, Event
from ..domain.cases.records import material_view
from ..domain.errors import Conflict
from .cases import Deps, _mutate


def open_material(
    deps: Deps, case_id: str, material_id: str, actor: Actor, relation: str, now: datetime
) -> dict[str, Any]:
    """The material and ``download: {url, expires_in}``; the opening is recorded first."""
    def change(case: Case) -> tuple[Case, Event]:
        material = case.material(material_id)  # 404 MATERIAL_NOT_FOUND
        if material.status != "received":
            raise Conflict("MATERIAL_NOT_RECEIVED",
                           "only a received material (its bytes checked) can be opened", "material_id")
        return case, Event(now.isoformat(), "material_viewed", actor.sub, actor.unit,
                           {"role": actor.role, "material_id": material_id, "code": material.code})

    _, case = _mutate(deps, case_id, actor, relation, change)
    material = case.material(material_id)
    download = deps.files.presigned_download(
        material.object_key, material.object_version, material.content_type, material.filename)
    return dict(material_view(material), download=download)
