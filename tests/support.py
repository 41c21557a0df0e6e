"""Test helpers: a small world of organisations and people, and logging in."""
from __future__ import annotations

from dataclasses import dataclass

from lms.extensions import db
from lms.models import MentorAssignment, Organisation, RoleAssignment, User

PASSWORD = "correct horse battery"


@dataclass
class World:
    """Ids of the seeded organisations and people (objects are detached after the fixture)."""

    region: int
    board: int
    other_board: int
    school: int
    other_school: int
    users: dict[str, int]

    def email(self, who: str) -> str:
        return f"{who}@example.org"


def add_user(who: str, roles: list[tuple[str, Organisation]], **fields) -> User:
    user = User(email=f"{who}@example.org", name=who.replace("_", " ").title(), **fields)
    user.set_password(PASSWORD)
    db.session.add(user)
    for role, org in roles:
        db.session.add(RoleAssignment(user=user, organisation=org, role=role))
    return user


def make_world() -> World:
    region = Organisation(kind="region", name="Regio Testland")
    board = Organisation(kind="board", name="Bestuur Noord", parent=region)
    other_board = Organisation(kind="board", name="Bestuur Zuid", parent=region)
    school = Organisation(kind="school", name="Het Noorderlicht", sector="vo", parent=board)
    other_school = Organisation(kind="school", name="De Zuiderzon", sector="po", parent=other_board)
    db.session.add_all([region, board, other_board, school, other_school])
    people = {
        "learner": add_user("learner", [("learner", school)]),
        "other_learner": add_user("other_learner", [("learner", school)]),
        "far_learner": add_user("far_learner", [("learner", other_school)]),
        "mentor": add_user("mentor", [("mentor", school)]),
        "other_mentor": add_user("other_mentor", [("mentor", school)]),
        "schoolopleider": add_user("schoolopleider", [("schoolopleider", school), ("learner", school)]),
        "other_schoolopleider": add_user("other_schoolopleider", [("schoolopleider", other_school)]),
        "coordinator": add_user("coordinator", [("coordinator", board)]),
        "other_coordinator": add_user("other_coordinator", [("coordinator", other_board)]),
        "author": add_user("author", [("author", region)]),
        "admin": add_user("admin", [("admin", region)]),
    }
    db.session.flush()
    db.session.add(MentorAssignment(mentor=people["mentor"], learner=people["learner"]))
    db.session.add(MentorAssignment(mentor=people["other_mentor"], learner=people["other_learner"]))
    db.session.commit()
    return World(region.id, board.id, other_board.id, school.id, other_school.id,
                 {k: v.id for k, v in people.items()})


class Auth:
    """Log in and out through the real login form."""

    def __init__(self, client):
        self.client = client

    def login(self, who: str = "learner", password: str = PASSWORD, **kwargs):
        return self.client.post("/login", data={"email": f"{who}@example.org", "password": password},
                                **kwargs)

    def logout(self):
        return self.client.post("/logout")
