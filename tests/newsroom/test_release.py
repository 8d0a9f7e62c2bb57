"""Cache keys name the release that rendered the page: after a deploy that
changes how pages render, or a restart with a setting readers see changed,
no app server serves what the earlier release stored."""

import shutil

from django.conf import settings

from newsroom.release import SOURCES, fingerprint
from tests.newsroom.test_settings import PRODUCTION, ROOT, manage


def _copy_of_the_project(tmp_path):
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    return tmp_path


def test_the_cache_prefix_names_this_release():
    assert settings.CACHES["default"]["KEY_PREFIX"].endswith(f":{settings.NEWSROOM_RELEASE}")


def test_a_changed_template_or_code_is_a_new_release(tmp_path):
    root = _copy_of_the_project(tmp_path)
    before = fingerprint(root, {})
    assert fingerprint(root, {}) == before  # the same files: the same release

    template = root / "templates" / "comments" / "_section.html"
    template.write_text(template.read_text().replace("Leave a reply", "Join the conversation"))
    after_template = fingerprint(root, {})
    (root / "storypage" / "section.py").write_text("# changed\n", encoding="utf-8")

    assert len({before, after_template, fingerprint(root, {})}) == 3


def test_compiled_files_are_not_part_of_the_release(tmp_path):
    root = _copy_of_the_project(tmp_path)
    before = fingerprint(root, {})
    (root / "comments" / "__pycache__").mkdir(exist_ok=True)
    (root / "comments" / "__pycache__" / "models.cpython-313.pyc").write_bytes(b"\x00")

    assert fingerprint(root, {}) == before


def _release(**env) -> str:
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.CACHES['default']['KEY_PREFIX'])",
        **PRODUCTION,
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_setting_readers_see_is_part_of_the_release_and_a_secret_is_not_revealed():
    plain = _release()
    with_akismet = _release(AKISMET_API_KEY="key-one")

    assert with_akismet != plain
    assert _release(AKISMET_API_KEY="key-two") == with_akismet  # on is on, whatever the key
    assert _release(NEWSROOM_COMMENT_THREADS_PER_PAGE="20") != plain
    assert _release(NEWSROOM_CACHE_PREFIX="site-b").startswith("site-b:")
