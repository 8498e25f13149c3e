"""Tingsheng (厅声): customer feedback for power supply business halls.

Layers, dependencies pointing inward:
- ``domain``: pydantic models and rules; the standard library and pydantic only.
- ``services``: use cases; take their repositories (ports) as arguments.
- ``adapters``: the only modules that import boto3.
- ``api``: the HTTP layer (Chalice blueprints, request schemas, errors).
- ``composition``: builds clients lazily and wires adapters into services.
"""
