from django.db import models


class PageVersion(models.Model):
    """The current version of one part of what story pages show.

    One row per story's conversation (`thread:<article id>`) and one for
    everything about stories, sources, tags and site settings (`stories`).
    Every write changes the token in its own transaction, so the database,
    not the cache, says which cached pages are current (see
    `storypage.versions`).
    """

    scope = models.CharField(max_length=40, primary_key=True)
    token = models.UUIDField()

    def __str__(self):
        return f"{self.scope}: {self.token}"
