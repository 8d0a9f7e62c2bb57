"""The story page: an article, its conversation and what this viewer may do.

This package composes the page from both apps (`articles` for the story,
`comments` for the thread); neither app imports it. It owns the versions
that every cached copy of a story page is checked against
(`storypage.versions`), and answers the story page's live notice of new
comments from them (`storypage.live`).
"""
