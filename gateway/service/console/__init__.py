"""The operator console: see and act on the exchange from a browser (``/console``).

Built over the gateway's own machinery (outbox, audit log, circuit breakers, the proactive VOK
list); see ``docs/console.md``.
"""

from gateway.service.console.routes import install_console

__all__ = ["install_console"]
