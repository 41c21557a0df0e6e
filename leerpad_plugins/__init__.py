"""The plugins bundled with Leerpad: each sub-package is a self-contained plugin (its own
templates, static files, migrations branch and tests) registered through the ``lms``
entry-point group, exactly like a plugin installed from another distribution."""
