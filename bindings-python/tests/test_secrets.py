"""repr, str, exception messages, tracebacks and log records never hold a secret, an App Key or
a token."""

from __future__ import annotations

import asyncio
import logging
import traceback

import pytest
from conftest import APP_KEY, SECRET, Sandbox, make_auth

import finauth
from finauth import _finauth

NEW_SECRET = "RotatedSecret2027"
WRONG = "WrongSecretXyz9"


def test_nothing_secret_reaches_repr_str_errors_tracebacks_or_logs(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="finauth")
    texts: list[str] = []
    auth = make_auth(sandbox)
    texts += [repr(auth), str(auth), repr(auth.as_async()), repr(finauth.MemoryStore())]
    tokens = [auth.token()]
    texts += [repr(auth.stats()), repr(auth.guard_status())]
    auth.invalidate(tokens[0])
    tokens.append(auth.token())
    auth.modify_partner_secret(NEW_SECRET)
    auth.set_app_key(APP_KEY)
    sandbox.fault({"status": 500, "content_type": "application/json",
                   "body": '{"code":1,"message":"echo ' + NEW_SECRET + '"}'})
    auth.invalidate(tokens[-1])
    for bad in (auth, make_auth(sandbox, partner_secret=WRONG)):
        for _ in range(2):
            try:
                tokens.append(bad.token())
            except finauth.FinauthError as e:
                texts += [str(e), repr(e), "".join(traceback.format_exception(type(e), e, e.__traceback__))]

    async def more() -> None:
        a = make_auth(sandbox, partner_secret=WRONG + "2").as_async()
        try:
            await a.token()
        except finauth.FinauthError as e:
            texts.append("".join(traceback.format_exception(type(e), e, e.__traceback__)))

    asyncio.run(more())
    _finauth._flush_logs()
    records = [r.getMessage() for r in caplog.records if r.name.startswith("finauth")]
    assert records, "the core's tracing events reach logging"
    assert any("new token obtained" in m for m in records)
    texts += records
    assert len(texts) > 10
    forbidden = [SECRET, NEW_SECRET, WRONG, APP_KEY, *tokens]
    for text in texts:
        for secret in forbidden:
            assert secret not in text, (secret[:3], text)
