"""All models, one module per aggregate; importing this registers every table."""
from lms.models.accounts import ROLES, MentorAssignment, RoleAssignment, User
from lms.models.audit import AuditEvent, audit
from lms.models.organisations import Organisation

__all__ = ["ROLES", "AuditEvent", "MentorAssignment", "Organisation", "RoleAssignment", "User", "audit"]
