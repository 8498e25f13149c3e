"""Local table creation from infra/resources.json, including data directories from older versions."""

import uuid

from devstack import tables


def test_a_table_from_an_older_version_gets_the_indexes_added_since(dynamodb_local):
    client = dynamodb_local.client()
    name = f"old-{uuid.uuid4().hex[:8]}"
    old = tables.create_table_kwargs(name)
    old["GlobalSecondaryIndexes"] = [i for i in old["GlobalSecondaryIndexes"] if i["IndexName"] == "gsi1"]
    old["AttributeDefinitions"] = [a for a in old["AttributeDefinitions"] if not a["AttributeName"].startswith("gsi2")]
    client.create_table(**old)
    assert tables.ensure_table(client, name) is False  # it existed
    indexes = {i["IndexName"] for i in client.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"]}
    assert indexes == {i["IndexName"] for i in tables.table_definition()["GlobalSecondaryIndexes"]}
    client.delete_table(TableName=name)
