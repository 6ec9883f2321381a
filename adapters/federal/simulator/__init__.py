"""A federal career-break service (KSZ/MAGDA stand-in) as a real signed SOAP server on loopback,
answering from seeded data and pushing attest mutations to the gateway.

``brug simulate federal`` runs it; see docs/simulators.md.
"""
