"""The role journeys for the load benchmark (``bench/load.py``, ``make bench-load``).

Each simulated person signs in once with their real password (so the login
lockout never sees a failure), then walks their pages with a think time of
one to three seconds, as people at a trust would:

* an HR adviser: the inbox, Panels, an open case's page, the audit search;
* a panel member: their inbox, My panels, the page of a case they sit on;
* a referring manager: their case list;
* a governance viewer: the governance pack;
* an API client (HR's token): the referral list and a referral's detail.

The people and cases come from ``BENCH_LOAD_DATA``, a JSON file that
``bench/load.py`` writes from the seeded database. Requests go over plain
HTTP on loopback with ``X-Forwarded-Proto: https``, as from the TLS proxy a
trust puts in front; production cookies are ``Secure``, so the session
cookie is sent by hand. Anything but the expected status is a failure.
Requests made while people are still arriving (signing in) are left out of
the figures.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from typing import Any

from locust import HttpUser, between, events, task

DATA: dict[str, Any] = json.loads(open(os.environ["BENCH_LOAD_DATA"]).read())  # noqa: SIM115
PASSWORD = DATA["password"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

# Every request once everyone has signed in: (name, milliseconds, failed).
# bench/load.py merges the two runs of each size from these, which locust's
# own summary (percentiles only) cannot do.
SAMPLES: list[tuple[str, float, bool]] = []
STEADY: dict[str, float] = {}


def _steady(**kwargs: Any) -> None:
    SAMPLES.clear()
    STEADY["from"] = time.monotonic()


def _record(name: str, response_time: float, exception: object, **kwargs: Any) -> None:
    if "from" in STEADY:
        SAMPLES.append((name, response_time, exception is not None))


def _write(**kwargs: Any) -> None:
    seconds = time.monotonic() - STEADY.get("from", time.monotonic())
    with open(os.environ["BENCH_LOAD_OUT"], "w") as out:
        json.dump({"seconds": seconds, "samples": SAMPLES}, out)


events.spawning_complete.add_listener(_steady)
events.request.add_listener(_record)
events.quitting.add_listener(_write)


class Person(HttpUser):
    """Someone signed in to the web pages."""

    abstract = True
    wait_time = between(1, 3)
    usernames: list[str] = []

    def on_start(self) -> None:
        self.username = random.choice(self.usernames)
        self.headers = {"X-Forwarded-Proto": "https"}
        self._login()

    def _login(self) -> None:
        page = self.client.get("/accounts/login/", headers=self.headers, name="login form")
        match = CSRF.search(page.text)
        csrf = page.cookies.get("csrftoken", "")
        origin = "https://" + (self.host or "").split("://", 1)[-1]
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": match.group(1) if match else "",
            },
            headers={
                **self.headers,
                "Cookie": f"csrftoken={csrf}",
                "Referer": f"{origin}/accounts/login/",
            },
            allow_redirects=False,
            name="login",
            catch_response=True,
        ) as response:
            session = response.cookies.get("sessionid")
            if response.status_code != 302 or not session:
                response.failure(f"{self.username}: login gave {response.status_code}")
                return
        self.headers["Cookie"] = f"sessionid={session}"

    def page(self, url: str, name: str) -> None:
        with self.client.get(
            url, headers=self.headers, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{self.username}: {url} gave {response.status_code}")


class HrAdviser(Person):
    weight = 2
    usernames = DATA["hr"]

    @task(3)
    def inbox(self) -> None:
        self.page("/cases/inbox/", "HR inbox")

    @task(2)
    def panels(self) -> None:
        self.page("/cases/panels/", "HR panels")

    @task(3)
    def case(self) -> None:
        self.page(f"/cases/{random.choice(DATA['open_cases'])}/", "case page (HR)")

    @task(1)
    def audit(self) -> None:
        self.page("/audit/", "audit search")


class PanelMember(Person):
    weight = 3
    usernames = list(DATA["members"])

    @task(2)
    def inbox(self) -> None:
        self.page("/cases/inbox/", "member inbox")

    @task(2)
    def my_panels(self) -> None:
        self.page("/cases/my-panels/", "My panels")

    @task(2)
    def case(self) -> None:
        case = random.choice(DATA["members"][self.username])
        self.page(f"/cases/{case}/", "case page (member)")


class Manager(Person):
    weight = 3
    usernames = DATA["managers"]

    @task
    def cases(self) -> None:
        self.page("/cases/all/", "case list (manager)")


class Governance(Person):
    weight = 1
    usernames = DATA["governance"]

    @task
    def pack(self) -> None:
        self.page("/reports/governance/", "governance pack")


class ApiClient(HttpUser):
    """HR's integration, with a knox token from the token endpoint."""

    weight = 1
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.headers = {"X-Forwarded-Proto": "https", "Accept": "application/json"}
        response = self.client.post(
            "/api/v1/auth/token/",
            json={"username": DATA["hr"][0], "password": PASSWORD},
            headers=self.headers,
            name="API token",
        )
        self.headers["Authorization"] = f"Token {response.json().get('token', '')}"

    def _get(self, url: str, name: str) -> None:
        with self.client.get(url, headers=self.headers, name=name, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{url} gave {r.status_code}")

    @task
    def referrals(self) -> None:
        self._get("/api/v1/referrals/", "API list")

    @task
    def referral(self) -> None:
        self._get(f"/api/v1/referrals/{random.choice(DATA['open_cases'])}/", "API detail")
