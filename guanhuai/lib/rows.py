"""Model instances from plain SQL rows, for the few hot paths where it pays.

Compiling an ORM query costs about 0.5–1 ms of CPU, several times what the
database spends answering a primary-key lookup; recording a visit runs
several such lookups per request. ``Columns`` names a model's fields once,
writes their SELECT list and turns a row back into an instance with the same
converters the ORM applies (SQLite hands dates back as text), so the hot path
can use one hand-written statement without losing model instances.
Fields not named stay deferred: touching one loads it like ``.only()`` would.
``shared_cursor()`` hands these statements one cursor per connection instead of a new one each.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections
from django.db.backends.utils import CursorWrapper
from django.db.models import Model


@contextmanager
def shared_cursor(using: str = "default") -> Iterator[CursorWrapper]:
    """The connection's shared cursor for hot-path plain statements; unlike ``connection.cursor()`` it
    stays open afterwards.

    A new cursor costs more CPU than a primary-key lookup's round trip (Django's wrapper, psycopg's
    adapter map), and recording a visit runs a dozen plain statements. Each caller fetches its result
    before the next statement, so they can share one. While queries are logged (DEBUG, or a test's
    ``CaptureQueriesContext``) a fresh logging cursor is used every time, so every statement is seen.
    """
    connection = connections[using]
    if connection.queries_logged:
        with connection.cursor() as fresh:
            yield fresh
        return
    shared = getattr(connection, "_guanhuai_shared_cursor", None)
    if (shared is None or connection.connection is None or getattr(shared.cursor, "closed", False)
            or getattr(shared.cursor, "connection", connection.connection) is not connection.connection):
        shared = connection._guanhuai_shared_cursor = connection.cursor()  # reconnects if needed
    yield shared


class Columns:
    """The named fields of ``model`` (all concrete fields when none are named)."""

    def __init__(self, model: type[Model], *names: str):
        self.model = model
        fields = model._meta.concrete_fields
        if names:
            by_name = {f.name: f for f in fields} | {f.attname: f for f in fields}
            fields = [by_name[n] for n in names]
        wanted = {*fields, model._meta.pk}
        # from_db() takes a partial row in the model's field order.
        self.fields = [f for f in model._meta.concrete_fields if f in wanted]
        self.attnames = [f.attname for f in self.fields]
        self._pk_index = self.fields.index(model._meta.pk)
        self._converters: dict[str, list[tuple[int, list]]] = {}

    def select(self, alias: str) -> str:
        """``alias.col1, alias.col2, …`` in the order ``build`` expects."""
        return ", ".join(f'{alias}."{f.column}"' for f in self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def _converters_for(self, connection) -> list[tuple[int, list]]:
        found = self._converters.get(connection.alias)
        if found is None:
            found = []
            for i, field in enumerate(self.fields):
                col = field.get_col(self.model._meta.db_table)
                funcs = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
                if funcs:
                    found.append((i, [(func, col) for func in funcs]))
            self._converters[connection.alias] = found
        return found

    def build(self, values, *, using: str = "default") -> Model | None:
        """An instance from ``values`` (the columns of ``select``, in order); None for a NULL primary key
        (an outer join that found nothing)."""
        if values[self._pk_index] is None:
            return None
        connection = connections[using]
        converters = self._converters_for(connection)
        if converters:
            values = list(values)
            for i, funcs in converters:
                value = values[i]
                for func, col in funcs:
                    value = func(value, col, connection)
                values[i] = value
        return self.model.from_db(using, self.attnames, values)


_INSERTS: dict[tuple[str, type[Model]], tuple[str, list]] = {}


def insert(instance: Model, *, using: str = "default") -> None:
    """INSERT a new instance with one plain statement and set its primary key.

    Values are prepared exactly as ``save()`` prepares them (``pre_save`` for auto_now and file
    fields, ``get_db_prep_save`` for each backend); no signals are sent, so use it only for models
    whose saving has no side effects (the visit written on every recorded visit).
    """
    connection = connections[using]
    model = type(instance)
    found = _INSERTS.get((connection.vendor, model))
    if found is None:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key or not f.db_returning]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        sql = (f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) "
               f"VALUES ({', '.join(['%s'] * len(fields))})")
        if connection.features.can_return_columns_from_insert:
            sql += f" RETURNING {connection.ops.quote_name(model._meta.pk.column)}"
        found = _INSERTS[(connection.vendor, model)] = (sql, fields)
    sql, fields = found
    params = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    with shared_cursor(using) as cur:
        cur.execute(sql, params)
        pk = cur.fetchone()[0] if connection.features.can_return_columns_from_insert else cur.lastrowid
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = using
