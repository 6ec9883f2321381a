"""SOAP plumbing shared by brug's partner clients and the partner simulators.

* :mod:`gateway.soap.envelope`: build and split SOAP 1.1 / 1.2 envelopes, HTTP headers;
* :mod:`gateway.soap.faults`: write and read SOAP Faults, with brug violations in
  ``gw:ValidationFault``;
* :mod:`adapters.soap.acknowledgement`: the ``gw:AcknowledgementType`` partners answer with;
* :mod:`adapters.soap.errors`: transient vs permanent partner errors (retry or dead-letter);
* :mod:`adapters.soap.exchange`: sign at send time, POST, verify the answer, classify;
* :mod:`adapters.soap.server`: the server side (verify, validate, dispatch, answer signed).
"""
