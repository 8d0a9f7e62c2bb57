from django.apps import AppConfig


class StoryPageConfig(AppConfig):
    name = "storypage"
    verbose_name = "Story pages"

    def ready(self):
        # Connects the receivers that bump page versions in the writer's
        # transaction, in every process (management commands too).
        from storypage import signals  # noqa: F401
