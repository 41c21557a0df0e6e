"""The shipped course for leidinggevenden (binden-en-boeien) passes the checker, imports with
the plugins' lesson types, and is offered to leidinggevenden."""
from __future__ import annotations

import shutil

from sqlalchemy import select

from lms.content import SHIPPED_COURSES
from lms.extensions import db
from lms.models import Course
from leerpad_plugins.talent.testing import login

SLUG = "binden-en-boeien"


def test_the_course_imports_with_real_lessons(app, tmp_path, people):
    """Three text lessons, a reflection and an assignment, for leidinggevenden."""
    from lms.content.importer import import_directory

    root = tmp_path / "shipped"
    for folder in ("frameworks", SLUG):
        shutil.copytree(SHIPPED_COURSES / folder, root / folder)
    with app.app_context():
        import_directory(root)
        course = db.session.scalar(select(Course).where(Course.slug == SLUG))
        types = [lesson.type for lesson in course.lessons]
        assert "leidinggevende" in course.audience
        assert types == ["page", "page", "page", "reflection", "assignment"]
        assert all(len(lesson.html) > 1500 for lesson in course.lessons if lesson.type == "page")
    client = app.test_client()
    login(client, "leidinggevende")
    page = client.get(f"/cursussen/{SLUG}/het-stay-gesprek-voeren").get_data(as_text=True)
    assert "Luisteren, samenvatten, doorvragen" in page
