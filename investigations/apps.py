from django.apps import AppConfig


class InvestigationsConfig(AppConfig):
    name = "investigations"
    verbose_name = "Investigations"

    def ready(self):
        from django.db.models.signals import post_migrate

        from investigations.roles import ensure_editorial_groups

        post_migrate.connect(ensure_editorial_groups, sender=self)
