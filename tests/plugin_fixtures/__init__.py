"""Fixtures for the plugin tests: a course with one lesson of every bundled type, and
small plugins that exercise the hooks.

Each ``*_dir`` folder is a plugin directory for ``PLUGINS_DIRS``; the example certificate
plugin lives in ``docs/examples/certificate``.
"""
