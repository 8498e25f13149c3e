"""The customer pages (SPEC §4.1): rating by QR code, the suggestion box, the
follow-up rating and the published 五进 results. No JavaScript, Chinese first;
each form answers JSON too when asked."""
