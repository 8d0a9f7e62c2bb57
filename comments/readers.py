"""A rendered thread with one reader's controls: likes, Edit and Delete
(and Ban author, for moderators).

The thread's HTML is shared by every reader of the same kind
(`comments.rendering`); what is this reader's own is filled into its slots
here, from the reader's likes and the permission checks of
`comments.services`.
"""

from __future__ import annotations

from django.middleware.csrf import get_token
from django.utils.safestring import mark_safe

from comments import services
from comments.rendering import ThreadFragment, fill_slots, render_nodes, url_parts
from comments.visibility import is_moderator


def reader_controls(
    fragment: ThreadFragment, user, *, by_author: dict[int, tuple[int, ...]] | None = None
) -> dict[int, str]:
    """The Edit / Delete links `user` gets on the fragment's comments, by
    comment id; a moderator also gets Ban author on others' comments.

    Only moderators may act on other people's comments, so for everyone else
    just their own comments on the page are checked: found through
    `by_author` (comment ids by author) when given, else by a scan.
    """
    if not user.is_authenticated:
        return {}
    # Plain values once: request.user is a lazy object, slow to ask per comment.
    moderator, user_id = is_moderator(user), user.pk
    metas = fragment.metas
    if by_author is not None and not moderator:
        mine = [(pk, metas[pk]) for pk in by_author.get(user_id, ())]
    else:
        mine = [(pk, meta) for pk, meta in metas.items() if moderator or meta.author_id == user_id]
    if not mine:
        return {}
    edit_prefix, edit_suffix = url_parts("edit")
    delete_prefix, delete_suffix = url_parts("delete")
    ban_prefix, ban_suffix = url_parts("ban")
    extras = {}
    for pk, meta in mine:
        links = []
        if services.can_edit(comment=meta, user=user):
            links.append(f'<a class="comment__edit" href="{edit_prefix}{pk}{edit_suffix}">Edit</a>')
        if services.can_delete(comment=meta, user=user):
            links.append(
                f'<a class="comment__delete" href="{delete_prefix}{pk}{delete_suffix}">Delete</a>'
            )
        if moderator and meta.author_id is not None and meta.author_id != user_id:
            # The ban page says so if the author is staff, who cannot be banned.
            links.append(
                f'<a class="comment__ban" href="{ban_prefix}{pk}{ban_suffix}">Ban author</a>'
            )
        if links:
            extras[pk] = "\n" + "\n".join(links)
    return extras


def reader_html(
    fragment: ThreadFragment,
    *,
    request,
    liked: frozenset[int],
    csrf_token: str | None = None,
    controls: dict[int, str] | None = None,
) -> str:
    """A shared thread fragment with this reader's controls filled in.

    `controls` are what `reader_controls` returned for this reader, if known.
    """
    if csrf_token is None and fragment.slots:
        csrf_token = get_token(request)
    if controls is None:
        controls = reader_controls(fragment, request.user)
    user_id = request.user.pk
    own = [pk for pk, meta in fragment.metas.items() if user_id and meta.author_id == user_id]
    return mark_safe(
        fill_slots(fragment, csrf_token=csrf_token or "", liked=liked, extras=controls, own=own)
    )


def render_thread(*, nodes, user, can_reply: bool = True) -> ThreadFragment:
    """Render nodes to the HTML shared by readers of `user`'s kind (without
    Reply links when the story's comments are closed)."""
    return render_nodes(
        nodes,
        guest=not user.is_authenticated,
        can_reply=can_reply,
        moderator=is_moderator(user),
    )


def thread_html_for(*, request, nodes, liked: frozenset[int], can_reply: bool = True) -> str:
    """Uncached rendering with the reader's controls (permalink and subtree pages)."""
    return reader_html(
        render_thread(nodes=nodes, user=request.user, can_reply=can_reply),
        request=request,
        liked=liked,
    )
