"""The bundled openbadges plugin: track credentials a teacher can carry, as Open Badges 3.0.

When the core issues a track's credential (the ``credential_issued`` learning record) the
plugin also issues an ``OpenBadgeCredential`` — a W3C Verifiable Credential secured as a
VC-JWT, signed with the platform's Ed25519 key under the issuer ``did:web`` of its own
address (document at ``/.well-known/did.json``). Verifiers check it without Leerpad's help:
the signature against the DID document, revocation against the Bitstring Status List the
platform hosts, expiry against ``validUntil``.

- The holder downloads each credential as a signed JSON file (a VC 2.0
  ``EnvelopedVerifiableCredential``), as the bare VC-JWT and as a baked PNG badge, and may
  give it a public page at ``/bewijzen/<uuid>`` (full name or initials) and take it down.
- Admins and the schoolopleiders of the holder's school revoke (with a reason, audited,
  never published) and renew: a credential that expires soon shows on the learner's path
  with the track to redo; renewing issues a new credential, the old one stays verifiable
  (as expired once its last day has passed).
- ``lms openbadges issue-missing`` signs credentials issued before the plugin was installed;
  ``lms openbadges rotate-key`` starts signing with a new key (old keys stay published).

See docs/credentials.md.
"""
from __future__ import annotations

from importlib import resources

import click
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l

from lms import hookimpl
from lms.activities import NavItem, Setting, render_fragment

from . import issuing, models, privacy, rules, views  # noqa: F401  (models: the table)

__version__ = "1.0"


@hookimpl
def lms_settings():
    return [
        Setting("OPENBADGES_ISSUER_NAME", "the issuer's name in credentials (default: the name "
                "of the holder's region)", default=""),
        Setting("OPENBADGES_ISSUER_URL", "the issuer's web site in credentials (default: "
                "BASE_URL)", default=""),
        Setting("OPENBADGES_KEYS_DIR", "folder of the Ed25519 signing keys, shared by every "
                "app server (default: openbadges-keys in the instance folder)", default=""),
        Setting("OPENBADGES_SIGNING_KEY", "the key that signs (its id; default: the newest "
                "key in OPENBADGES_KEYS_DIR)", default=""),
    ]


@hookimpl
def lms_register_blueprints(app):
    from lms.web.old_urls import redirect_old_paths

    redirect_old_paths(app, {
        "/credentials/<uuid:token>": "/bewijzen/<uuid:token>",  # links holders shared
        "/plugins/openbadges/public": "/plugins/openbadges/openbaar",
        "/plugins/openbadges/revoke": "/plugins/openbadges/intrekken",
        "/plugins/openbadges/renew": "/plugins/openbadges/vernieuwen",
    })
    return [views.bp]


@hookimpl
def lms_migration_locations():
    return [str(resources.files(__name__) / "migrations" / "versions")]


@hookimpl
def lms_learning_record(record):
    """Sign the credential the core has just issued."""
    if record.kind != "credential_issued":
        return
    from lms.extensions import db
    from lms.models.progress import Credential

    credential = db.session.get(Credential, int(record.object_id))
    if credential is not None and issuing.issue_for_credential(credential) is not None:
        db.session.commit()


@hookimpl
def lms_permission(user, action, resource):
    return rules.badge_permission(user, action, resource)


@hookimpl
def lms_nav_items(user):
    if getattr(user, "is_authenticated", False):
        return [NavItem("openbadges.mine", _l("Credentials"), 45)]
    return None


@hookimpl
def lms_path_sections(user, path, viewer):
    """Credentials that expire within 90 days (or have expired) and are not renewed, with
    the track to redo; shown to the learner only. One query."""
    if viewer is None or viewer.id != user.id:
        return None
    due = issuing.due_for_renewal(user)
    if not due:
        return None
    return render_fragment("openbadges/_path_section.html", due=due, labels=views.STATUS_LABELS,
                           status=issuing.status)


@hookimpl
def lms_learner_sections(viewer, learner, scope):
    """The learner's credentials, for those who may revoke and renew them."""
    if scope != "schoolopleider":
        return None
    rows = [row for row in views.learner_rows(learner)
            if rules.may_manage(viewer, row)]
    if not rows:
        return None
    return render_fragment("openbadges/_learner_section.html", rows=rows,
                           labels=views.STATUS_LABELS, status=issuing.status)


@hookimpl
def lms_personal_data(user):
    return privacy.personal_data(user) or None


@hookimpl
def lms_erase_personal_data(user):
    privacy.erase(user)


@hookimpl
def lms_register_commands(cli):
    cli.add_command(openbadges_cli)


@click.group("openbadges", help="Open Badges 3.0: signing keys and signed credentials.")
def openbadges_cli():
    pass


@openbadges_cli.command("issue-missing")
@with_appcontext
def issue_missing_command():
    """Sign every track credential that has no Open Badges credential yet."""
    click.echo(f"signed {issuing.issue_missing()} credential(s)")


@openbadges_cli.command("keys")
@with_appcontext
def keys_command():
    """List the signing keys (the first one signs) and the issuer's DID; creates the first
    key when there is none."""
    from .did import issuer_did
    from .keys import all_keys, keys_dir, signing_key

    signing_key()
    click.echo(f"issuer: {issuer_did()}  (keys in {keys_dir()})")
    for number, key in enumerate(all_keys()):
        click.echo(f"{'signs ' if number == 0 else '      '}{key.fragment}  created {key.created}")


@openbadges_cli.command("rotate-key")
@with_appcontext
def rotate_key_command():
    """Create a new signing key; the old ones stay published so old credentials verify."""
    from .keys import create_key

    key = create_key()
    click.echo(f"new signing key {key.fragment}; earlier keys stay in did.json")


def show_in_demo(user, *, revoked: bool = False) -> None:
    """Demo data (``lms demo``): give the person's signed credentials a public page and, with
    ``revoked``, revoke them, as the platform (no actor). The caller commits."""
    from sqlalchemy import select

    from lms.extensions import db

    for row in db.session.scalars(select(models.BadgeCredential)
                                  .where(models.BadgeCredential.user_id == user.id)):
        row.public = True
        if revoked and not row.revoked:
            issuing.revoke(row, None, "Demo: ingetrokken certificaat")


@hookimpl
def lms_demo_region(region):
    """Sign the credentials the demo region's generated people hold."""
    issuing.issue_missing()
