"""The shared replay cache behind the WS-Security layer."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from gateway.store import SqlReplayCache, Store
from gateway.wssecurity.replay import ReplayCache
from tests.support.store import FakeClock


def test_it_implements_the_wssecurity_protocol(store: Store) -> None:
    assert isinstance(SqlReplayCache(store), ReplayCache)


def test_seen_key_is_refused_until_it_expires(store: Store, clock: FakeClock) -> None:
    cache = SqlReplayCache(store)
    expires = clock() + timedelta(minutes=5)
    assert cache.check_and_store("sig-1", expires) is True
    assert cache.check_and_store("sig-1", expires) is False
    assert cache.check_and_store("sig-2", expires) is True
    clock.advance(timedelta(minutes=6))
    # Expired: the Timestamp check refuses such a message anyway, so the key may be reused.
    assert cache.check_and_store("sig-1", clock() + timedelta(minutes=5)) is True
    assert cache.check_and_store("sig-1", clock() + timedelta(minutes=5)) is False


def test_purge_drops_only_expired_keys(store: Store, clock: FakeClock) -> None:
    cache = SqlReplayCache(store)
    cache.check_and_store("old", clock() + timedelta(seconds=10))
    cache.check_and_store("new", clock() + timedelta(minutes=10))
    clock.advance(timedelta(minutes=1))
    assert cache.purge_expired() == 1
    assert cache.check_and_store("new", clock() + timedelta(minutes=10)) is False


@pytest.mark.postgres
def test_concurrent_replays_only_one_accepted(pg_store: Store) -> None:
    cache = SqlReplayCache(pg_store)
    expires = pg_store.clock() + timedelta(minutes=5)
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def attempt() -> None:
        barrier.wait()
        results.append(cache.check_and_store("same-signature", expires))

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 7 + [True]


def test_deferred_checks_wait_for_the_unit_of_work(store: Store, clock: FakeClock) -> None:
    cache = SqlReplayCache(store)
    expires = clock() + timedelta(minutes=5)
    with cache.deferred() as claims:
        assert cache.check_and_store("sig-d", expires) is True  # collected, not stored
        assert cache.check_and_store("sig-d", expires) is True
    assert [key for key, _ in claims.pending] == ["sig-d", "sig-d"]
    assert not claims.settled
    with pytest.raises(LookupError), store.transaction() as tx:
        assert claims.settle(tx) is False  # the second claim is the replay of the first
        raise LookupError("refuse the message: the unit of work rolls back")
    # Outside the block checks are immediate again; the rolled-back settle stored nothing.
    with cache.deferred() as fresh:
        cache.check_and_store("sig-d", expires)
    with store.transaction() as tx:
        assert fresh.settle(tx) is True
    assert fresh.settled
    assert cache.check_and_store("sig-d", expires) is False


def test_deferral_applies_only_to_its_own_cache_and_context(store: Store, clock: FakeClock) -> None:
    cache, other = SqlReplayCache(store), SqlReplayCache(store)
    expires = clock() + timedelta(minutes=5)
    seen: list[bool] = []
    with cache.deferred() as claims:
        assert other.check_and_store("sig-o", expires) is True  # immediate: another cache
        assert other.check_and_store("sig-o", expires) is False
        # another thread does not inherit this thread's deferral
        worker = threading.Thread(
            target=lambda: seen.append(cache.check_and_store("sig-t", expires))
        )
        worker.start()
        worker.join()
    assert seen == [True] and claims.pending == []
    assert cache.check_and_store("sig-t", expires) is False
