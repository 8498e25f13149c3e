"""In-memory fakes that satisfy the service ports, one module per feature; the
contract suite holds them to the same behaviour as the DynamoDB repositories."""
