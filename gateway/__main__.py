"""``python -m gateway`` runs the ``brug`` command (handy where the script is not on PATH)."""

from gateway.cli import main

main()
