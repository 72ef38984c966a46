"""Child rows and citations planned as plain values, not model instances.

A model instance costs about 700 bytes; a row of a contracts sheet plans two parties and a
citation, so at 100,000 rows instances alone would hold some 200 MB until the write. A
``NewRow`` keeps only the values the import sets, and becomes an instance when it is
written, a chunk at a time.
"""

from django.db import models

from .keys import Pending


class NewRow:
    """A row to insert: the model, {attname: value} and the spreadsheet row it came from.

    A value may be a record planned in this batch (an instance or ``Pending``); it becomes
    that record's id when the row is written, after the record itself.
    """

    __slots__ = ("model", "names", "values", "number", "pk")

    def __init__(self, model, values, number):
        # Names shared by every row of the same shape, values in a tuple: a dict per row
        # would cost twice as much.
        names = tuple(values)
        self.model, self.names = model, _NAMES.setdefault(names, names)
        self.values, self.number = tuple(values.values()), number
        self.pk = None  # known once written, for the citations that name this row

    def get(self, attname):
        """The value as it stands now: None for a record not written yet."""
        value = self.planned(attname)
        return None if isinstance(value, (Pending, models.Model, NewRow)) else value

    def planned(self, attname):
        """The value as planned: a record planned in this batch stands for its id."""
        return self.values[self.names.index(attname)] if attname in self.names else None

    def stand_in(self):
        """An unsaved instance with the planned values, to read the row's claims from."""
        obj = self.model()
        for name, value in zip(self.names, self.values, strict=True):
            value = value.instance if isinstance(value, Pending) else value
            if isinstance(value, models.Model):
                field = next(f for f in self.model._meta.concrete_fields if f.attname == name)
                setattr(obj, field.name, value)
            else:
                setattr(obj, name, value)
        return obj

    def instance(self):
        return self.model(**self.resolved())

    def resolved(self):
        values = dict(zip(self.names, self.values, strict=True))
        for name, value in values.items():
            if isinstance(value, PLANNED):  # most values are plain: no call for them
                values[name] = _resolved(value)
        return values


_NAMES = {}
PLANNED = (Pending, models.Model, NewRow)  # values that stand for a planned record's id


def _resolved(value):
    if isinstance(value, Pending):
        value = value.instance
    return value.pk if isinstance(value, models.Model | NewRow) else value
