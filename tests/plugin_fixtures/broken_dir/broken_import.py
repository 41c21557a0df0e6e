"""A directory plugin that cannot be imported."""
import leerpad_module_that_does_not_exist  # noqa: F401
