"""The learning path ("Mijn leerpad"): everything a teacher's path page and the API show,
computed with a fixed, small number of queries whatever the amount of data.

``learning_path(learner)`` runs exactly three queries (the learner's roles and schools come
with the learner: load them with it, as the login does):

1. enrolments with their tracks' courses (one row per enrolment × track course),
2. the learning record: course states and completed lesson states, as one UNION,
3. the portfolio and the frameworks: logged hours, development goals, credentials, the
   hours rule chosen for the learner and every competence of every framework, as one UNION.

Everything else is arithmetic on those rows, in pure functions tested directly. Hours follow
the learner's hours rule (``lms.hours_rules``): their chosen rule, else by role, else by
their school's sector, else the default.

The modules: ``model`` (the plain data), ``hours`` (years and periods of an hours rule),
``frameworks`` (competence coverage, NLQF levels), ``queries`` (the three queries) and
``build`` (``learning_path`` and its settings).
"""
from lms.readmodels.path.build import PathSettings, learning_path
from lms.readmodels.path.model import LearningPath

__all__ = ["LearningPath", "PathSettings", "learning_path"]
