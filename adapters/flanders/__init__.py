"""The Flemish partner (the backends brug serves): binding of the VOV registration and ODB course
schemas."""
