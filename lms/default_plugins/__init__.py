"""The core's default behaviour, registered as plugins like any other."""
