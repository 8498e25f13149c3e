"""Deployment: the merge template and the packaging script (not shipped to Lambda)."""
