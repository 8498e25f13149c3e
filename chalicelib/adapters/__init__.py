"""Adapters to the outside world. The only package that imports boto3."""
