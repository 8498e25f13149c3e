"""The customer pages (SPEC §4.1): rating by QR code, the suggestion box, the
follow-up rating and the published 五进 results. No JavaScript, Chinese first;
each form answers JSON too when asked."""

from chalicelib.pages import follow_up, home, outreach, public_results, rating, suggestion_box, survey

BLUEPRINTS = tuple(
    m.routes.blueprint for m in (home, rating, suggestion_box, follow_up, outreach, public_results, survey)
)
