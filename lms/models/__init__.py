"""All models, one module per aggregate; importing this registers every table."""
from lms.models.accounts import ROLES, MentorAssignment, RoleAssignment, User
from lms.models.audit import AuditEvent, audit
from lms.models.content import (Asset, Competence, CompetenceFramework, Course, Lesson, Track,
                                TrackCourse)
from lms.models.organisations import Organisation
from lms.models.progress import (Credential, Enrolment, Exemption,  # noqa: F401
                                 LessonState, ProgressEvent, CourseState, TrackState)
from lms.models.portfolio import ApiToken, DevelopmentGoal, HoursEntry  # noqa: F401
from lms.models.notifications import Notification  # noqa: F401
from lms.models.confirmations import CompetenceConfirmation  # noqa: F401
from lms.models.privacy import PrivacyStatus  # noqa: F401
from lms.models.jobs import JobFailure  # noqa: F401
from lms.models.exports import ReportExport  # noqa: F401
from lms.models.records import LearningRecordRow  # noqa: F401
from lms.models.calendar import CalendarFeed  # noqa: F401

__all__ = [
    "ROLES", "Asset", "AuditEvent", "Competence", "CompetenceFramework", "Course", "Lesson",
    "MentorAssignment", "Organisation", "RoleAssignment", "Track", "TrackCourse", "User", "audit",
]
