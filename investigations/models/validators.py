"""Rules a stored value must follow whichever way it arrives: admin form, import or code."""

from django.core.validators import RegexValidator, URLValidator

# Only web addresses: javascript:, data: or file: in a link would run or leak in a reader's
# browser, and ftp: is no longer opened by browsers at all.
web_address = URLValidator(
    schemes=("http", "https"), message="Enter a web address starting with http:// or https://."
)
country_code = RegexValidator(
    r"^[A-Z]{2}$", "Use a two-letter ISO 3166 country code in capitals, such as GB or ZA."
)
