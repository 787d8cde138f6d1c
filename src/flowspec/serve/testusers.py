"""Descope's test-user endpoint: a one-time code for a login id, as if it had been sent.

The code goes into the doubles' outbox as the newest OTP message to the user's address,
so a flow's OTP verify task accepts it exactly as it accepts a code the flow sent, and
any code sent to that address before is superseded, as a resend supersedes it.

Descope generates codes only for users created as test users. ``flowspec serve``
generates them for any login id: every user of the test world stands in for a test user,
and a login id nobody has yet gets its code at the login id itself, where a sign-up
flow sends it.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Final

from flowspec.engine.actions.authentication import address_of
from flowspec.engine.doubles import OTP_LIFETIME, Channel, Doubles, Message
from flowspec.engine.users import Directory
from flowspec.serve.problems import BAD_REQUEST, WireError

ROUTE: Final = "/v1/mgmt/tests/generate/otp"
# Descope's delivery methods (the Python SDK's get_method_string) and the outbox channel
# each one reaches; voice and WhatsApp go to the phone, as SMS does.
_CHANNELS: Final[dict[str, Channel]] = {
    "email": "email",
    "sms": "sms",
    "voice": "sms",
    "whatsapp": "sms",
}


def generate_otp(
    doubles: Doubles,
    directory: Directory,
    login_id: str,
    delivery_method: str,
    clock: Callable[[], float] = time.time,
) -> dict[str, str]:
    """Put a fresh code for ``login_id`` in the outbox; Descope's ``{loginId, code}``."""
    channel = _CHANNELS.get(delivery_method.lower())
    if channel is None:
        known = ", ".join(sorted(_CHANNELS))
        raise WireError(BAD_REQUEST, f"deliveryMethod {delivery_method!r} is not one of {known}")
    code = f"{secrets.randbelow(10**6):06d}"
    now = clock()
    doubles.outbox.append(
        Message(
            channel=channel,
            to=address_of(directory.find(login_id), login_id, channel),
            purpose="otp",
            secret=code,
            link="",
            sent_at=now,
            expires_at=now + OTP_LIFETIME,
            task_id=ROUTE,
            flow_id="",
        )
    )
    return {"loginId": login_id, "code": code}
