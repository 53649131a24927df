"""One table pairs each action with its service (``workflow.services.ACTION_SERVICES``),
and both doors offer exactly the actions in it: the web a form for each, the API
a body and an endpoint for each. ``suggest_panel`` changes nothing, so it is a
page (web) and a GET (API) of its own, not an action with a service."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, resolve, reverse

from api.views import ACTIONS as API_ACTIONS
from panels import services as panel_services
from web.cases import ACTION_FORMS
from workflow import services
from workflow.rules import Action
from workflow.services import ACTION_SERVICES, register_services

WITH_SERVICE = set(Action) - {Action.SUGGEST_PANEL}


def test_every_action_but_suggest_panel_has_exactly_one_service() -> None:
    assert set(ACTION_SERVICES) == WITH_SERVICE
    assert all(callable(service) for service in ACTION_SERVICES.values())
    # No service takes two actions.
    assert len({id(service) for service in ACTION_SERVICES.values()}) == len(ACTION_SERVICES)


def test_the_engine_declares_its_services_and_panels_registers_its_own() -> None:
    assert ACTION_SERVICES[Action.TRIAGE] is services.case_triage
    assert ACTION_SERVICES[Action.SIGNOFF] is services.case_signoff
    assert ACTION_SERVICES[Action.WITHDRAW] is services.referral_withdraw
    assert ACTION_SERVICES[Action.CONVENE_PANEL] is panel_services.panel_convene
    assert ACTION_SERVICES[Action.DECIDE] is panel_services.panel_decision_record


def test_the_table_cannot_be_changed_but_by_registering_a_new_action() -> None:
    with pytest.raises(TypeError):
        ACTION_SERVICES[Action.TRIAGE] = services.case_signoff  # type: ignore[index]  # the point
    before = dict(ACTION_SERVICES)
    with pytest.raises(ImproperlyConfigured, match="triage"):
        register_services({Action.TRIAGE: services.case_signoff})
    with pytest.raises(ImproperlyConfigured, match="decide"):
        register_services({Action.DECIDE: panel_services.panel_convene})
    # The same service again (a second ready()) changes nothing.
    register_services({Action.DECIDE: panel_services.panel_decision_record})
    assert dict(ACTION_SERVICES) == before


def test_the_web_offers_a_form_for_exactly_the_actions_with_a_service() -> None:
    assert set(ACTION_FORMS) == set(ACTION_SERVICES)


def test_the_api_offers_an_endpoint_for_exactly_the_actions_with_a_service() -> None:
    assert set(API_ACTIONS) == set(ACTION_SERVICES)
    for action in ACTION_SERVICES:
        url = reverse("api:action-" + action.value, args=[1])
        assert resolve(url).url_name == "action-" + action.value
    with pytest.raises(NoReverseMatch):
        reverse("api:action-" + Action.SUGGEST_PANEL.value, args=[1])
    assert resolve(reverse("api:panel-suggestion", args=[1])).url_name == "panel-suggestion"
