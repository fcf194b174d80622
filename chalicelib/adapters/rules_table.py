"""DynamoDB: each jurisdiction's rules (materials, eligibility, amounts), one item per version.

Hash key: the scope (2-digit province, 4-digit city, 6-digit county); range key
``<kind>#<effective from>`` (amount tables: ``amounts#<loaded at>``, the newest is in force). The
validated request body is kept as is, with who loaded it and when; the domain reads it back with the
same readers that checked it, so a stored rule is always one that passed validation.
"""
from __future__ import annotations

import time
from typing import Any

from pynamodb.attributes import MapAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.models import Model

from ..config import table_name
from ..domain.refusals import RuleExists
from ..domain.rules.rules import StoredRule
from .dynamo import OnDemand, error_code


class RuleModel(Model):
    class Meta(OnDemand):
        table_name = table_name("jurisdiction-rules")

    scope = UnicodeAttribute(hash_key=True)
    rule_key = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute()
    effective_from = UnicodeAttribute()
    body: MapAttribute[str, Any] = MapAttribute()
    loaded_by = UnicodeAttribute()
    loaded_at = UnicodeAttribute()


def _stored(item: RuleModel) -> StoredRule:
    return StoredRule(item.scope, item.kind, item.effective_from, item.body.as_dict(), item.loaded_by,
                      item.loaded_at)


class JurisdictionRules:
    """Stored rule versions; ``for_scopes`` serves acceptance and decisions with a short cache."""

    CACHE_SECONDS = 60.0

    def __init__(self) -> None:
        self._cache: dict[str, tuple[float, list[StoredRule]]] = {}

    def of_scope(self, scope: str) -> list[StoredRule]:
        """Every version stored for one scope (one query)."""
        return [_stored(item) for item in RuleModel.query(scope, consistent_read=True)]

    def for_scopes(self, scopes: list[str]) -> list[StoredRule]:
        found: list[StoredRule] = []
        for scope in scopes:
            hit = self._cache.get(scope)
            if hit is None or time.monotonic() - hit[0] >= self.CACHE_SECONDS:
                hit = (time.monotonic(), self.of_scope(scope))
                self._cache[scope] = hit
            found.extend(hit[1])
        return found

    def put(self, rule: StoredRule, rule_key: str, replace_if: bool) -> None:
        """Store a version. ``replace_if`` False: refuse when the key exists (RuleExists)."""
        item = RuleModel(rule.scope, rule_key, kind=rule.kind, effective_from=rule.effective_from,
                         body=rule.body, loaded_by=rule.loaded_by, loaded_at=rule.loaded_at)
        self._cache.pop(rule.scope, None)
        try:
            item.save(condition=None if replace_if else RuleModel.rule_key.does_not_exist())
        except PutError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                raise RuleExists(rule_key) from error
            raise

    def forget(self) -> None:
        self._cache.clear()


MODELS = (RuleModel,)
