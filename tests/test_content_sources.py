"""Course sources: several folders imported side by side, each archiving only its own."""
from __future__ import annotations

import shutil

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy import select

from lms import create_app
from lms.commands.courses import courses_group
from lms.content import ContentError
from lms.content.importer import import_directory
from lms.content.validate import check_directory
from lms.extensions import db
from lms.models import Course, Lesson, Track
from lms.models.content import CompetenceFramework, ContentSource
from lms.testing import PG_URL, write_course
from tests.fixtures.content import EXAMPLE, count_writes, write

FRAMEWORK = EXAMPLE / "frameworks/bekwaamheidseisen.yml"


def course(slug: str, *lessons: str, extra: str = "") -> dict[str, str]:
    files = {"course.md": f"---\nid: {slug}\ntitle: Cursus {slug}\n{extra}---\nIntro.\n"}
    for n, lesson in enumerate(lessons, start=1):
        files[f"{n:02d}-{lesson}.md"] = f"---\nid: {lesson}\ntitle: Les {lesson}\ntype: page\n---\nTekst.\n"
    return files


@pytest.fixture
def teams(tmp_path):
    """Two teams' folders: team-po has po-start and a framework, team-vo has vo-start."""
    po = write_course(tmp_path / "team-po", course("po-start", "welkom", "klas"))
    (po / "frameworks").mkdir()
    shutil.copy(FRAMEWORK, po / "frameworks")
    vo = write_course(tmp_path / "team-vo", course("vo-start", "welkom"))
    return po, vo


def live(model) -> dict[str, str]:
    return {row.slug: row.source for row in db.session.scalars(
        select(model).where(model.archived.is_(False)))}


def lesson_ids(course_slug: str) -> dict[str, int]:
    return dict(db.session.execute(select(Lesson.slug, Lesson.id).join(Course).where(
        Course.slug == course_slug)).all())


def run(app, *args):
    return app.test_cli_runner().invoke(courses_group, [str(a) for a in args])


def test_two_sources_leave_each_others_catalogue_intact(app, teams):
    """Importing team-vo after team-po keeps po's courses; each row names its source."""
    po, vo = teams
    with app.app_context():
        first = import_directory(po)
        second = import_directory(vo)
        assert (first.source, second.source) == ("team-po", "team-vo")
        assert second["courses"].archived == 0 and second["lessons"].archived == 0
        assert live(Course) == {"po-start": "team-po", "vo-start": "team-vo"}
        assert db.session.scalar(select(CompetenceFramework.source)) == "team-po"
        assert db.session.scalar(select(db.func.count()).select_from(Lesson)
                                 .where(Lesson.archived.is_(False))) == 3
        # importing po again, unchanged, writes nothing and still archives nothing of vo
        db.session.remove()
        with count_writes(db.engine) as writes:
            again = import_directory(po)
        assert writes == [] and not again.changed_anything
        assert live(Course) == {"po-start": "team-po", "vo-start": "team-vo"}


def test_removing_a_course_archives_it_in_its_own_source_only(app, teams):
    """A course gone from team-po is archived; team-vo's courses stay live."""
    po, vo = teams
    write_course(po, course("po-verdieping", "oefenen"))
    with app.app_context():
        import_directory(po)
        import_directory(vo)
        shutil.rmtree(po / "po-verdieping")
        summary = import_directory(po)
        assert summary["courses"].archived == 1 and summary["lessons"].archived == 0
        assert [c for c in summary.changes if c.what == "archived"][0].ref == "po-verdieping"
        assert live(Course) == {"po-start": "team-po", "vo-start": "team-vo"}


def test_a_track_may_name_a_course_of_another_source(app, teams, tmp_path):
    """check and import resolve a track's courses against what other sources imported, and
    say which source answered."""
    po, vo = teams
    write(vo / "tracks/starters.md", """
        ---
        id: starters
        title: Starters
        courses:
          - course: vo-start
          - course: po-start
            required: false
            after: [vo-start]
        ---
        Samen.
        """)
    write(vo / "vo-start/course.md", """
        ---
        id: vo-start
        title: Cursus vo-start
        competences: [bekwaamheidseisen:pedagogisch]
        prerequisites: [po-start]
        ---
        Intro.
        """)
    with app.app_context():
        before = check_directory(vo)
        assert any("unknown course 'po-start'" in p.message for p in before)
        import_directory(po)
        assert check_directory(vo) == []
        summary = import_directory(vo)
        assert "tracks/starters.md:6: courses[1].course: course 'po-start' from source " \
               "'team-po'" in summary.references
        assert any("competence 'bekwaamheidseisen:pedagogisch' from source 'team-po'" in line
                   for line in summary.references)
        track = db.session.scalar(select(Track).where(Track.slug == "starters"))
        assert track.source == "team-vo"
        assert [(tc.course.slug, tc.course.source) for tc in track.courses] == [
            ("vo-start", "team-vo"), ("po-start", "team-po")]
    result = run(app, "check", vo)
    assert result.exit_code == 0, result.output
    assert "References to other sources:" in result.output
    assert "course 'po-start' from source 'team-po'" in result.output


def test_an_archived_course_of_another_source_is_named_as_such(app, teams):
    """A reference to a course its own source archived says so."""
    po, vo = teams
    write(vo / "tracks/t.md", "---\nid: t\ntitle: T\ncourses: [po-start]\n---\n")
    with app.app_context():
        import_directory(po)
        shutil.rmtree(po / "po-start")
        import_directory(po)
        problems = [str(p) for p in check_directory(vo)]
    assert problems == ["tracks/t.md:4: courses[0].course: course 'po-start' of source "
                        "'team-po' is archived"]


def test_moving_a_course_between_sources_is_explicit(app, teams, tmp_path):
    """The same id in another source is an error naming the owner; --move-from moves the
    course with its lessons (same rows), and the old source no longer archives it."""
    po, vo = teams
    with app.app_context():
        import_directory(po)
        ids = lesson_ids("po-start")
        shutil.copytree(po / "po-start", vo / "po-start")
        with pytest.raises(ContentError) as refused:
            import_directory(vo)
        assert [str(p) for p in refused.value.errors] == [
            "po-start/course.md:2: id: course 'po-start' belongs to source 'team-po': import "
            "with --move-from team-po to move it to source 'team-vo', or give this course "
            "another id"]
        summary = import_directory(vo, move_from=["team-po"])
        assert summary["courses"].changed == 1 and summary["lessons"].unchanged == 2
        assert [str(c) for c in summary.changes if c.kind == "course"][0].startswith(
            "moved      course    po-start  Cursus po-start (from source 'team-po')")
        assert live(Course) == {"po-start": "team-vo", "vo-start": "team-vo"}
        assert lesson_ids("po-start") == ids
        shutil.rmtree(po / "po-start")
        import_directory(po)  # po no longer has it, but it is vo's now: stays live
        assert live(Course)["po-start"] == "team-vo"
    cli = run(app, "check", vo)
    assert cli.exit_code == 0, cli.output


def test_a_shared_framework_file_may_be_in_both_sources(app, teams):
    """The very same framework file in two sources is fine; a different version is an error
    naming the source that owns it."""
    po, vo = teams
    (vo / "frameworks").mkdir()
    shutil.copy(FRAMEWORK, vo / "frameworks")
    with app.app_context():
        import_directory(po)
        summary = import_directory(vo)
        assert summary["frameworks"].unchanged == 1
        assert db.session.scalar(select(CompetenceFramework.source)) == "team-po"
        changed = vo / "frameworks/bekwaamheidseisen.yml"
        changed.write_text(changed.read_text().replace("Pedagogisch bekwaam", "Pedagogisch"))
        problems = [str(p) for p in check_directory(vo) if p.is_error]
    assert problems == [
        "frameworks/bekwaamheidseisen.yml:1: id: framework 'bekwaamheidseisen' belongs to "
        "source 'team-po' and differs from this file: import with --move-from team-po to move "
        "it to source 'team-vo', or give this framework another id"]


def test_source_names_come_from_the_option_the_settings_or_the_folder(app_factory, teams):
    """--source names a source; COURSE_SOURCES configures several, imported one by one."""
    po, vo = teams
    app = app_factory(COURSE_SOURCES={"po": str(po), "vo": str(vo)})
    result = run(app, "import")
    assert result.exit_code == 0, result.output
    assert f"Source 'po' from {po}" in result.output and f"Source 'vo' from {vo}" in result.output
    with app.app_context():
        assert live(Course) == {"po-start": "po", "vo-start": "vo"}
    again = run(app, "import", vo)  # the configured name of that folder, not its own name
    assert "Source 'vo'" in again.output and "Nothing changed." in again.output
    unknown = run(app, "import", "--source", "elders")
    assert unknown.exit_code != 0 and "no folder for source 'elders'" in unknown.output
    bad = run(app, "import", vo, "--source", "Team VO")
    assert bad.exit_code != 0 and "not a valid source name" in bad.output


def test_sources_lists_counts_and_last_import(app, teams):
    """lms courses sources: each source's folder, counts and when it last changed."""
    po, vo = teams
    assert "No sources yet" in run(app, "sources").output
    run(app, "import", po)
    run(app, "import", vo)
    shutil.rmtree(vo / "vo-start")
    run(app, "import", vo)
    output = run(app, "sources").output
    lines = output.splitlines()
    assert lines[0] == f"team-po  {po.resolve()}"
    assert lines[1].startswith("  courses 1 (0 archived), lessons 2, tracks 0 (0 archived), "
                               "frameworks 1; last import that changed something: 20")
    assert lines[2] == f"team-vo  {vo.resolve()}"
    assert lines[3].startswith("  courses 0 (1 archived), lessons 0,")


def test_verbose_and_dry_run_name_every_change_and_dry_run_writes_nothing(app, teams):
    """-v lists each course, lesson and track by id and title; --dry-run shows the same
    without writing a row."""
    po, _ = teams
    with app.app_context():
        db.session.remove()
        with count_writes(db.engine) as writes:
            planned = import_directory(po, dry_run=True)
        assert writes == [] and db.session.scalar(select(Course)) is None
        done = import_directory(po)
        assert [str(c) for c in planned.changes] == [str(c) for c in done.changes]
        assert str(planned) == str(done)
    (po / "po-start/02-klas.md").unlink()
    write(po / "po-start/01-welkom.md", "---\nid: welkom\ntitle: Welkom!\ntype: page\n---\nNieuw.\n")
    result = run(app, "import", po, "--dry-run", "-v")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "changed    lesson    po-start/welkom  Welkom!" in lines
    assert "archived   lesson    po-start/klas  Les klas" in lines
    assert "unchanged  course    po-start  Cursus po-start" not in lines  # -vv shows those
    assert "Dry run: nothing was written." in lines
    with app.app_context():
        assert db.session.scalar(select(Lesson.title).where(Lesson.slug == "welkom")) == "Les welkom"
    everything = run(app, "import", po, "-vv")
    assert "unchanged  course    po-start  Cursus po-start" in everything.output.splitlines()


def _before_sources(tmp_path, config: dict, slug: str, source_path: str):
    """An app whose database has one course imported before sources existed (migration 0050
    plus a row), then upgraded to the heads."""
    if PG_URL:
        from tests.test_migrations import _own_database
    else:
        from contextlib import nullcontext

        def _own_database(path):
            return nullcontext(f"sqlite:///{path / 'legacy.sqlite'}")
    with _own_database(tmp_path) as url:
        app = create_app({"INSTANCE_PATH": tmp_path / "instance", "DATABASE_URL": url,
                          "TESTING": True, "SECRET_KEY": "x", **config})
        try:
            with app.app_context():
                upgrade(revision="0050")
                db.session.execute(sa.text(
                    "INSERT INTO course (slug, title, summary, audience, sectors, language, hours, "
                    "competences, prerequisites, version, intro_html, source_path, content_hash, "
                    "archived, updated_at) VALUES (:slug, 'Oud', '', '[]', '[]', 'nl', 0, '[]', "
                    "'[]', '1', '', :path, '', false, CURRENT_TIMESTAMP)"),
                    {"slug": slug, "path": source_path})
                db.session.commit()
                upgrade(revision="heads")
            yield app
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def test_migration_gives_existing_rows_the_configured_folders_name(tmp_path):
    """Rows imported before sources existed get the name of COURSES_DIR's folder, so the next
    import of that folder carries on without --move-from."""
    folder = write_course(tmp_path / "Onze Cursussen", course("oud", "les"))
    for app in _before_sources(tmp_path, {"COURSES_DIR": str(folder)}, "oud", "oud/course.md"):
        with app.app_context():
            assert db.session.scalar(select(Course.source)) == "onze-cursussen"
            assert db.session.scalar(select(ContentSource.name)) == "onze-cursussen"
            summary = import_directory(folder)
            assert summary.source == "onze-cursussen" and summary["courses"].changed == 1


def test_migration_names_a_demos_shipped_courses_after_their_folder(tmp_path):
    """Without COURSES_DIR, rows that are all shipped courses (a demo) get the name the demo's
    next import of them gets; other rows get 'courses'."""
    from lms.content import SHIPPED_COURSES

    for app in _before_sources(tmp_path, {}, "goed-van-start", "goed-van-start/course.md"):
        with app.app_context():
            assert db.session.scalar(select(Course.source)) == "shipped-courses"
            assert import_directory(SHIPPED_COURSES).source == "shipped-courses"
    for app in _before_sources(tmp_path / "ander", {}, "eigen", "eigen/course.md"):
        with app.app_context():
            assert db.session.scalar(select(Course.source)) == "courses"
