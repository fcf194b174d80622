"""Create every table, bucket and topic from the definitions the code itself uses.

Used by the embedded default (``make run``) and the tests; deployed stages get the same
resources from CloudFormation (``infra/``).
"""
from __future__ import annotations

from .adapters.files import MaterialFiles
from .adapters.notify import create_topics
from .adapters.store import MODELS, create_tables
from .config import Config

TOPICS = ("case-results", "escalations")


def provision(config: Config) -> dict[str, object]:
    create_tables()
    MaterialFiles(config.materials_bucket).create_bucket(config.region)
    topics = create_topics([f"{config.prefix}-{name}" for name in TOPICS])
    return {
        "tables": [model.Meta.table_name for model in MODELS],
        "bucket": config.materials_bucket,
        "topics": sorted(topics.values()),
    }
