"""The domain's fixed words (roles, sectors), importable without the database layer: the
command line's options use them before any model is loaded."""
from __future__ import annotations

# leidinggevende: a school leader (directeur, teamleider) of the people at their school.
ROLES = ("learner", "mentor", "schoolopleider", "leidinggevende", "coordinator", "author", "admin")
SECTORS = ("po", "vo", "mbo")
