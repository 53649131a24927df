"""Writers on different cases never wait for each other, and every event
still ends up in the one keyed chain (ADR 0016).

A writer that finds the chain lock busy stores its event pending (no seq,
sealed) and goes on; the holder, after its commit, chains whatever is
pending; beat's run is the backstop. These tests use real concurrent
transactions: threads with their own connections, or a second session
holding the lock as a writer in the middle of its transaction would.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable, Iterator
from typing import Any

import hypothesis
import pytest
import time_machine
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from audit.models import AuditEvent
from audit.sequencing import chain_lock_key
from audit.services import audit_record, audit_sequence
from audit.tasks import sequence_audit_events
from audit.verify import Kind, verify_log
from tenancy.context import current_trust_id, trust_entered

WAIT = 10  # seconds: far longer than any step here takes, short enough to fail fast


@contextlib.contextmanager
def lock_held_elsewhere() -> Iterator[None]:
    """Another session holds the chain lock, as a writer in the middle of its
    transaction would, until the block ends."""
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    key = chain_lock_key(current_trust_id())
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [key])
        yield
    finally:
        # Unlock before closing: a closed session's locks go only when its
        # backend has exited, a moment later, and a sequencer trying the lock
        # in that moment would find it still held (a flaky failure in CI).
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        other.close()


def append(case: Any = None, i: int = 0) -> AuditEvent:
    return audit_record(case=case, actor=None, action="import", payload={"i": i})


def in_thread(target: Callable[[], object]) -> tuple[threading.Thread, list[BaseException]]:
    """Run ``target`` in a thread with its own database connection, acting for
    the caller's trust (a thread starts in none); errors are kept."""
    errors: list[BaseException] = []
    trust_id = current_trust_id()

    def run() -> None:
        try:
            with trust_entered(trust_id):
                target()
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def assert_one_chain() -> None:
    """Every event chained exactly once, seq 1..n without gaps, and verifying."""
    seqs = list(AuditEvent.objects.values_list("seq", flat=True).order_by("seq"))
    assert seqs == list(range(1, len(seqs) + 1))
    report = verify_log()
    # An empty log (every writer rolled back) is one chain too, proving nothing.
    assert report.intact or (seqs == [] and report.empty), str(report)
    assert report.pending == 0
    assert report.events == len(seqs)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_writer_on_another_case_does_not_wait_for_an_open_transaction(story: Any) -> None:
    first_case, second_case = story.submitted(), story.submitted()
    first_appended, second_done = threading.Event(), threading.Event()
    seen: dict[str, Any] = {}

    def first() -> None:
        with transaction.atomic():
            seen["first"] = append(first_case)
            first_appended.set()
            # Still inside the transaction, holding the chain lock.
            seen["second_returned_meanwhile"] = second_done.wait(WAIT)

    def second() -> None:
        assert first_appended.wait(WAIT)
        with transaction.atomic():
            seen["second"] = append(second_case)
        second_done.set()

    threads = [in_thread(first), in_thread(second)]
    for thread, _errors in threads:
        thread.join(2 * WAIT)
    assert [e for _t, errors in threads for e in errors] == []

    assert seen["second_returned_meanwhile"] is True
    assert seen["first"].seq is not None  # chained at once: the lock was free
    assert seen["second"].seq is None  # pending: the lock was busy
    chained = AuditEvent.objects.get(pk=seen["second"].pk)
    assert chained.seq == seen["first"].seq + 1
    assert chained.case_id == second_case.pk
    assert_one_chain()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_event_committed_while_another_holds_the_lock_is_chained_by_the_holder() -> None:
    holder_appended, pending_committed = threading.Event(), threading.Event()
    seen: dict[str, Any] = {}

    def holder() -> None:
        with transaction.atomic():
            append(i=1)
            holder_appended.set()
            assert pending_committed.wait(WAIT)
        # Committed: this thread's after-commit run has now looked again.

    def writer() -> None:
        assert holder_appended.wait(WAIT)
        event = append(i=2)  # its own transaction: committed, then its run found the lock busy
        seen["pending_after_its_commit"] = AuditEvent.objects.get(pk=event.pk).seq is None
        seen["id"] = event.pk
        pending_committed.set()

    threads = [in_thread(holder), in_thread(writer)]
    for thread, _errors in threads:
        thread.join(2 * WAIT)
    assert [e for _t, errors in threads for e in errors] == []

    assert seen["pending_after_its_commit"] is True
    assert AuditEvent.objects.get(pk=seen["id"]).seq == 2
    assert_one_chain()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_beat_chains_an_event_its_writer_left_pending() -> None:
    with lock_held_elsewhere():
        # The writer commits; its own run finds the lock busy and leaves it,
        # as a process that died right after its commit would.
        event = append()
    assert AuditEvent.objects.get(pk=event.pk).seq is None

    assert sequence_audit_events() == 1
    assert AuditEvent.objects.get(pk=event.pk).seq == 1
    assert sequence_audit_events() == 0  # nothing left: running it again changes nothing
    assert_one_chain()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_sequencer_gives_up_at_once_while_the_lock_is_held() -> None:
    with lock_held_elsewhere():
        append()
        assert audit_sequence() == 0
    assert audit_sequence() == 1
    assert_one_chain()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pending_events_are_chained_in_batches_in_the_order_they_were_written() -> None:
    with lock_held_elsewhere():
        ids = [append(i=i).pk for i in range(7)]
    assert audit_sequence(batch_size=3) == 7
    assert list(AuditEvent.objects.order_by("seq").values_list("id", flat=True)) == ids
    assert_one_chain()


@pytest.mark.django_db
def test_later_appends_in_the_same_transaction_are_one_insert_each(
    django_assert_num_queries: Any,
) -> None:
    with transaction.atomic():
        with django_assert_num_queries(3):  # try the lock, read the head, insert
            first = append(i=1)
        with django_assert_num_queries(1):
            second = append(i=2)
    assert (first.seq, second.seq) == (1, 2)
    assert second.prev_hash == first.hash
    assert verify_log().intact


@pytest.mark.django_db
def test_an_append_rolled_back_with_its_savepoint_leaves_no_hole() -> None:
    append(i=1)
    with contextlib.suppress(RuntimeError), transaction.atomic():
        append(i=2)
        raise RuntimeError("the action failed after its event")
    third = append(i=3)
    assert third.seq == 2
    assert list(AuditEvent.objects.values_list("payload__i", flat=True)) == [1, 3]
    assert verify_log().intact


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_append_after_a_sequencer_run_in_the_same_transaction_follows_the_new_head() -> None:
    with transaction.atomic():
        append(i=1)  # this transaction now holds the lock
        thread, errors = in_thread(lambda: append(i=2).pk)  # pending, committed
        thread.join(WAIT)
        assert errors == []
        assert audit_sequence() == 1  # chained inside this transaction
        third = append(i=3)
    assert third.seq == 3
    assert_one_chain()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_pending_event_changed_while_it_waits_is_not_chained_and_verify_names_it(
    tamper: Callable[..., None],
) -> None:
    append(i=1)
    with lock_held_elsewhere():
        event = append(i=2)
    tamper(("UPDATE audit_auditevent SET reason = 'rewritten' WHERE id = %s", [event.pk]))

    assert audit_sequence() == 0
    report = verify_log()
    assert report.broken
    assert report.pending == 1
    assert report.breakage is not None
    assert (report.breakage.kind, report.breakage.id) == (Kind.ALTERED, event.pk)
    assert "changed while pending" in str(report)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_verify_counts_pending_events_and_reports_a_stalled_sequencer(settings: Any) -> None:
    settings.FTP_AUDIT_PENDING_STALE_MINUTES = 10
    append(i=1)
    with lock_held_elsewhere():
        written = timezone.now()
        with time_machine.travel(written - dt.timedelta(minutes=11), tick=False):
            stale = append(i=2)
        append(i=3)
        report = verify_log()
    assert report.pending == 2
    assert report.breakage is not None
    assert (report.breakage.kind, report.breakage.id) == (Kind.STALLED, stale.pk)
    assert str(report).startswith(f"broken at pending event id={stale.pk}")

    audit_sequence()
    assert_one_chain()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_fresh_pending_event_is_counted_but_breaks_nothing() -> None:
    append(i=1)
    with lock_held_elsewhere():
        append(i=2)
        report = verify_log()
    assert report.intact
    assert (report.events, report.pending) == (1, 1)
    assert str(report) == "intact, 1 events, 1 pending"
    audit_sequence()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reads_order_pending_events_after_chained_ones_and_exports_stop_at_the_head() -> None:
    append(i=1)
    with lock_held_elsewhere():
        pending = [append(i=i) for i in (2, 3)]
    assert list(AuditEvent.objects.values_list("payload__i", flat=True)) == [1, 2, 3]
    assert list(AuditEvent.objects.oldest_first().values_list("payload__i", flat=True)) == [1, 2, 3]
    assert list(AuditEvent.objects.newest_first().values_list("payload__i", flat=True)) == [3, 2, 1]
    assert AuditEvent.objects.head_seq() == 1
    assert str(AuditEvent.objects.get(pk=pending[0].pk)) == f"pending id={pending[0].pk} import"
    audit_sequence()
    assert AuditEvent.objects.head_seq() == 3


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("append"), st.booleans(), st.integers(1, 3)),
        st.tuples(st.just("sequence"), st.booleans(), st.just(0)),
        st.tuples(st.just("roll back"), st.booleans(), st.integers(1, 2)),
    ),
    min_size=1,
    max_size=8,
)


def _run(operation: str, locked: bool, count: int) -> None:
    with lock_held_elsewhere() if locked else contextlib.nullcontext():
        if operation == "sequence":
            audit_sequence(batch_size=2)
            return
        with contextlib.suppress(RuntimeError), transaction.atomic():
            for i in range(count):
                append(i=i)
            if operation == "roll back":
                raise RuntimeError("the action failed")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@hypothesis.settings(max_examples=25, deadline=None)
@given(operations=OPERATIONS)
def test_any_interleaving_of_writers_and_sequencer_runs_makes_one_chain(
    operations: list[tuple[str, bool, int]],
) -> None:
    for operation, locked, count in operations:
        _run(operation, locked, count)
        report = verify_log()
        assert not report.broken, str(report)
        if operation != "roll back" and not locked:
            # The lock was free: the commit's own run chained everything pending.
            assert report.pending == 0
    audit_sequence()
    assert_one_chain()
