"""deploy/gunicorn.conf.py: what the master does before it forks the workers."""

import runpy
from pathlib import Path

from django.db import connections

from core.api.query import declared_query_parameters

CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


def test_the_master_builds_the_api_schema_once_before_forking_and_keeps_no_database_connection(db, monkeypatch):
    declared_query_parameters.cache_clear()
    conf = runpy.run_path(str(CONF))
    closed = []
    built = declared_query_parameters.cache_info
    monkeypatch.setattr(connections, "close_all", lambda: closed.append(built().currsize))

    conf["when_ready"](server=None)

    assert declared_query_parameters.cache_info().currsize == 1  # workers forked now inherit it
    assert closed == [1]  # then no database socket is left for the workers to share


def test_more_than_one_worker_needs_the_shared_cache(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    monkeypatch.delenv("REDIS_URL", raising=False)
    conf = runpy.run_path(str(CONF))
    try:
        conf["on_starting"](server=None)
    except SystemExit as refusal:
        assert "REDIS_URL" in str(refusal)
    else:
        raise AssertionError("three workers started without REDIS_URL")
