"""The JSON API (SPEC §4.2–§4.4): devices, managers, agents and admins, with bearer keys."""
