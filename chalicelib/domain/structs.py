"""The domain's value types are ``msgspec.Struct`` classes (frozen where they are values), not stdlib dataclasses.

Why: Python 3.11 builds each dataclass by compiling five or six generated methods from source (``exec``), about 0.5 ms
a class; the ~90 classes ``import app`` loads took ~50 ms of each cold start, a quarter of it. A Struct's methods are
written in C once for all classes: the same classes cost ~2 ms (docs/decisions.md, 2026-12-06). They behave as the
dataclasses did here: keyword or positional construction in field order, ``frozen=True`` refuses assignment, equality
field by field within one type, a frozen value hashes by its fields, ``msgspec.structs.replace`` for a changed copy.

What a Struct lacks is a per-field ``compare=False``: a class whose fields include annotations or the store's
bookkeeping that take no part in what the value is defines ``__eq__`` and ``__hash__`` with :func:`compared`.

Implements: no statute — an engineering rule.
"""
from __future__ import annotations

from typing import Any


def compared(value: Any, skipped: frozenset[str]) -> tuple[Any, ...]:
    """The fields of the Struct ``value`` that make it what it is, in order: every field but ``skipped``."""
    return tuple(getattr(value, name) for name in value.__struct_fields__ if name not in skipped)
