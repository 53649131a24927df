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
"""
