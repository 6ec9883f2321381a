"""Two gateway processes sharing the store's replay cache: an assertion is still single use."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.auth import AuthService, OAuthError
from gateway.store.database import open_store
from gateway.store.replay import SqlReplayCache
from tests.auth.conftest import Kit
from tests.auth.test_token_endpoint import request


def test_jti_replay_refused_across_services_sharing_the_store(kit: Kit, tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'brug.db'}", upgrade=True)
    try:
        first = AuthService.from_settings(kit.settings(), replay=SqlReplayCache(store))
        second = AuthService.from_settings(kit.settings(), replay=SqlReplayCache(store))
        assertion = kit.assertion()
        assert first.issue_token(request(assertion)).access_token
        with pytest.raises(OAuthError) as exc:
            second.issue_token(request(assertion))
        assert exc.value.reason == "replayed jti"
    finally:
        store.dispose()
