"""Deadlines, reminders, escalations and notifications, delivered exactly once.

Where things live
-----------------
* ``models``: ``Notification`` (an event for one person), ``Delivery`` (that
  notification over one channel: the delivery log and the outbox),
  ``ScheduledNotice`` (a reminder or escalation due on a date for one step
  spell), ``NotificationPreference`` (immediate emails or a daily digest).
* ``services``: ``record`` (written inside the case action's transaction),
  ``delivery`` (claim, send, record; the outbox sweep), ``deadlines``
  (schedule and sweep), ``digest``, ``inbox`` (read marks, preferences).
* ``channels``: ``inapp`` and ``email``, plug-ins behind ``channels.base``.
* ``tasks``: thin Celery tasks; the beat schedule is in ``config/celery.py``.

Why our own due-date sweep rather than viewflow timers
------------------------------------------------------
viewflow 2.4's ``flow.Timer`` / ``.OnTimeout(..., interrupting=False)`` were
considered for reminders and escalations and not used:

* A non-interrupting timeout starts a parallel path. Our notices must not
  move the case, yet that path has to end somewhere: an ``End`` node ends
  the whole process (closing the case), and a path left dangling keeps a
  token in the flow that the engine's "one open human task" reading of the
  stage (``stage_from_flow``) would have to learn to ignore.
* A timeout fires once and is not re-armed when its host is revived; a
  declined sign-off sends the case back to ``decide``, which needs fresh
  deadlines. Our notices belong to a step *spell* (``workflow.CaseStep``),
  so every visit gets its own.
* The limits are working days around England and Wales bank holidays and
  the offsets are settings (reminder N working days before, escalation M
  after): each would be a callable delay per node, three timeout nodes per
  step, and a settings change would alter the flow's graph.
* Who to tell is decided when the notice fires (the chair may have changed);
  a timeout node would need a function node per notice anyway.

So each step spell gets up to three ``ScheduledNotice`` rows when it opens,
deleted when it closes; a beat task takes the rows due by today off that
queue (deleting them) through an index on ``fire_on``, in batches with
``SKIP LOCKED``. Its cost follows what is due, not what is open (``make
bench``), and a batch costs the same few queries however many notices it
holds: whom to tell is read for the whole batch at once, and its
notifications and deliveries are written by one statement. Each person
hears once per batch: one notice is its own notification; several are one
``due_steps`` message listing them, each step still audited on its case
when the message is sent (ADR 0017). viewflow's own
``fire_due_timers`` beat task still runs, for any timer a flow declares later.

Exactly once, and what is left
------------------------------
* **Recorded once**: unique (event key, recipient) on notifications and
  (notification, channel) on deliveries; recording an event twice
  is a no-op. Rows are written in the case action's transaction, so they
  exist exactly when the action committed, whatever the broker does.
* **Queued after commit**: ``transaction.on_commit`` queues one task
  (``send_deliveries``) for all of an action's deliveries: one broker round
  trip per action, not one per person and channel. That task sends each
  delivery on its own, as below, and hands one that must wait (a failing
  channel, a held lease) to ``send_delivery`` with its delay. We queue
  rather than leave the rows to the outbox sweep because the sweep waits
  ``FTP_OUTBOX_GRACE_SECONDS`` plus its interval (two minutes by default)
  before it looks, and a member told they were convened should see it when
  they next load a page. If Redis is down, the failure is logged and the action still
  succeeds (a breaker stops asking the broker for 30 s, so the next actions
  do not wait on redis-py's retries); the beat sweep re-queues every
  delivery still unsent after ``FTP_OUTBOX_GRACE_SECONDS``, and stamps it
  queued then, so it queues it again only if it is still unsent a whole grace
  period later (not at every sweep while its task waits in a long queue).
* **History is not sent**: the local demo's backdated actions record their
  notifications inside ``deliveries_not_queued`` and ``history_deliveries_settle``
  marks them delivered as of their own dates (services/history.py): no
  email, no send task, nothing on the case trails as sent.
* **Sent once**: a send task first claims its delivery with one conditional
  UPDATE (``pending`` -> ``sending``, attempts + 1, lease until now +
  ``FTP_NOTIFY_LEASE_SECONDS``) and proceeds only if it changed exactly one
  row. Two copies of the task (on-commit and sweep, or a redelivery) cannot
  both send. Tasks are ``acks_late`` with ``reject_on_worker_lost``: a
  worker SIGKILLed mid-task leaves its message unacknowledged and Redis
  hands it to another worker after the visibility timeout; that copy finds
  the delivery ``sending`` and waits for the lease to end before claiming it
  again (attempt 2). A failing channel releases the claim with exponential
  backoff (5 s, 10 s, ... up to 10 min; ``FTP_NOTIFY_MAX_ATTEMPTS`` then
  ``failed``).
* **Recorded sent once**: the "sent" mark is conditional on the attempt
  number (a fencing token) and is in the same transaction as the audit
  event. A sender whose lease ran out cannot overwrite its successor's
  record; its in-app write rolls back with it.
* **In the app: exactly once**, strictly: the in-app channel only writes
  to the database, inside that same transaction.
* **Email: the residual risk.** An SMTP hand-over cannot join a database
  transaction. If a worker dies *after* the mail server accepted a message
  and *before* the "sent" mark commits (a window of milliseconds), the
  delivery's lease runs out and it is sent again: at least once, at most one
  extra copy per such crash. We chose that over at-most-once (a missed
  reminder on a disciplinary case does more harm than a duplicate). Both
  copies carry the same ``Message-ID`` (``<ftp-delivery-<id>@...>``), so
  mail systems that deduplicate on it show one. A kill anywhere else (before
  the hand-over, during it, after the record) sends exactly once; the real
  worker test kills the worker mid-send and checks the mailbox. A send slower
  than the lease (keep ``FTP_NOTIFY_LEASE_SECONDS`` above ``EMAIL_TIMEOUT``)
  could also be duplicated; a database failure right after a successful send
  leaves the delivery to be retried, likewise at least once.

Nothing personal in notifications
----------------------------------
Emails carry the case reference, the kind of notice, a date and a link;
never a name, the concern or an ethnic category. Audit events and log lines
carry ids, kinds and channels only.
"""
