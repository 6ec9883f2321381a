"""The SOAP envelope namespaces (and the XML namespace faults use for ``xml:lang``).

A leaf module: the WS-Security constants (:mod:`gateway.wssecurity.ns`) re-export these, so that
the envelope code below them can be imported without importing the WS-Security package.
"""

from __future__ import annotations

from typing import Final

SOAP11: Final = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12: Final = "http://www.w3.org/2003/05/soap-envelope"
XML: Final = "http://www.w3.org/XML/1998/namespace"
