"""What every partner simulator shares: fault injection, the received-message log, the admin
endpoints, loading the simulator's keys, and starting a simulator as a real process.

The simulators stand in for Brussels (Fidus/BEE) and the federal side (KSZ/MAGDA) in tests and
demos. They are real SOAP servers on loopback so that the gateway's delivery, retry and
idempotency are exercised over real sockets, including the failures real partners have.
"""
