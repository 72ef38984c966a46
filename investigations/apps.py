from django.apps import AppConfig


class InvestigationsConfig(AppConfig):
    name = "investigations"
    verbose_name = "Investigations"

    def ready(self):
        from django.db.models.signals import (
            m2m_changed,
            post_delete,
            post_init,
            post_migrate,
            post_save,
        )
        from simple_history.signals import pre_create_historical_record

        from investigations import caching, planner_statistics, revisions, search
        from investigations.importers.mapping import ensure_shipped_mappings
        from investigations.roles import ensure_editorial_groups

        post_migrate.connect(ensure_editorial_groups, sender=self)
        post_migrate.connect(ensure_shipped_mappings, sender=self)
        post_migrate.connect(planner_statistics.refresh_after_migrate, sender=self)
        for model in self.curated_models():
            post_init.connect(caching.instance_loaded, sender=model, weak=False)
            post_save.connect(caching.record_saved, sender=model, weak=False)
            post_delete.connect(caching.record_deleted, sender=model, weak=False)
            for signal in (post_save, post_delete):
                signal.connect(search.record_changed, sender=model, weak=False)
                signal.connect(revisions.note_touched, sender=model, weak=False)
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(revisions.note_touched, sender=field.remote_field.through)
                m2m_changed.connect(caching.links_changed, sender=field.remote_field.through)
        pre_create_historical_record.connect(
            revisions.history_batch, sender=self.get_model("HistoricalRevision"), weak=False
        )
        batch = self.get_model("ImportBatch")
        post_save.connect(caching.batch_changed, sender=batch, weak=False)
        post_save.connect(search.batch_changed, sender=batch, weak=False)

    def curated_models(self):
        """What researchers curate: not history rows, nor the records of import runs."""
        from simple_history.models import HistoricalChanges

        bookkeeping = {
            self.get_model(name)
            for name in (
                "ImportBatch",
                "ImportBatchItem",
                "ImportMapping",
                "PageCacheTag",
                "Revision",
            )
        }
        return [
            model
            for model in self.get_models()
            if model not in bookkeeping and not issubclass(model, HistoricalChanges)
        ]
