"""Gunicorn's garbage-collection hooks (deploy/gunicorn.conf.py): the preloaded app is frozen out of the
collector's scans before the workers fork, and each worker collects its youngest generation less often."""

from __future__ import annotations

import gc
import runpy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CONFIG = Path(__file__).resolve().parent.parent / "deploy" / "gunicorn.conf.py"


@pytest.fixture
def config() -> Iterator[dict[str, Any]]:
    threshold = gc.get_threshold()
    yield runpy.run_path(str(CONFIG))
    gc.set_threshold(*threshold)
    gc.unfreeze()


def test_the_master_freezes_the_preloaded_app_before_each_fork(config: dict[str, Any]) -> None:
    gc.unfreeze()
    config["pre_fork"](None, None)
    assert gc.get_freeze_count() > 0


def test_a_worker_collects_its_youngest_generation_less_often(config: dict[str, Any]) -> None:
    gc.set_threshold(700, 10, 10)
    config["post_fork"](None, None)
    assert gc.get_threshold() == (config["GC_THRESHOLD"], 10, 10)
    assert config["GC_THRESHOLD"] > 700


def test_the_hooks_are_the_names_gunicorn_calls(config: dict[str, Any]) -> None:
    from gunicorn.config import Config

    settings = Config().settings
    assert {"pre_fork", "post_fork", "preload_app"} <= set(settings)
    assert config["preload_app"] is True
