"""What the story page needs to show its conversation.

The articles app calls this one function and includes
`comments/_section.html`; everything about the thread stays in this app.
"""


def comment_section_context(*, request, article) -> dict:
    """Template context for the comment section under `article`."""
    return {}
