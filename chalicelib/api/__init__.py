"""The HTTP layer: blueprints that parse a request, call one service function
and render the answer. Domain errors become HTTP answers in ``errors``."""
