"""After approval: the committees' monthly 查询登记, the yearly review, data comparisons, and the per-unit jobs.

Implements: 黑民发〔2021〕6号 四(三) and 民发〔2022〕79号 (DOMAIN.md §3) — see each module."""
