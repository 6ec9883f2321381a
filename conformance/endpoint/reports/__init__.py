"""Reports of a conformance run: terminal summary, JUnit XML for CI, one self-contained HTML.

Every report shows text only through :mod:`conformance.endpoint.redact`.
"""
