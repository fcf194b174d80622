"""The jurisdictions' rule store in memory, held to the same contract as the DynamoDB one
(tests/contract/test_rule_store.py): versions per scope, kept in key order, a key refused twice unless replaced."""
from __future__ import annotations

from chalicelib.domain.refusals import RuleExists
from chalicelib.domain.rules.rules import StoredRule


class FakeRules:
    def __init__(self) -> None:
        self._by_scope: dict[str, dict[str, StoredRule]] = {}

    def of_scope(self, scope: str) -> list[StoredRule]:
        versions = self._by_scope.get(scope, {})
        return [versions[key] for key in sorted(versions)]  # the table's range key order

    def for_scopes(self, scopes: list[str]) -> list[StoredRule]:
        return [rule for scope in scopes for rule in self.of_scope(scope)]

    def put(self, rule: StoredRule, rule_key: str, replace_if: bool) -> None:
        versions = self._by_scope.setdefault(rule.scope, {})
        if rule_key in versions and not replace_if:
            raise RuleExists(rule_key)
        versions[rule_key] = rule

    def forget(self) -> None:
        """Nothing cached here (the DynamoDB store caches ``for_scopes`` a minute per container)."""
