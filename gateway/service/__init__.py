"""The running gateway: SOAP endpoints for partners, REST for Flemish backends, operations.

Data flows one way: transport → security → validation → mapping → store/outbox → delivery.
"""
