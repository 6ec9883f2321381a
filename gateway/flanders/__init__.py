"""Flemish side of brug: binding of the VOV registration and ODB course schemas."""
