"""The case item and its parts on moto (``adapters/case_tables.PARTS``): a change writes the parts it changed and no
other, an empty part is not written, and a case stored whole — the layout before the parts — reads as it was and is
written in parts by its next change. What the services see is the contract's (tests/contract/test_case_store.py)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore.client
import pytest
from msgspec.structs import replace

from chalicelib.adapters.case_tables import CaseModel, PartModel, part_key, to_model
from chalicelib.adapters.store import CaseRepository
from chalicelib.domain.cases.case import Material, Status
from tests.contract.test_case_store import NOW, a_case, event
from tests.integration.conftest import moto_world


@pytest.fixture(scope="module")
def repo() -> Iterator[CaseRepository]:
    with moto_world():
        yield CaseRepository()


def material(number: int) -> Material:
    return Material(f"m{number}", "id_card", f"id-{number}.pdf", "application/pdf", 100 + number, "0" * 64,
                    f"cases/C/materials/m{number}", NOW.isoformat())


def written(block: Any) -> list[str]:
    """The keys of the case table's items the transactions of ``block`` wrote."""
    keys: list[str] = []
    make = botocore.client.BaseClient._make_api_call

    def spy(client: Any, operation: str, params: dict[str, Any]) -> Any:
        if operation == "TransactWriteItems":
            keys.extend(entry["Put"]["Item"]["case_id"]["S"] for entry in params["TransactItems"]
                        if "Put" in entry and entry["Put"]["TableName"] == CaseModel.Meta.table_name)
        return make(client, operation, params)

    botocore.client.BaseClient._make_api_call = spy  # type: ignore[method-assign]
    try:
        block()
    finally:
        botocore.client.BaseClient._make_api_call = make  # type: ignore[method-assign]
    return keys


def test_a_new_case_writes_its_item_and_the_parts_that_hold_something(repo):
    keys = written(lambda: repo.save(a_case("CP1"), event()))
    assert keys == ["CP1", part_key("CP1", "person")]  # no materials, no decision yet: not written
    read = repo.get("CP1")
    assert (read.materials, read.decision, read.decisions_before) == ((), None, ())


def test_a_change_writes_the_case_item_and_only_the_parts_it_changed(repo):
    case = repo.save(a_case("CP2"), event())
    keys = written(lambda: repo.save(replace(case, materials=(material(1),)), event("material_registered")))
    assert keys == ["CP2", part_key("CP2", "materials")]
    case = repo.get("CP2")
    assert [m.material_id for m in case.materials] == ["m1"]
    keys = written(lambda: repo.save(replace(case, status=Status.AWAITING_PUSH), event("materials_completed")))
    assert keys == ["CP2"]
    decided = replace(repo.get("CP2"), decision={"outcome": "approved", "subsidies": []})
    assert written(lambda: repo.save(decided, event("decided"))) == ["CP2", part_key("CP2", "decision")]
    read = repo.get("CP2")
    assert (read.status, read.decision, read.applicant, read.version) == (
        Status.AWAITING_PUSH, {"outcome": "approved", "subsidies": []}, case.applicant, 4)


def test_a_case_stored_whole_reads_as_it_was_and_its_next_change_writes_it_in_parts(repo):
    whole = replace(a_case("CP3", status=Status.AWAITING_PUSH), materials=(material(1), material(2)),
                    decision={"outcome": "refused", "subsidies": []})
    repo.save(a_case("CP3"), event())  # a chain to continue; then the item is overwritten in the old layout
    stored = repo.get("CP3")
    old = to_model(replace(whole, chain_head=stored.chain_head))
    old.version = 0  # saving counts it on to 1, as the case's one event says
    old.save(add_version_condition=False)
    for part in ("person", "materials"):
        PartModel(case_id=part_key("CP3", part)).delete(add_version_condition=False)
    read = repo.get("CP3")
    assert replace(read, chain_head="") == replace(whole, version=1)
    keys = written(lambda: repo.save(replace(read, status=Status.UNDER_REVIEW), event("pushed")))
    assert keys == ["CP3", *(part_key("CP3", part) for part in ("person", "materials", "decision"))]
    assert "materials" not in CaseModel.get("CP3").body.as_dict()
    again = repo.get("CP3")
    assert replace(again, chain_head="") == replace(whole, status=Status.UNDER_REVIEW, version=2)


def test_a_receipt_writes_only_the_receipts_and_a_registration_only_the_materials(repo):
    case = repo.save(replace(a_case("CP4"), materials=(material(1), material(2))), event())
    received = replace(case.materials[0], status="received", received_at=NOW.isoformat(), object_version="v1")
    keys = written(lambda: repo.save(replace(case, materials=(received, case.materials[1])),
                                     event("material_received")))
    assert keys == ["CP4", part_key("CP4", "receipts")]  # the declarations are not written again
    assert PartModel.get(part_key("CP4", "receipts")).body.as_dict() == {
        "receipts": {"m1": {"received_at": NOW.isoformat(), "object_version": "v1"}}}  # "received": implied
    repo.register(repo.get("CP4"), material(3))
    assert [(m.material_id, m.status) for m in repo.get("CP4").materials] == [
        ("m1", "received"), ("m2", "registered"), ("m3", "registered")]
    assert all("status" not in m for m in PartModel.get(part_key("CP4", "materials")).body.as_dict()["materials"])


def test_materials_stored_whole_keep_their_receipts_when_a_registration_writes_the_materials_again(repo):
    """Materials stored before the receipts had their own part (each record whole in the materials part): the
    first registration writes them as registered and their receipts to the receipts part, in one transaction."""
    received = replace(material(1), status="received", received_at=NOW.isoformat(), object_version="v1")
    case = repo.save(replace(a_case("CP5"), materials=(received,)), event())
    PartModel(case_id=part_key("CP5", "materials"), body={"materials": [
        {"material_id": "m1", "code": "id_card", "filename": "id-1.pdf", "content_type": "application/pdf",
         "size": 101, "sha256": "0" * 64, "object_key": "cases/C/materials/m1", "registered_at": NOW.isoformat(),
         "status": "received", "received_at": NOW.isoformat(), "object_version": "v1"}]}).save(
        add_version_condition=False)  # as written before: whole, no version
    PartModel(case_id=part_key("CP5", "receipts")).delete(add_version_condition=False)
    old = repo.get("CP5")
    assert old.materials == (received,) and "receipts" not in old.part_versions
    repo.register(old, material(2))
    assert [(m.material_id, m.status, m.object_version) for m in repo.get("CP5").materials] == [
        ("m1", "received", "v1"), ("m2", "registered", None)]
    assert repo.get("CP5").version == case.version
