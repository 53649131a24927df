"""Operations: is the service alive, and is it ready to serve?

* ``/health/live``: the process answers (no database, no broker): a
  container orchestrator restarts a process that stops answering.
* ``/health/ready``: every component a request or a task needs: the
  database answers, every migration is applied, the Celery broker answers,
  and beat ran recently (its heartbeat is at most twice
  ``FTP_BEAT_HEARTBEAT_SECONDS`` old). 200 when all are well; 503 naming
  each failing component otherwise, so a load balancer stops sending
  traffic and whoever looks sees what to mend.

The answers name components and what failed ("connection refused"), never
a setting's value, an address or a password: the endpoints need no login.

And how it is doing, for whoever watches it (docs/operations.md, "Logs and
metrics"):

* one structured log line per request, and the request id on every line
  (``ops.middleware``, ``ops.logs``);
* ``/metrics`` for Prometheus: requests and latencies by view, the Celery
  queue, overdue steps, failed deliveries and the audit chain's last
  verification (``ops.metrics``).
"""
