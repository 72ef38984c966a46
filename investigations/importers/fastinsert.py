"""Inserts at the speed of the database: executemany on SQLite, COPY on PostgreSQL.

Django's ``bulk_create`` compiles one placeholder and one prepared value per cell, which
costs more than the database takes to store the row. Here each model gets one statement,
values pass through only the conversions their column needs, and ids are assigned before
the insert: on SQLite past the highest id, read in the same IMMEDIATE transaction as the
insert, so no other writer can take them meanwhile; on PostgreSQL drawn from the table's
sequence. Other databases use ``bulk_create``.
"""

from itertools import islice

from django.db import connection, models
from django.utils import timezone

from investigations.models import PartialDateField

FAST_VENDORS = ("sqlite", "postgresql")


def is_fast():
    return connection.vendor in FAST_VENDORS


def insert(model, objs, batch_size=2000):
    """Insert new instances and give them their ids."""
    if connection.vendor not in FAST_VENDORS:
        model.objects.bulk_create(objs, batch_size=batch_size)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    _auto_now(objs, fields)
    for obj, pk in zip(objs, _new_ids(model._meta.db_table, len(objs)), strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, "default"
    converters = _converters(fields)
    rows = ((obj.pk, *(c(getattr(obj, a)) for a, c in converters)) for obj in objs)
    columns = [model._meta.pk.column, *(f.column for f in fields)]
    _write_rows(model._meta.db_table, columns, rows, batch_size)


def insert_values(model, attnames, rows, batch_size=2000):
    """Plain tuples of ``attnames`` values; the database gives the ids, none is read back."""
    if connection.vendor not in FAST_VENDORS:
        objs = [model(**dict(zip(attnames, row, strict=True))) for row in rows]
        model.objects.bulk_create(objs, batch_size=batch_size)
        return
    columns = [model._meta.get_field(a).column for a in attnames]
    _write_rows(model._meta.db_table, columns, rows, batch_size)


def insert_history(model, objs, *, user, reason, when, history_type, batch_id):
    """One history row per instance, carrying the batch; no model instances built."""
    history = model.history.model
    if connection.vendor not in FAST_VENDORS:
        model.history.bulk_history_create(
            objs,
            update=history_type == "~",
            default_user=user,
            default_change_reason=reason,
            default_date=when,
            custom_historical_attrs={"import_batch_id": batch_id},
        )
        return
    tracked = {f.attname for f in history.tracked_fields}
    fields = [f for f in history._meta.concrete_fields if not f.primary_key]
    fixed = {
        "history_date": connection.ops.adapt_datetimefield_value(when),
        "history_change_reason": reason,
        "history_type": history_type,
        "history_user_id": getattr(user, "pk", None),
        "import_batch_id": batch_id,
    }
    source_fields = {f.attname: f for f in model._meta.concrete_fields}
    plan = [
        (f.attname, _converter(source_fields.get(f.attname, f)))
        for f in fields
        if f.attname in tracked
    ]
    rows = ((*(c(getattr(obj, a)) for a, c in plan), *fixed.values()) for obj in objs)
    columns = [history._meta.get_field(a).column for a, _ in plan] + list(fixed)
    _write_rows(history._meta.db_table, columns, rows)


def _auto_now(objs, fields):
    now = timezone.now()
    stamped = [
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for obj in objs:
        for attname in stamped:
            setattr(obj, attname, now)


def _converters(fields):
    return [(f.attname, _converter(f)) for f in fields]


def _converter(field):
    """The cheapest function turning a Python value into what the database stores for the
    field (on PostgreSQL most adapt_* return the value itself)."""
    ops = connection.ops
    if isinstance(field, PartialDateField):
        return lambda v: str.__str__(v) if v else ""
    if isinstance(field, models.DecimalField):
        return lambda v: (
            None
            if v is None
            else ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
        )
    if isinstance(field, models.DateTimeField):
        return _datetime_converter(ops)
    if isinstance(field, models.DateField):
        return lambda v: None if v is None else ops.adapt_datefield_value(v)
    if isinstance(field, (models.JSONField, models.FileField)):
        return lambda v: field.get_db_prep_save(v, connection)
    return _same


def _datetime_converter(ops):
    """Adapts datetimes, remembering the last: rows of a batch share their timestamps."""
    last = [None, None]

    def convert(value):
        if value is None:
            return None
        if value is not last[0]:
            last[:] = value, ops.adapt_datetimefield_value(value)
        return last[1]

    return convert


def _same(value):
    return value


def _new_ids(table, count):
    if connection.vendor == "postgresql":
        return _sequence_ids(table, count)
    first = _next_id(table)
    return range(first, first + count)


def _next_id(table):
    """Past every id the table has ever used (AUTOINCREMENT never reuses one)."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT max(id) FROM "{table}"')  # noqa: S608 - our own table name
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
    return max(highest, row[0] if row else 0) + 1


def _sequence_ids(table, count):
    """Ids drawn from the table's own sequence, so concurrent inserts never collide."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [f'"{table}"', count],
        )
        return [row[0] for row in cursor.fetchall()]


def _write_rows(table, columns, rows, batch_size=2000):
    """Rows (an iterator) in batches, so that only one batch of tuples exists at a time."""
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608 - our own names
        while batch := list(islice(rows, batch_size)):
            cursor.executemany(sql, batch)
