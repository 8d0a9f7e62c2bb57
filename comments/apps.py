from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Comments"

    def ready(self):
        # Connects the receiver that bumps a story's thread version on every
        # write, in every process (management commands too), not only once
        # URLs happen to be loaded.
        from comments import cache  # noqa: F401
