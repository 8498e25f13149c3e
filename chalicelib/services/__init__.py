"""Use cases. Each takes the repositories it needs as arguments (ports in
``ports``), so tests hand in fakes and the composition root hands in DynamoDB."""
