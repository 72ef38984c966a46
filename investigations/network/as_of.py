"""Whether a dated link held on a given day, when its dates are known only in part.

A link that began in "2016" certainly held on 31 December 2016 and certainly not on
31 December 2015; on 1 March 2016 it may or may not have: it is *uncertain* then. The same
goes for the month a link began or ended in. A link with no start date is taken to have
held on any day before its end; one with no end date, to hold still.
"""

import datetime

from investigations.models import parse_partial_date

HELD = "held"
UNCERTAIN = "uncertain"

EXPLANATION = (
    "Dates known only to the year or the month are shown as known. A link that began in "
    "2016 is certain from 31 December 2016; on an earlier day in 2016 it is shown as "
    "uncertain (a dashed line, marked “uncertain”), and before 2016 it is left out. A link "
    "that ended in June 2020 is uncertain during June 2020. A link with no start date is "
    "taken to have held before its end; one with no end date, to hold still."
)


def standing_on(start, end, day):
    """HELD, UNCERTAIN, or None when the link certainly did not hold on ``day``."""
    if day is None:
        return HELD
    if (start and start.earliest() > day) or (end and end.latest() < day):
        return None
    began = not start or start.latest() <= day
    lasting = not end or end.earliest() >= day
    return HELD if began and lasting else UNCERTAIN


def parse_as_of(text):
    """A whole day from ``?as_of=`` (2020-01-01 or 01/01/2020); None when blank.

    Raises ValueError with a message for the reader on anything else: a year or a month
    alone is not a day, and the question is "who owned whom on this day".
    """
    if not text:
        return None
    try:
        date = parse_partial_date(text)
    except ValueError:
        raise ValueError(
            "That is not a date this site can read. Use a day, as 2020-01-01."
        ) from None
    if date.day is None:
        raise ValueError(f"“{date.display}” is not a single day. Use a day, as 2020-01-01.")
    return datetime.date(date.year, date.month, date.day)
