"""When a request is sent again: the table of answers and failures, for reads and for creates.

A create (non-idempotent) goes again only when it certainly did nothing: no connection was made, or the
server refused it unprocessed (429, 503). No sockets here (the loopback cases are in
tests/integration/test_retries_deadlines.py); sleeps are recorded, not waited.
"""

from __future__ import annotations

import httpx
import pytest

from unopim_desktop.clients.errors import ApiError, RateLimited, ServerError, TimedOut, Unreachable
from unopim_desktop.clients.http import RetryPolicy, send_with_retry

REQUEST = httpx.Request("POST", "https://shop.example.com/wp-json/wc/v3/products/batch")


def answer(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"message": f"status {status}"}, headers=headers, request=REQUEST)


def timeout(kind: type[httpx.TimeoutException], phase: str, seconds: float) -> httpx.TimeoutException:
    request = httpx.Request("POST", REQUEST.url, extensions={"timeout": {phase: seconds}})
    return kind("timed out", request=request)


CASES = [
    # (first failure, idempotent, sent again?, error raised when not)
    (lambda: answer(503), False, True, None),
    (lambda: answer(429), False, True, None),
    (lambda: answer(500), False, False, ServerError),
    (lambda: answer(502), False, False, ServerError),
    (lambda: answer(500), True, True, None),
    (lambda: httpx.ConnectError("refused", request=REQUEST), False, True, None),
    (lambda: timeout(httpx.ConnectTimeout, "connect", 10), False, True, None),
    (lambda: timeout(httpx.ReadTimeout, "read", 60), False, False, TimedOut),
    (lambda: timeout(httpx.ReadTimeout, "read", 60), True, True, None),
    (lambda: httpx.RemoteProtocolError("closed", request=REQUEST), False, False, Unreachable),
]


@pytest.mark.parametrize(("first", "idempotent", "again", "raised"), CASES, ids=[
    "create-503", "create-429", "create-500", "create-502", "read-500", "create-refused-connection",
    "create-connect-timeout", "create-read-timeout", "read-read-timeout", "create-dropped-connection"])
async def test_what_is_sent_again(first, idempotent, again, raised):
    calls = 0

    async def send() -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls > 1:
            return answer(200)
        outcome = first()
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def no_wait(_: float) -> None:
        return None

    policy = RetryPolicy(attempts=3, base_delay=0.01)
    if again:
        response = await send_with_retry(send, policy=policy, idempotent=idempotent, sleep=no_wait)
        assert response.status_code == 200 and calls == 2
    else:
        with pytest.raises(raised):
            await send_with_retry(send, policy=policy, idempotent=idempotent, sleep=no_wait)
        assert calls == 1


@pytest.mark.parametrize(
    ("status", "header", "kind"),
    [(429, "3", RateLimited), (503, "3", ServerError)],
)
async def test_retry_after_is_waited_and_a_too_long_one_is_left_to_the_caller(status, header, kind):
    slept: list[float] = []

    async def record(seconds: float) -> None:
        slept.append(seconds)

    answers = [answer(status, {"Retry-After": header}), answer(200)]
    await send_with_retry(lambda: _pop(answers), policy=RetryPolicy(base_delay=0.01), idempotent=False, sleep=record)
    assert slept == [3]

    answers = [answer(status, {"Retry-After": "500"}), answer(200)]
    with pytest.raises(kind) as caught:
        await send_with_retry(lambda: _pop(answers), policy=RetryPolicy(max_retry_after=60), idempotent=False,
                              sleep=record)
    assert caught.value.retry_after == 500 and slept == [3]


async def _pop(answers: list[httpx.Response]) -> httpx.Response:
    return answers.pop(0)


@pytest.mark.parametrize(
    ("failure", "text"),
    [
        (lambda: timeout(httpx.ConnectTimeout, "connect", 10), "UnoPim at https://pim.example.com did not accept a "
                                                              "connection within 10 s"),
        (lambda: timeout(httpx.ReadTimeout, "read", 60), "UnoPim at https://pim.example.com did not answer within 60 s"),
        (lambda: timeout(httpx.WriteTimeout, "write", 60), "UnoPim at https://pim.example.com did not take the "
                                                          "request within 60 s"),
    ],
    ids=["connect", "read", "write"],
)
async def test_every_time_out_names_the_server_and_the_limit(failure, text):
    async def send() -> httpx.Response:
        raise failure()

    with pytest.raises(TimedOut) as caught:
        await send_with_retry(send, policy=RetryPolicy(attempts=1), idempotent=True,
                              server="UnoPim at https://pim.example.com")
    assert str(caught.value) == text and isinstance(caught.value, ApiError) and caught.value.status == 0
