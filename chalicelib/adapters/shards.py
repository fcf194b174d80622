"""How the entitlements' unit index is sharded: one number the store and the services that walk it share.

No AWS library here: services read it without importing the store."""

UNIT_SHARDS = 16  # the by-unit index's hash keys per 业务属地 (entitlements_table.unit_shard)
