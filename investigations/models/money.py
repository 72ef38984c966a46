"""Money is a Decimal and a currency code; never a float."""

from decimal import Decimal

from django.core.validators import RegexValidator
from django.db import models

CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}
currency_code = RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 code such as GBP.")


def MoneyField(verbose_name, **kwargs):  # noqa: N802 - reads as a field class
    kwargs.setdefault("null", True)
    kwargs.setdefault("blank", True)
    field = models.DecimalField(verbose_name, max_digits=18, decimal_places=2, **kwargs)
    field.is_money = True  # shown with its record's currency, as "£1.25m"
    return field


def CurrencyField(**kwargs):  # noqa: N802 - reads as a field class
    return models.CharField(
        "currency", max_length=3, default="GBP", validators=[currency_code], **kwargs
    )


def format_money(amount, currency="GBP"):
    """Short form as researchers write it: £350m, €18m, £10bn, £471,000."""
    if amount is None:
        return ""
    amount = Decimal(amount)
    symbol = CURRENCY_SYMBOLS.get(currency)
    sign = "-" if amount < 0 else ""
    magnitude = abs(amount)
    for size, suffix in ((Decimal(10) ** 9, "bn"), (Decimal(10) ** 6, "m")):
        if magnitude >= size:
            number = f"{(magnitude / size).quantize(Decimal('0.01')).normalize():f}"
            return (
                f"{sign}{symbol}{number}{suffix}"
                if symbol
                else f"{sign}{number}{suffix} {currency}"
            )
    number = f"{magnitude:,.0f}" if magnitude == magnitude.to_integral() else f"{magnitude:,.2f}"
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {currency}"
