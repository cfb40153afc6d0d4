"""A version per database table, bumped by every write to it: what cached page fragments (core.fragments) are keyed by.

Every INSERT, UPDATE and DELETE that goes through Django's connection (the ORM, bulk writes, `QuerySet.update`, raw SQL
through a Django cursor) bumps its table's version, and its app's (`app_version`: what a fragment showing a whole app
reads, one version instead of one per table), in the cache: at once, so the writing transaction's own later reads
are not served from the cache, and again after the transaction commits, so nobody keeps a fragment rendered from what
was visible before the write (the pattern of core.pagination.counts_changed and core.user_facts). No model or writer
has to remember to invalidate anything.

A write made outside Django (psql, a restored backup) bumps nothing: `core.fragments.FRAGMENT_TTL_SECONDS` bounds what
it could leave behind. A cache failure never fails the write (it is logged, core.outage); core.cache deletes the
version key once the cache answers again, so a fresh version then abandons every fragment stored under the old one.
"""

import re
import time
from collections.abc import Iterable
from functools import cache as memoise

from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.db.backends.signals import connection_created

from .outage import log_outage

_WRITE = re.compile(
    r"""^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+["`]?([A-Za-z0-9_]+)["`]?""",
    re.IGNORECASE,
)
_WRITE_STARTS = ("INSERT", "UPDATE", "DELETE", "REPLAC")
# Written on every sign-in or by Django itself; no page shows them.
IGNORED_TABLES = frozenset({"django_session", "django_migrations"})


def _key(table: str) -> str:
    return f"data-version:{table}"


def _bump(tables: Iterable[str]) -> None:
    for table in tables:
        key = _key(table)
        try:
            try:
                cache.incr(key)
            except ValueError:  # not set yet, or evicted: a fresh version no fragment was stored under
                cache.set(key, time.time_ns(), None)
        except Exception as error:  # noqa: BLE001 - a cache failure never fails a write, nor the hooks after it
            log_outage("cache:data-versions", "cached fragments could not be invalidated", error=error)


class _Transaction:
    """The tables an open transaction has written, kept as its one after-commit hook: on commit it bumps them again;
    when the transaction ends either way Django drops it (so it also answers "what has this transaction written")."""

    __qualname__ = "data_versions.after_commit"  # Django names a failing hook by it

    def __init__(self):
        self.tables: set[str] = set()

    def __call__(self) -> None:
        _bump(sorted(self.tables))


def _open_transaction(db_connection, create: bool) -> _Transaction | None:
    for _, hook, *_ in db_connection.run_on_commit:
        if isinstance(hook, _Transaction):
            return hook
    if not create:
        return None
    hook = _Transaction()
    transaction.on_commit(hook, using=db_connection.alias, robust=True)
    return hook


def changed(table: str) -> str:
    """The name of the version bumped only when rows of `table` are changed or removed (UPDATE, DELETE), not when rows
    are added: for what is kept about rows that are only ever added (the toolkit's past downloads)."""
    return f"{table}:changed"


def app_version(label: str) -> str:
    """The name of the version bumped by every write to any table of the app `label`: what a fragment that shows a
    whole app reads (one version, not one per table)."""
    return f"app:{label}"


@memoise
def _apps_of_tables() -> dict[str, str]:
    return {model._meta.db_table: model._meta.app_label for model in apps.get_models(include_auto_created=True)}


def written(db_connection, tables: Iterable[str], *, rows_changed: bool = True) -> None:
    """These tables were written (called for every write statement; call it yourself for a write Django does not
    run). `rows_changed`: existing rows were updated or deleted (False for an INSERT). Their apps' versions too."""
    tables = [table for table in tables if table not in IGNORED_TABLES]
    if not tables:
        return
    owners = _apps_of_tables()
    names = [*tables, *sorted({app_version(owners[table]) for table in tables if table in owners})]
    if rows_changed:
        names += [changed(table) for table in tables]
    tables = names
    _bump(tables)
    if db_connection.in_atomic_block:
        _open_transaction(db_connection, create=True).tables.update(tables)


def tables_written_in_transaction() -> set[str]:
    """The tables this thread's open transaction has written (empty outside one): a fragment that shows any of them is
    not stored, so what a rolled-back write showed never reaches the cache."""
    if not connection.in_atomic_block:
        return set()
    hook = _open_transaction(connection, create=False)
    return set(hook.tables) if hook else set()


def _on_write(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    start = sql.lstrip()[:6].upper() if isinstance(sql, str) else ""
    if start in _WRITE_STARTS:
        match = _WRITE.match(sql)
        if match:
            written(context["connection"], [match.group(1)], rows_changed=start in ("UPDATE", "DELETE", "REPLAC"))
    return result


def install(sender=None, connection=None, **kwargs) -> None:
    """Watch a connection's writes (connected to `connection_created`; a reconnection keeps the one watcher)."""
    if _on_write not in connection.execute_wrappers:
        connection.execute_wrappers.append(_on_write)


def connect() -> None:
    """From CoreConfig.ready: every database connection, present and future, bumps the versions of what it writes."""
    from django.db import connections

    connection_created.connect(install, dispatch_uid="core.data_versions.install")
    for alias in connections:
        if connections[alias].connection is not None:
            install(connection=connections[alias])


@memoise
def tables_for(labels: tuple[str, ...]) -> tuple[str, ...]:
    """The tables behind "app_label" (all its models) or "app_label.Model" (with its many-to-many tables)."""
    tables: set[str] = set()
    for label in labels:
        models = apps.get_app_config(label).get_models(include_auto_created=True) if "." not in label else []
        if "." in label:
            model = apps.get_model(label)
            models = [model, *(field.remote_field.through for field in model._meta.local_many_to_many)]
        tables.update(model._meta.db_table for model in models)
    return tuple(sorted(tables))


@memoise
def versions_for(labels: tuple[str, ...]) -> tuple[str, ...]:
    """The versions that change with what `labels` names: an app label ("wands") is its app's one version (bumped
    with any of its tables), a model ("schools.School") its tables' (`tables_for`)."""
    models = tuple(label for label in labels if "." in label)
    app_labels = [apps.get_app_config(label).label for label in labels if "." not in label]  # a typo raises
    return tuple(sorted({*(app_version(label) for label in app_labels), *tables_for(models)}))


def versions(tables: Iterable[str]) -> tuple:
    """The current version of each table (or `changed(table)`), in one cache call (one never written yet gets a fresh
    one)."""
    return read(tables)[0]


def read(tables: Iterable[str], keys: Iterable[str] = ()) -> tuple[tuple, dict]:
    """The current version of each table and the cached values of `keys`, in one cache call: what is tagged with the
    versions (a fragment) is read with them. Returns (versions, {key: value} of the `keys` found)."""
    version_keys = [_key(table) for table in tables]
    keys = list(keys)
    found = cache.get_many([*version_keys, *keys])
    result = []
    for key in version_keys:
        version = found.get(key)
        if version is None:
            version = time.time_ns()
            if not cache.add(key, version, None):
                version = cache.get(key, version)
        result.append(version)
    return tuple(result), {key: found[key] for key in keys if key in found}
