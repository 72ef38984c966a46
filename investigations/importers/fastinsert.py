"""Inserts at the speed of the database: executemany on SQLite, COPY on PostgreSQL.

Django's ``bulk_create`` compiles one placeholder and one prepared value per cell, which
costs more than the database takes to store the row. Here each model gets one statement,
values pass through only the conversions their column needs, and ids are assigned before
the insert: on SQLite past the highest id, read in the same IMMEDIATE transaction as the
insert, so no other writer can take them meanwhile; on PostgreSQL drawn from the table's
sequence. A record's history row is its row as written, with the stamp added: each value
is read and converted once. Other databases use ``bulk_create``.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from itertools import islice
from operator import attrgetter

from django.db import connection, models
from django.utils import timezone

from investigations.models import PartialDateField

from .rows import NewRow

FAST_VENDORS = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Stamp:
    """What a history row says of its change: who, why, when, what ("+" or "~"), which
    import batch."""

    user: object
    reason: str
    when: datetime
    history_type: str
    batch_id: int


def is_fast():
    return connection.vendor in FAST_VENDORS


def insert(model, objs, stamp, batch_size=2000):
    """Insert new instances, or planned rows (``rows.NewRow``), all of one kind, with their
    history rows; each gets its id."""
    if not is_fast():
        _bulk_create(model, objs, stamp, batch_size)
        return
    ids = _new_ids(model._meta.db_table, len(objs))
    if isinstance(objs[0], NewRow):
        columns, rows = _planned_rows(model, objs, ids)
    else:
        _give_ids(model, objs, ids)
        columns, rows = _instance_rows(model, objs)
    _write_rows(model._meta.db_table, columns, rows, batch_size)
    _write_history(model, columns, rows, stamp)


def insert_history(model, objs, stamp):
    """One history row per instance (of records updated), carrying the batch."""
    if not is_fast():
        _bulk_history(model, objs, stamp)
        return
    _write_history(model, *_instance_rows(model, objs), stamp)


def insert_values(model, attnames, rows, batch_size=2000):
    """Plain tuples of ``attnames`` values; the database gives the ids, none is read back."""
    if not is_fast():
        objs = [model(**dict(zip(attnames, row, strict=True))) for row in rows]
        model.objects.bulk_create(objs, batch_size=batch_size)
        return
    columns = [model._meta.get_field(a).column for a in attnames]
    _write_rows(model._meta.db_table, columns, rows, batch_size)


def _bulk_create(model, objs, stamp, batch_size):
    instances = [obj.instance() if isinstance(obj, NewRow) else obj for obj in objs]
    model.objects.bulk_create(instances, batch_size=batch_size)
    for obj, instance in zip(objs, instances, strict=True):
        obj.pk = instance.pk
    _bulk_history(model, instances, stamp)


def _bulk_history(model, objs, stamp):
    model.history.bulk_history_create(
        objs,
        update=stamp.history_type == "~",
        default_user=stamp.user,
        default_change_reason=stamp.reason,
        default_date=stamp.when,
        custom_historical_attrs={"import_batch_id": stamp.batch_id},
    )


def _give_ids(model, objs, ids):
    """Ids, and the timestamps ``save()`` would have set."""
    now = timezone.now()
    stamped = [f.attname for f in _fields(model) if _is_auto_now(f)]
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, "default"
        for attname in stamped:
            setattr(obj, attname, now)


def _instance_rows(model, objs):
    """(columns, rows): each instance's values as the database stores them, id first."""
    fields = _fields(model)
    read = attrgetter(model._meta.pk.attname, *(f.attname for f in fields))
    converters = [(i, _converter(f)) for i, f in enumerate(fields, start=1)]
    converting = [(i, c) for i, c in converters if c is not _same]
    rows = []
    for obj in objs:
        row = list(read(obj))
        for i, convert in converting:
            row[i] = convert(row[i])
        rows.append(tuple(row))
    return _columns(model), rows


def _planned_rows(model, planned, ids):
    """(columns, rows) of planned rows, each given its id: the row's values where it has
    them, the field's default (or the time, for auto_now) where not. No instance is built."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    template = [None, *(now if _is_auto_now(f) else _fixed_default(f) for f in _fields(model))]
    layouts = {}  # rows planned alike share their names
    rows = []
    for row, pk in zip(planned, ids, strict=True):
        if row.names not in layouts:
            layouts[row.names] = _layout(model, row.names)
        places, converting, computed = layouts[row.names]
        values = template.copy()
        values[0] = row.pk = pk
        given = row.resolved()
        for name, place in places:
            values[place] = given[name]
        for place, convert in converting:
            values[place] = convert(values[place])
        for place, field, convert in computed:
            values[place] = convert(field.get_default())
        rows.append(tuple(values))
    return _columns(model), rows


def _layout(model, names):
    """Where the values of rows planned with ``names`` go among the model's columns (an
    auto_now field's goes nowhere: the time of the insert is written), which of them need
    converting, and which fields not given have a default computed row by row."""
    fields = _fields(model)
    position = {f.attname: i for i, f in enumerate(fields, start=1) if not _is_auto_now(f)}
    places = [(name, position[name]) for name in names if name in position]
    converters = [(place, _converter(fields[place - 1])) for _, place in places]
    computed = [
        (i, f, _converter(f))
        for i, f in enumerate(fields, start=1)
        if f.attname not in names and _computed_default(f) and not _is_auto_now(f)
    ]
    return places, [(p, c) for p, c in converters if c is not _same], computed


def _write_history(model, columns, rows, stamp):
    history = model.history.model
    tracked = {history._meta.get_field(f.attname).column for f in history.tracked_fields}
    kept = [i for i, column in enumerate(columns) if column in tracked]
    fixed = {
        "history_date": connection.ops.adapt_datetimefield_value(stamp.when),
        "history_change_reason": stamp.reason,
        "history_type": stamp.history_type,
        "history_user_id": getattr(stamp.user, "pk", None),
        "import_batch_id": stamp.batch_id,
    }
    stamped = tuple(fixed.values())
    if len(kept) == len(columns):
        history_rows = (row + stamped for row in rows)
    else:
        history_rows = (tuple(row[i] for i in kept) + stamped for row in rows)
    history_columns = [columns[i] for i in kept] + list(fixed)
    _write_rows(history._meta.db_table, history_columns, history_rows)


@cache
def _fields(model):
    return tuple(f for f in model._meta.concrete_fields if not f.primary_key)


@cache
def _columns(model):
    return (model._meta.pk.column, *(f.column for f in _fields(model)))


def _is_auto_now(field):
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def _computed_default(field):
    return field.has_default() and callable(field.default)


def _fixed_default(field):
    """The stored default of a field, if it is the same for every row (else None, and the
    row's own is computed in its turn)."""
    return None if _computed_default(field) else _converter(field)(field.get_default())


def _converter(field):
    """The cheapest function turning a Python value into what the database stores for the
    field (on PostgreSQL most adapt_* return the value itself)."""
    ops = connection.ops
    if isinstance(field, PartialDateField):
        return _partial_date
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


def _partial_date(value):
    return str.__str__(value) if value else ""


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
    """Rows (any iterable) in batches, so that only one batch of tuples exists at a time."""
    names = ", ".join(f'"{c}"' for c in columns)
    rows = iter(rows)
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
