"""The reader's state on a story page as a PL/pgSQL function.

Every signed-in story page asks for it (storypage.section.reader_and_state).
As a plain statement, PostgreSQL planned its five subqueries on every
request, which cost more than running them; the statements of a PL/pgSQL
function are planned once per connection and kept. Works through PgBouncer
in transaction mode, unlike prepared statements. STABLE: its statements see
the snapshot of the statement that calls it, so the user row, likes,
versions and session are read at one instant.

`held_statuses` comes from comments.visibility.HELD_STATUSES: with "not
deleted" below, the rule for a comment only its author and moderators may
read (tests/storypage/test_reader_state.py holds the two together).
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION storypage_reader_state(
    reader_id bigint,
    story_id bigint,
    held_statuses text[],
    stories_scope text,
    thread_scope text,
    session text,
    now_at timestamptz
)
RETURNS TABLE (
    liked bigint[],
    has_pending boolean,
    stories_token text,
    thread_token text,
    session_digest text
)
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN QUERY SELECT
        ARRAY(
            SELECT l.comment_id FROM comments_like l
            WHERE l.user_id = reader_id AND l.article_id = story_id
        ),
        EXISTS(
            SELECT 1 FROM comments_comment c
            WHERE c.article_id = story_id AND c.author_id = reader_id
              AND c.status = ANY(held_statuses) AND c.deleted_at IS NULL
        ),
        (SELECT v.token::text FROM storypage_pageversion v WHERE v.scope = stories_scope),
        (SELECT v.token::text FROM storypage_pageversion v WHERE v.scope = thread_scope),
        (
            SELECT md5(s.session_data) FROM django_session s
            WHERE s.session_key = session AND s.expire_date > now_at
        );
END
$$;
"""

DROP = "DROP FUNCTION storypage_reader_state(bigint, bigint, text[], text, text, text, timestamptz);"


class Migration(migrations.Migration):
    dependencies = [
        ("storypage", "0001_initial"),
        ("comments", "0013_imported_commenter_contact"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunSQL(CREATE, reverse_sql=DROP)]
