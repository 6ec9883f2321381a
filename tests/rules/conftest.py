"""Shared fixtures for rule tests: the shipped rule book, with and without unconfirmed data."""

from __future__ import annotations

import pytest

from gateway.rules.ruledata import RuleBook


@pytest.fixture(scope="session")
def rules() -> RuleBook:
    return RuleBook.load([], include_unconfirmed=False, environ={})


@pytest.fixture(scope="session")
def rules_unconfirmed() -> RuleBook:
    return RuleBook.load([], include_unconfirmed=True, environ={})
