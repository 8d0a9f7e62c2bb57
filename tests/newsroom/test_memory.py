"""Per-process memory of rendered pages stays within its budget."""

from newsroom.memory import BoundedMemory


def test_the_least_recently_used_values_go_first_and_the_budget_holds(settings):
    settings.NEWSROOM_PAGE_MEMORY_BYTES = 1000
    memory = BoundedMemory(size=len, share=0.5)  # 500 bytes
    memory.put("a", b"x" * 200)
    memory.put("b", b"x" * 200)
    assert memory.get("a") is not None  # "a" is now the more recently used

    memory.put("c", b"x" * 200)

    assert memory.get("b") is None
    assert memory.get("a") is not None and memory.get("c") is not None
    assert len(memory) == 2


def test_a_value_bigger_than_the_share_is_not_kept(settings):
    settings.NEWSROOM_PAGE_MEMORY_BYTES = 1000
    memory = BoundedMemory(size=len, share=0.1)

    memory.put("page", b"x" * 101)

    assert memory.get("page") is None
    assert len(memory) == 0


def test_replacing_a_value_counts_it_once(settings):
    settings.NEWSROOM_PAGE_MEMORY_BYTES = 1000
    memory = BoundedMemory(size=len, share=0.3)
    for _ in range(10):
        memory.put("same", b"x" * 250)
    memory.put("other", b"x" * 50)

    assert memory.get("same") is not None and memory.get("other") is not None
