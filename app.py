"""Tingsheng (厅声): routes and event handlers, wired to services.

Each feature is a blueprint in chalicelib/api; this file only registers them.
"""

from chalice import Chalice

from chalicelib.api import admin, auth, boundary, device, outreach, public, qr, rating_page, suggestion_box, suggestions

app = Chalice(app_name="tingsheng")
boundary.install(app)

for module in (public, auth, admin, outreach, device, qr, rating_page, suggestion_box, suggestions):
    app.register_blueprint(module.routes.blueprint)
