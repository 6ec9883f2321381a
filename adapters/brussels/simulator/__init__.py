"""A Brussels BEV service (Fidus/BEE stand-in) as a real signed SOAP server on loopback.

:func:`~adapters.brussels.simulator.service.build_app` assembles it; ``brug simulate brussels``
runs it. See docs/simulators.md.
"""
