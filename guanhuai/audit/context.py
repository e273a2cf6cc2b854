"""Request context (source IP) for audit events, set by middleware.

Services take ``acting_user`` explicitly; the IP address is ambient because
it belongs to the transport, not to the business action.
"""

from __future__ import annotations

import contextvars

_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_ip", default=None)


def current_ip() -> str | None:
    return _ip.get()


def set_ip(ip: str | None) -> contextvars.Token:
    return _ip.set(ip)


def reset_ip(token: contextvars.Token) -> None:
    _ip.reset(token)
