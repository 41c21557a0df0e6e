"""All models, one module per aggregate; importing this registers every table."""
from lms.models.accounts import ROLES, MentorAssignment, RoleAssignment, User
from lms.models.audit import AuditEvent, audit
from lms.models.content import (Asset, Competence, CompetenceFramework, Course, Lesson, Track,
                                TrackCourse)
from lms.models.organisations import Organisation

__all__ = [
    "ROLES", "Asset", "AuditEvent", "Competence", "CompetenceFramework", "Course", "Lesson",
    "MentorAssignment", "Organisation", "RoleAssignment", "Track", "TrackCourse", "User", "audit",
]
