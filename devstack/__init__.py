"""The local development stack: DynamoDB Local, the tables, the app server.

Nothing here ships to Lambda; it only starts, locally, the same code that
runs there.
"""
