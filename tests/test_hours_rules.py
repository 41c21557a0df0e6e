"""Hours rules as data: the shipped file, an administrator's own, and who gets which rule."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.hours_rules import HoursRuleChoice, HoursRulesError, choose_rule, load, parse, rules_for
from lms.models import AuditEvent, User


def test_shipped_rules_follow_the_collective_agreements_and_brlo():
    """cao po, vo (83 h), mbo (59 h) per year; BRLO 100 h a year with a 4-year registration;
    the former Lerarenregister (160 h in 4 years) as a benchmark; PDG's study load not counted."""
    rules = load()
    by_id = {r.id: r for r in rules.rules}
    assert (by_id["cao-vo"].hours, by_id["cao-vo"].period_years) == (83, 1)
    assert (by_id["cao-mbo"].hours, by_id["cao-mbo"].period_years) == (59, 1)
    assert by_id["cao-po"].period_years == 1 and by_id["cao-po"].sectors == ("po",)
    brlo = by_id["brlo"]
    assert (brlo.hours, brlo.period_years, brlo.registration_years) == (100, 1, 4)
    register = by_id["lerarenregister"]
    assert (register.hours, register.period_years, register.benchmark) == (160, 4, True)
    assert not rules.counts_course("pdg-mbo") and rules.counts_course("goed-van-start")
    assert brlo.title_in("en").startswith("BRLO") and brlo.title_in("nl").startswith("BRLO")
    assert "83" in by_id["cao-vo"].summary_in("nl")


@pytest.mark.parametrize(("roles", "sectors", "chosen", "expected"), [
    ({"learner"}, {"po"}, None, "cao-po"),
    ({"learner"}, {"vo"}, None, "cao-vo"),
    ({"learner", "mentor"}, {"mbo"}, None, "cao-mbo"),
    ({"schoolopleider", "learner"}, {"vo"}, None, "brlo"),  # the role comes before the sector
    ({"learner"}, set(), None, "lerarenregister"),  # no school sector: the default
    ({"learner"}, {"po"}, "lerarenregister", "lerarenregister"),  # chosen for this person
    ({"learner"}, {"po"}, "gone", "cao-po"),  # a choice the file no longer has: as if none
])
def test_each_person_gets_the_rule_of_their_role_or_sector(roles, sectors, chosen, expected):
    rules = load()
    assert rules.rule_for(roles, sectors, chosen).id == expected


def test_benchmarks_are_shown_next_to_ones_own_rule():
    rules = load()
    assert [r.id for r in rules.benchmarks(rules.get("cao-po"))] == ["lerarenregister"]
    assert rules.benchmarks(rules.get("lerarenregister")) == []


def test_an_administrators_own_file_replaces_the_shipped_one(app_factory, tmp_path):
    """HOURS_RULES_FILE points at the organisation's own rules."""
    own = tmp_path / "uren.yml"
    own.write_text("rules:\n  - id: eigen\n    hours: 40\n    period_years: 1\n"
                   "    title: {nl: Onze afspraak, en: Our agreement}\n"
                   "default: eigen\n", encoding="utf-8")
    app = app_factory(HOURS_RULES_FILE=str(own))
    rules = rules_for(app)
    assert [r.id for r in rules.rules] == ["eigen"]
    assert rules.rule_for({"schoolopleider"}, {"po"}).title_in("en") == "Our agreement"
    assert rules.counts_course("pdg-mbo")  # nothing is a qualification unless the file says so


@pytest.mark.parametrize(("text", "where"), [
    ("rules: []", "rules"),
    ("- a\n- b", "file"),
    ("rules:\n  - id: x\n    hours: 0\n    period_years: 1\n    title: X", "rules[0].hours"),
    ("rules:\n  - id: x\n    hours: 10\n    period_years: 0\n    title: X", "rules[0].period_years"),
    ("rules:\n  - id: x\n    hours: 10\n    period_years: 1", "rules[0].title"),
    ("rules:\n  - id: X Y\n    hours: 10\n    period_years: 1\n    title: X", "rules[0].id"),
    ("rules:\n  - id: x\n    hours: 10\n    period_years: 1\n    title: X\n    sectors: [hbo]",
     "rules[0].sectors"),
    ("rules:\n  - id: x\n    hours: 10\n    period_years: 1\n    title: X\n    roles: [boss]",
     "rules[0].roles"),
    ("rules:\n  - id: x\n    hours: 10\n    period_years: 1\n    title: X\n    hourz: 3",
     "rules[0].hourz"),
    ("rules:\n  - id: x\n    hours: 10\n    period_years: 1\n    title: X\n"
     "  - id: x\n    hours: 10\n    period_years: 1\n    title: X", "rules[1].id"),
    ("default: y\nrules:\n  - id: x\n    hours: 10\n    period_years: 1\n    title: X", "default"),
    ("rules: [\n", "file"),
    ("norms: 1\nrules:\n  - id: x\n    hours: 10\n    period_years: 1\n    title: X", "norms"),
])
def test_a_bad_rules_file_names_the_field(text, where):
    with pytest.raises(HoursRulesError) as failed:
        parse(text, "uren.yml")
    assert str(failed.value).startswith(f"uren.yml: {where}: ")


def test_an_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(HoursRulesError, match="cannot be read"):
        load(tmp_path / "missing.yml")


def test_a_schoolopleider_chooses_a_persons_rule_audited(app, world):
    """The choice is stored once per person, changed in place, cleared, and audited each time."""
    with app.app_context():
        learner = db.session.get(User, world.users["learner"])
        by = db.session.get(User, world.users["schoolopleider"])
        choose_rule(learner, "lerarenregister", by=by)
        choose_rule(learner, "lerarenregister", by=by)  # the same again: nothing new
        choose_rule(learner, "brlo", by=by)
        row = db.session.get(HoursRuleChoice, learner.id)
        assert (row.rule, row.chosen_by_id) == ("brlo", by.id)
        choose_rule(learner, None, by=by)
        assert db.session.get(HoursRuleChoice, learner.id) is None
        with pytest.raises(HoursRulesError):
            choose_rule(learner, "unknown", by=by)
        audits = db.session.scalars(select(AuditEvent.detail).where(
            AuditEvent.action == "hours_rule.choose").order_by(AuditEvent.id)).all()
    assert audits == [{"before": None, "after": "lerarenregister"},
                      {"before": "lerarenregister", "after": "brlo"},
                      {"before": "brlo", "after": None}]


@pytest.mark.parametrize(("who", "allowed"), [
    ("schoolopleider", True), ("admin", True), ("learner", False), ("mentor", False),
    ("other_schoolopleider", False), ("coordinator", False),
])
def test_who_may_choose_a_learners_rule(app, world, who, allowed):
    """The learner's schoolopleider (and an admin) choose; the learner, a mentor, another
    school's schoolopleider and a coordinator do not."""
    from lms.access import can

    with app.app_context():
        learner = db.session.get(User, world.users["learner"])
        actor = db.session.get(User, world.users[who])
        assert can(actor, "hours_rule.choose", learner) is allowed
