"""The support services every trust starts with, before its HR team edits them.

Plain, national services that every NHS trust in England has in some form,
named generically so that a trust that has not yet configured its own still
prints something true in its letters. Each trust changes them in the admin.
"""

from __future__ import annotations

from typing import Any

SERVICES: list[dict[str, Any]] = [
    {
        "kind": "occupational_health",
        "name": "Occupational health",
        "contact": "Through the HR team or the staff intranet",
        "description": "Confidential advice on your health and wellbeing at work.",
        "position": 10,
    },
    {
        "kind": "employee_assistance",
        "name": "Employee assistance programme",
        "contact": "The number on the staff intranet (free, 24 hours a day)",
        "description": "Free, confidential counselling and advice, open day and night.",
        "position": 20,
    },
    {
        "kind": "ftsu_guardian",
        "name": "Freedom to Speak Up guardian",
        "contact": "Through the staff intranet",
        "description": "Listens to any concern about how this process is being handled.",
        "position": 30,
    },
    {
        "kind": "staff_network",
        "name": "Staff networks",
        "contact": "Through the staff intranet",
        "description": "Peer support from colleagues, including the race equality network.",
        "position": 40,
    },
    {
        "kind": "trade_union",
        "name": "Your trade union or staff side representative",
        "contact": "Your local representative",
        "description": "Advice, and someone to accompany you to meetings.",
        "position": 50,
    },
]
