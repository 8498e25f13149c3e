"""Configuration read from the environment, as a stage sets it."""

import pytest

from chalicelib import composition
from chalicelib.config import ConfigurationError
from chalicelib.domain.callbacks import Clocks, TaskType


def test_callback_clocks_come_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TINGSHENG_CALLBACK_CLOCKS", '{"complaint": {"resolution_days": 5}}')
    composition.reset()
    assert composition.callback_clocks()[TaskType.complaint] == Clocks(first_contact_days=1, resolution_days=5)
    monkeypatch.setenv("TINGSHENG_CALLBACK_CLOCKS", '{"complaint": 5}')
    composition.reset()
    with pytest.raises(ConfigurationError, match="TINGSHENG_CALLBACK_CLOCKS"):
        composition.callback_clocks()
    monkeypatch.delenv("TINGSHENG_CALLBACK_CLOCKS")
    composition.reset()
    assert composition.callback_clocks()[TaskType.complaint] == Clocks()


def test_work_order_clocks_come_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    from chalicelib.domain.tickets import Kind, TicketClocks

    monkeypatch.setenv("TINGSHENG_TICKET_CLOCKS", '{"complaint": 3, "key_account_hours": 12}')
    composition.reset()
    clocks = composition.ticket_clocks()
    assert (clocks.working_days(Kind.complaint), clocks.key_account_hours) == (3, 12)
    monkeypatch.setenv("TINGSHENG_TICKET_CLOCKS", '{"gossip": 3}')
    composition.reset()
    with pytest.raises(ConfigurationError, match="TINGSHENG_TICKET_CLOCKS"):
        composition.ticket_clocks()
    monkeypatch.delenv("TINGSHENG_TICKET_CLOCKS")
    composition.reset()
    assert composition.ticket_clocks() == TicketClocks()
