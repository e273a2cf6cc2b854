"""Multi-row INSERT for imports of tens of thousands of rows.

``QuerySet.bulk_create`` sends every single value through Django's SQL
compiler (about 10 µs a value on this machine); importing 10,000 families
with their members, history rows and audit events writes about two million
values, which made the compiler the slowest part of the import. These helpers
write the same values — every field's ``pre_save()`` (``auto_now``) and
``get_db_prep_save()`` (encryption, JSON, dates) are honoured; columns whose
values go to the driver unchanged skip the conversion — in multi-row INSERT
statements, returning primary keys on PostgreSQL and SQLite ≥ 3.35.

No signals are sent, exactly as with ``bulk_create``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections, models, router
from django.db.models.fields import Field
from django.utils import timezone

# Columns whose Python value the database driver takes as it is (exact classes only:
# a subclass may convert, like the encrypted text field).
_PLAIN = {models.CharField, models.TextField, models.BooleanField, models.IntegerField, models.SmallIntegerField,
          models.BigIntegerField, models.PositiveIntegerField, models.PositiveSmallIntegerField,
          models.PositiveBigIntegerField, models.AutoField, models.BigAutoField, models.SmallAutoField}
MAX_PARAMS = 30_000


def _max_params(connection) -> int:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return min(MAX_PARAMS, connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    return MAX_PARAMS


def _is_plain(field: Field) -> bool:
    if isinstance(field, models.ForeignKey):
        return _is_plain(field.target_field)
    return type(field) in _PLAIN


def _reader(field: Field, connection, now) -> Callable[[models.Model], Any]:
    """A function giving the database value of ``field`` for one instance."""
    attname = field.attname
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        # One timestamp for the whole insert, converted once (pre_save would call now() per row).
        value = field.get_db_prep_save(now, connection)

        def stamp(obj):
            setattr(obj, attname, now)
            return value
        return stamp
    if type(field).pre_save is not Field.pre_save and not isinstance(field, models.DateField):
        def raw(obj, field=field):
            return field.pre_save(obj, add=True)
    else:
        def raw(obj, attname=attname):
            return getattr(obj, attname)
    if _is_plain(field):
        return raw
    if type(field) is models.DateField:
        adapt = connection.ops.adapt_datefield_value
        return lambda obj: adapt(raw(obj))
    return lambda obj: field.get_db_prep_save(raw(obj), connection)


def _copy(model: type[models.Model], columns: Sequence[str], rows: list[list[Any]], *, returning: bool,
          using: str) -> list[Any]:
    """PostgreSQL: COPY, with primary keys drawn from the table's sequence first.

    (A multi-row INSERT spends most of its time in psycopg splitting a
    statement with tens of thousands of placeholders.)"""
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = model._meta
    ids: list[Any] = []
    with connection.cursor() as cursor:
        if returning:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [meta.db_table, meta.pk.column, len(rows)])
            ids = [r[0] for r in cursor.fetchall()]
            columns = [meta.pk.column, *columns]
            rows = [[pk, *row] for pk, row in zip(ids, rows, strict=True)]
        statement = f"COPY {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        with cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    return ids


def _execute(model: type[models.Model], columns: Sequence[str], rows: list[list[Any]], *, returning: bool,
             using: str) -> list[Any]:
    connection = connections[using]
    if connection.vendor == "postgresql":
        return _copy(model, columns, rows, returning=returning, using=using)
    quote = connection.ops.quote_name
    meta = model._meta
    per_row = max(1, _max_params(connection) // max(1, len(columns)))
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) VALUES "
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    tail = f" RETURNING {quote(meta.pk.column)}" if returning else ""
    ids: list[Any] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_row):
            batch = rows[start:start + per_row]
            params = [value for row in batch for value in row]
            cursor.execute(head + ", ".join([row_sql] * len(batch)) + tail, params)
            if returning:
                ids.extend(r[0] for r in cursor.fetchall())
    return ids


def insert_instances(objs: Sequence[models.Model], *, history_user=None, with_history: bool = False) -> list:
    """Insert unsaved instances of one model and set their primary keys.

    With ``with_history`` also write the django-simple-history rows that
    ``bulk_create_with_history`` would (history type "+", one timestamp),
    reusing the already converted (and encrypted) column values.
    """
    if not objs:
        return list(objs)
    model = type(objs[0])
    using = router.db_for_write(model)
    connection = connections[using]
    if not connection.features.can_return_rows_from_bulk_insert:
        if with_history:
            from simple_history.utils import bulk_create_with_history

            return bulk_create_with_history(list(objs), model, default_user=history_user)
        return model._default_manager.bulk_create(objs)
    meta = model._meta
    now = timezone.now()
    pk = meta.pk
    auto_pk = isinstance(pk, models.AutoField | models.BigAutoField | models.SmallAutoField)
    fields = [f for f in meta.concrete_fields if not (auto_pk and f.primary_key)]
    readers = [_reader(f, connection, now) for f in fields]
    rows = [[read(obj) for read in readers] for obj in objs]
    ids = _execute(model, [f.column for f in fields], rows, returning=auto_pk, using=using)
    for index, obj in enumerate(objs):
        if auto_pk:
            obj.pk = ids[index]
        obj._state.adding = False
        obj._state.db = using
    if with_history:
        _insert_history(model, fields, rows, [obj.pk for obj in objs], user=history_user, now=now)
    return list(objs)


def _insert_history(model, fields: list[Field], rows: list[list[Any]], pks: list[Any], *, user, now) -> None:
    history_model = model.history.model
    using = router.db_for_write(history_model)
    connection = connections[using]
    position = {f.attname: i for i, f in enumerate(fields)}
    tracked = {f.attname for f in history_model.tracked_fields}
    constants = {"history_date": now, "history_change_reason": None, "history_type": "+",
                 "history_user_id": getattr(user, "pk", None)}
    columns: list[str] = []
    picks: list[tuple[str, Any]] = []  # ("row", index) | ("pk", None) | ("const", db value)
    for field in history_model._meta.concrete_fields:
        if field.primary_key:
            continue  # history_id
        if field.attname in tracked and field.attname in position:
            picks.append(("row", position[field.attname]))
        elif field.attname in tracked and field.attname == model._meta.pk.attname:
            picks.append(("pk", None))
        elif field.attname in constants:
            picks.append(("const", field.get_db_prep_save(constants[field.attname], connection)))
        else:
            continue
        columns.append(field.column)
    history_rows = [
        [row[arg] if kind == "row" else pk if kind == "pk" else arg for kind, arg in picks]
        for row, pk in zip(rows, pks, strict=True)
    ]
    _execute(history_model, columns, history_rows, returning=False, using=using)
