"""DynamoDB on-demand request units from item sizes, by the published rules.

Sources (read 2026-11-29): the DynamoDB developer guide, "Item sizes and formats"
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html),
"Read/write capacity mode" and "Global secondary indexes: throughput considerations"
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.ThroughputConsiderations).

- An item's size: the UTF-8 length of each attribute name plus its value (strings: UTF-8 bytes;
  numbers: about one byte per two significant digits, plus one; binary: bytes; booleans and null: 1;
  lists and maps: 3 bytes plus their elements plus 1 byte per element).
- Reads: one read request unit per 4 KB of a strongly consistent read, half for an eventually
  consistent one (global secondary indexes are always eventually consistent), double for a
  transactional one. A GetItem is charged on the whole item even when it projects attributes; a
  Query on the total size of the items it *evaluates* (before any filter), rounded up to 4 KB.
- Writes: one write request unit per 1 KB of the larger of the item before and after the write,
  double in a transaction (a ConditionCheck inside a transaction is charged like a write of the item
  it checks). Each global secondary index the write touches adds the index entry's size in 1 KB
  units: one write when an entry appears, disappears or changes in place, two when its key changes.
  Index writes are counted at the standard (not transactional) rate.
- A write refused by its condition is charged as if it had written the item's current size.

The items are read back through a private client while the recorder is paused (moto in process).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import boto3

WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
UNRECORDED_KEYS = ("FilterExpression", "ProjectionExpression", "Select", "AttributesToGet", "QueryFilter",
                   "ScanFilter", "ReturnConsumedCapacity")


@dataclass(frozen=True)
class Table:
    keys: tuple[str, ...]
    indexes: tuple[tuple[str, tuple[str, ...], str, tuple[str, ...]], ...]  # name, keys, projection, included


@lru_cache(maxsize=1)
def _client() -> Any:
    return boto3.session.Session().client("dynamodb")


@lru_cache(maxsize=64)
def _table(name: str) -> Table:
    described = _client().describe_table(TableName=name)["Table"]
    keys = tuple(k["AttributeName"] for k in described["KeySchema"])
    indexes = tuple(
        (index["IndexName"], tuple(k["AttributeName"] for k in index["KeySchema"]),
         index["Projection"]["ProjectionType"], tuple(index["Projection"].get("NonKeyAttributes", ())))
        for index in described.get("GlobalSecondaryIndexes", [])
    )
    return Table(keys, indexes)


def forget_tables() -> None:
    _table.cache_clear()


def value_size(value: dict[str, Any]) -> int:
    kind, raw = next(iter(value.items()))
    if kind == "S":
        return len(raw.encode("utf-8"))
    if kind == "N":
        digits = raw.lstrip("-").replace(".", "").strip("0") or "0"
        return math.ceil(len(digits) / 2) + 1
    if kind == "B":
        return len(raw)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode("utf-8")) + value_size(v) + 1 for k, v in raw.items())
    if kind == "L":
        return 3 + sum(value_size(v) + 1 for v in raw)
    if kind == "SS":
        return sum(len(s.encode("utf-8")) for s in raw)
    if kind == "NS":
        return sum(value_size({"N": n}) for n in raw)
    return sum(len(b) for b in raw)  # BS


def item_size(item: dict[str, Any] | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in item.items())


def _get(table: str, key: dict[str, Any]) -> dict[str, Any] | None:
    item: dict[str, Any] | None = _client().get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
    return item


def _writes(operation: str, params: dict[str, Any]) -> list[tuple[str, dict[str, Any], str, dict[str, Any] | None]]:
    """(table, key, kind, new item if the request carries it) for each item the call writes."""
    def key_of(table: str, item: dict[str, Any]) -> dict[str, Any]:
        return {k: item[k] for k in _table(table).keys}

    if operation == "PutItem":
        return [(params["TableName"], key_of(params["TableName"], params["Item"]), "put", params["Item"])]
    if operation in ("UpdateItem", "DeleteItem"):
        return [(params["TableName"], params["Key"], "update" if operation == "UpdateItem" else "delete", None)]
    if operation == "BatchWriteItem":
        found = []
        for table, requests in params["RequestItems"].items():
            for request in requests:
                if "PutRequest" in request:
                    item = request["PutRequest"]["Item"]
                    found.append((table, key_of(table, item), "put", item))
                else:
                    found.append((table, request["DeleteRequest"]["Key"], "delete", None))
        return found
    found = []
    for entry in params.get("TransactItems", []):
        (kind, body), = entry.items()
        table = body["TableName"]
        if kind == "Put":
            found.append((table, key_of(table, body["Item"]), "put", body["Item"]))
        else:
            found.append((table, body["Key"], {"Update": "update", "Delete": "delete"}.get(kind, "check"), None))
    return found


def before(operation: str, params: dict[str, Any]) -> Any:
    """The items a write is about to change, as they are now."""
    if operation not in WRITES:
        return None
    return [(table, key, kind, new, _get(table, key)) for table, key, kind, new in _writes(operation, params)]


def _units(size: int, block: int) -> int:
    return max(1, math.ceil(size / block))


def _projected(item: dict[str, Any] | None, table: Table, index: tuple[str, tuple[str, ...], str, tuple[str, ...]]
               ) -> tuple[tuple[Any, ...] | None, dict[str, Any]]:
    _, keys, projection, included = index
    if item is None or any(k not in item for k in keys):
        return None, {}
    if projection == "ALL":
        entry = item
    else:
        wanted = set(keys) | set(table.keys) | (set(included) if projection == "INCLUDE" else set())
        entry = {k: v for k, v in item.items() if k in wanted}
    return tuple(repr(item[k]) for k in keys), entry


def index_writes(table_name: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> int:
    table = _table(table_name)
    units = 0
    for index in table.indexes:
        old_key, old_entry = _projected(old, table, index)
        new_key, new_entry = _projected(new, table, index)
        if old_key is None and new_key is None:
            continue
        if old_key is not None and new_key is not None and old_key != new_key:
            units += _units(item_size(old_entry), 1024) + _units(item_size(new_entry), 1024)
        elif old_key is None or new_key is None or old_entry != new_entry:
            units += _units(item_size(new_entry or old_entry), 1024)
    return units


def _write_units(operation: str, prior: Any, failed: bool) -> tuple[float, float]:
    """(write units in all, of which global secondary index writes)."""
    factor = 2 if operation == "TransactWriteItems" else 1
    units = indexed = 0
    for table, key, kind, new, old in prior or []:
        if failed or kind == "check":
            after = old
        elif kind == "put":
            after = new
        elif kind == "delete":
            after = None
        else:
            after = _get(table, key)
        units += factor * _units(max(item_size(old), item_size(after)), 1024)
        if kind != "check" and not failed:
            indexed += index_writes(table, old, after)
    return float(units + indexed), float(indexed)


def _evaluated(operation: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """The items a Query or Scan read before its filter and projection: the same call without them."""
    bare = {k: v for k, v in params.items() if k not in UNRECORDED_KEYS}
    expression = bare.get("KeyConditionExpression", "")
    if "ExpressionAttributeNames" in bare:
        bare["ExpressionAttributeNames"] = {k: v for k, v in bare["ExpressionAttributeNames"].items()
                                            if k in expression}
    if "ExpressionAttributeValues" in bare:
        bare["ExpressionAttributeValues"] = {k: v for k, v in bare["ExpressionAttributeValues"].items()
                                             if k in expression}
    for name in ("ExpressionAttributeNames", "ExpressionAttributeValues"):
        if name in bare and not bare[name]:
            del bare[name]
    items: list[dict[str, Any]] = getattr(_client(), "query" if operation == "Query" else "scan")(**bare)["Items"]
    return items


def _read_units(operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> float:
    if operation == "GetItem":
        factor = 1 if params.get("ConsistentRead") else 0.5
        return factor * _units(item_size(_get(params["TableName"], params["Key"])), 4096)
    if operation in ("BatchGetItem", "TransactGetItems"):
        total = 0.0
        entries = ([(t, k, r.get("ConsistentRead", False))
                    for t, r in params["RequestItems"].items() for k in r["Keys"]]
                   if operation == "BatchGetItem" else
                   [(e["Get"]["TableName"], e["Get"]["Key"], True) for e in params["TransactItems"]])
        for table, key, consistent in entries:
            factor = 2 if operation == "TransactGetItems" else (1 if consistent else 0.5)
            total += factor * _units(item_size(_get(table, key)), 4096)
        return total
    if operation in ("Query", "Scan"):
        factor = 1 if params.get("ConsistentRead") else 0.5
        return factor * _units(sum(item_size(i) for i in _evaluated(operation, params)), 4096)
    return 0.0


def after(operation: str, params: dict[str, Any], parsed: dict[str, Any], prior: Any
          ) -> tuple[float, float, float]:
    """(read request units, write request units, of which index writes) the call consumed."""
    failed = bool(parsed.get("Error")) if isinstance(parsed, dict) else False
    if operation in WRITES:
        return (0.0, *_write_units(operation, prior, failed))
    if failed:
        return 0.0, 0.0, 0.0
    return _read_units(operation, params, parsed), 0.0, 0.0
