from django.apps import AppConfig


class InvestigationsConfig(AppConfig):
    name = "investigations"
    verbose_name = "Investigations"

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate, post_save

        from investigations.caching import invalidate_public_pages
        from investigations.roles import ensure_editorial_groups

        post_migrate.connect(ensure_editorial_groups, sender=self)
        for model in self.get_models():
            post_save.connect(invalidate_public_pages, sender=model, weak=False)
            post_delete.connect(invalidate_public_pages, sender=model, weak=False)
