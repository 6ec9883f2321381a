"""XML handling shared by every flow: hardened parsing and XSD validation."""
