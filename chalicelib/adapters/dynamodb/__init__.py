"""DynamoDB repositories over one table (single-table design, docs/data-model.md).

Each repository takes a low-level boto3 client by injection. Item mapping
lives here: ``Decimal`` and DynamoDB's typed JSON never leave this package,
and botocore errors become domain errors.
"""
