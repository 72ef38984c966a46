"""Inserts at the speed of the database on SQLite.

Django's ``bulk_create`` compiles one placeholder and one prepared value per cell, which
costs more than SQLite takes to store the row. Here each model gets one INSERT statement and
``executemany``, values pass through only the conversions their column needs, and ids are
assigned by us: the import holds SQLite's write lock (IMMEDIATE transactions) for the whole
write phase, so no other writer can take them. Other databases use ``bulk_create``, which
on PostgreSQL returns ids cheaply.
"""

from django.db import connection, models
from django.utils import timezone

from investigations.models import PartialDateField


def insert(model, objs, batch_size=2000):
    """Insert new instances and give them their ids."""
    if connection.vendor != "sqlite":
        model.objects.bulk_create(objs, batch_size=batch_size)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    _auto_now(objs, fields)
    first = _next_id(model._meta.db_table)
    for offset, obj in enumerate(objs):
        obj.pk = first + offset
        obj._state.adding, obj._state.db = False, "default"
    converters = _converters(fields)
    rows = [(obj.pk, *(c(getattr(obj, a)) for a, c in converters)) for obj in objs]
    _executemany(model._meta.db_table, [model._meta.pk.column, *(f.column for f in fields)], rows)


def insert_history(model, objs, *, user, reason, when, history_type, batch_id):
    """One history row per instance, carrying the batch; no model instances built."""
    history = model.history.model
    if connection.vendor != "sqlite":
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
    rows = [(*(c(getattr(obj, a)) for a, c in plan), *fixed.values()) for obj in objs]
    columns = [history._meta.get_field(a).column for a, _ in plan] + list(fixed)
    _executemany(history._meta.db_table, columns, rows)


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
    """The cheapest function turning a Python value into what SQLite stores for the field."""
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
        return lambda v: None if v is None else ops.adapt_datetimefield_value(v)
    if isinstance(field, models.DateField):
        return lambda v: None if v is None else ops.adapt_datefield_value(v)
    if isinstance(field, (models.JSONField, models.FileField)):
        return lambda v: field.get_db_prep_save(v, connection)
    return _same


def _same(value):
    return value


def _next_id(table):
    """Past every id the table has ever used (AUTOINCREMENT never reuses one)."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT max(id) FROM "{table}"')  # noqa: S608 - our own table name
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
    return max(highest, row[0] if row else 0) + 1


def _executemany(table, columns, rows):
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
