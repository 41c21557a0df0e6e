"""Leerpad's own suite uses the same test kit as plugin developers: the fixtures ``app``,
``app_factory``, ``client``, ``runner``, ``world``, ``auth`` and ``lms_course`` come from
``lms.testing`` (a pytest plugin registered by the installed package). SQLite by default,
PostgreSQL when LMS_TEST_DATABASE_URL is set."""
