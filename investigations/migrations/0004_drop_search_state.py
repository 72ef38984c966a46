"""The search index is now kept in step record by record, so the version it was last
rebuilt at (investigations_search_state) is no longer kept."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("investigations", "0003_source_supported_claims_company_status")]

    operations = [
        migrations.RunSQL(
            "DROP TABLE investigations_search_state",
            "CREATE TABLE investigations_search_state (id integer PRIMARY KEY, version varchar(40))",
        )
    ]
