"""The one SOAP layer: envelopes (1.1 and 1.2), faults, and what a partner's answer means.

Core code (no I/O, no adapters), shared by the WS-Security layer, the gateway's SOAP service, the
partner simulators and the partner clients, so that there is exactly one definition of

* :mod:`gateway.soap.envelope`: what an Envelope is (building, splitting, the HTTP headers);
* :mod:`gateway.soap.faults`: writing and reading SOAP Faults;
* :mod:`gateway.soap.outcome`: how an answer (or its absence) is classified for delivery:
  delivered, transient, permanent or unknown.
"""
