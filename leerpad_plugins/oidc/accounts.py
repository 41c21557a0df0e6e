"""Who a validated login is: linked identities, invitations, verified e-mail, just-in-time
accounts; linking and unlinking; organisations that require a school account.

Plain values and model objects only (no Flask request): functions add their changes and audit
rows to the session and leave committing to the caller. A refusal raises ``Refused`` before
anything is added, so a refused login leaves nothing half-created.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lms.access import org_and_ancestor_ids
from lms.accounts import AccountError
from lms.accounts.invitations import InvitationError, invited_user
from lms.accounts.people import add_role, create_person, email_problem, normalise_email, \
    user_by_email
from lms.accounts.sessions import end_all_sessions
from lms.extensions import db
from lms.models import Organisation, RoleAssignment, User, audit
from lms.models.accounts import LOCALES
from lms.models.base import utcnow

from .client import Login
from .config import Provider
from .models import OidcIdentity, SsoRequirement

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Refused(Exception):
    """This login cannot go on. ``reason`` is a short key for the audit log, ``message`` what
    the person reads, ``subject`` the account it was about (if any), for the audit row."""

    def __init__(self, reason: str, message: str, subject: User | None = None):
        super().__init__(reason)
        self.reason = reason
        self.message = message
        self.subject = subject


@dataclass(frozen=True)
class Outcome:
    """A login that may go on: the person, their identity row and how it was found."""

    user: User
    identity: OidcIdentity
    how: str  # "identity", "invitation", "verified_email" or "jit"


# --- reading claims ---------------------------------------------------------------------------


def claim_values(claims: dict[str, Any], name: str) -> list[str]:
    """A claim as a list of strings (a single value, a list, or nothing)."""
    value = claims.get(name)
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    return []


def verified_email(provider: Provider, claims: dict[str, Any]) -> str | None:
    """The e-mail address the provider vouches for: ``email_verified`` true, or any address
    from a provider the admin trusts for it (``trust_email``). Else None."""
    email = claims.get("email")
    if not isinstance(email, str) or email_problem(normalise_email(email)):
        return None
    if claims.get("email_verified") is True or provider.trust_email:
        return normalise_email(email)
    return None


def _name(claims: dict[str, Any], email: str) -> str:
    parts = [claims.get("name")] if isinstance(claims.get("name"), str) else []
    if not parts or not parts[0].strip():
        parts = [v for v in (claims.get("given_name"), claims.get("family_name"))
                 if isinstance(v, str)]
    name = _CONTROL.sub("", " ".join(p.strip() for p in parts if p)).strip()
    return (name or email.split("@", 1)[0])[:200]


# --- identities -------------------------------------------------------------------------------


def identity_for(issuer: str, subject: str) -> OidcIdentity | None:
    return db.session.scalar(select(OidcIdentity).where(OidcIdentity.issuer == issuer,
                                                        OidcIdentity.subject == subject))


def identities_of(user: User) -> list[OidcIdentity]:
    return list(db.session.scalars(select(OidcIdentity).where(OidcIdentity.user_id == user.id)
                                   .order_by(OidcIdentity.created_at, OidcIdentity.id)))


def _add_identity(user: User, login: Login, how: str, actor: User | None) -> OidcIdentity:
    identity = OidcIdentity(user_id=user.id, issuer=login.issuer, subject=login.subject,
                            provider=login.provider.name, last_login_at=utcnow())
    db.session.add(identity)
    db.session.flush()
    audit("oidc.link", actor=actor or user, subject=user, object_type="oidc_identity",
          object_id=identity.id, detail={"provider": login.provider.name, "how": how})
    return identity


def _check_free(user: User, login: Login) -> None:
    """Refuse a second account of the same provider for one person."""
    other = db.session.scalar(select(OidcIdentity).where(OidcIdentity.user_id == user.id,
                                                         OidcIdentity.issuer == login.issuer))
    if other is not None:
        raise Refused("another identity at this provider", _(
            "Your Leerpad account is already linked to another %(provider)s account. Unlink "
            "that one on your account page first.", provider=login.provider.title), user)


# --- logging in -------------------------------------------------------------------------------


def resolve_login(login: Login, invitation: str | None = None,
                  locale: str | None = None) -> Outcome:
    """The account this login is for, linking or creating it when the rules allow:

    1. the identity ``(issuer, sub)`` is linked already: its owner;
    2. an invitation link was used: the invited person, whose invitation is then used up;
    3. the provider vouches for an e-mail address of an existing account (not an admin's):
       that account;
    4. just-in-time, when the provider maps the person's organisation and affiliation (the new
       account gets ``locale``, the language the login page was shown in);
    otherwise ``Refused``."""
    identity = identity_for(login.issuer, login.subject)
    if identity is not None:
        user = identity.user
        if not user.active:
            raise Refused("account deactivated", _deactivated(), user)
        identity.last_login_at = utcnow()
        return Outcome(user, identity, "identity")
    if invitation:
        return _accept_invitation(login, invitation)
    email = verified_email(login.provider, login.claims)
    existing = user_by_email(email) if email else None
    if existing is not None:
        if not existing.active:
            raise Refused("account deactivated", _deactivated(), existing)
        if existing.is_admin:
            raise Refused("admin accounts link on their account page", _(
                "Administrators link their school account themselves: log in with your "
                "password and choose “Link” on your account page."), existing)
        _check_free(existing, login)
        return Outcome(existing, _add_identity(existing, login, "verified_email", None),
                       "verified_email")
    if login.provider.jit is not None:
        return _create_just_in_time(login, locale)
    raise Refused("no account", _(
        "There is no Leerpad account for this %(provider)s account yet. Use the invitation "
        "you received by e-mail, or log in with your password and link your school account on "
        "your account page.", provider=login.provider.title))


def _deactivated() -> str:
    return _("This Leerpad account has been deactivated. Ask your school if you think this is "
             "a mistake.")


def _accept_invitation(login: Login, token: str) -> Outcome:
    try:
        user = invited_user(token)
    except InvitationError as exc:
        raise Refused(f"invitation {exc.reason}", exc.message) from None
    _check_free(user, login)
    identity = _add_identity(user, login, "invitation", None)
    # The link is used up as when a password is chosen: auth_version goes up, and any older
    # session of this account ends.
    user.auth_version = (user.auth_version or 0) + 1
    end_all_sessions(user)
    audit("account.activate", actor=user, subject=user, object_type="user", object_id=user.id,
          detail={"provider": login.provider.name})
    return Outcome(user, identity, "invitation")


def _create_just_in_time(login: Login, locale: str | None) -> Outcome:
    """A new account at the organisation the claims map to, with the mapped roles; refused
    (nothing created) when the organisation or affiliation is not mapped."""
    rule = login.provider.jit
    assert rule is not None
    values = claim_values(login.claims, rule.organisation_claim)
    org_id = next((rule.organisations[v] for v in values if v in rule.organisations), None)
    organisation = db.session.get(Organisation, org_id) if org_id is not None else None
    if organisation is None:
        raise Refused("organisation not mapped", _(
            "Your school or institution does not use Leerpad through %(provider)s yet, so no "
            "account was made. Ask your school's Leerpad contact for an invitation.",
            provider=login.provider.title))
    if rule.role_claim is None:
        roles = ["learner"]
    else:
        roles = list(dict.fromkeys(role for value in claim_values(login.claims, rule.role_claim)
                                   for role in rule.roles.get(value, ())))
    if not roles:
        raise Refused("affiliation not mapped", _(
            "Your school account does not give access to Leerpad (your role at %(school)s is "
            "not one that Leerpad accounts are made for), so no account was made. Ask your "
            "school's Leerpad contact for an invitation.", school=organisation.name))
    email = login.claims.get("email")
    email = normalise_email(email) if isinstance(email, str) else ""
    if email_problem(email):
        raise Refused("no usable e-mail address", _(
            "%(provider)s did not send a usable e-mail address, so no account was made. Ask "
            "your school's Leerpad contact for an invitation.", provider=login.provider.title))
    if user_by_email(email) is not None:
        raise Refused("e-mail address in use", _(
            "There already is a Leerpad account with your e-mail address. Log in with your "
            "password and link your school account on your account page."))
    try:
        user = create_person(_name(login.claims, email), email, organisation, roles[0], None)
        for role in roles[1:]:
            add_role(user, organisation, role, None)
    except AccountError as exc:  # the caller rolls back what create_person added
        raise Refused("account not valid", exc.message) from None
    if locale in LOCALES:
        user.locale = locale
    identity = _add_identity(user, login, "jit", None)
    return Outcome(user, identity, "jit")


def record_login(outcome: Outcome, provider: Provider) -> None:
    outcome.user.last_login_at = utcnow()
    audit("oidc.login", actor=outcome.user, subject=outcome.user, object_type="oidc_identity",
          object_id=outcome.identity.id,
          detail={"provider": provider.name, "success": True, "how": outcome.how})


def record_failure(provider: Provider | None, reason: str, subject: User | None = None,
                   actor: User | None = None) -> None:
    """A refused or failed login (its own transaction: call after a rollback)."""
    audit("oidc.login", actor=actor, subject=subject, object_type="oidc_provider",
          object_id=provider.name if provider else None,
          detail={"provider": provider.name if provider else None, "success": False,
                  "reason": reason[:120]})


# --- linking from the account page ----------------------------------------------------------


def link(user: User, login: Login) -> OidcIdentity:
    """Link the identity of ``login`` to ``user`` (who is logged in and asked for it)."""
    identity = identity_for(login.issuer, login.subject)
    if identity is not None:
        if identity.user_id == user.id:
            raise Refused("already linked", _("This %(provider)s account is already linked to "
                                              "your account.", provider=login.provider.title),
                          user)
        raise Refused("linked to another account", _(
            "This %(provider)s account is linked to another Leerpad account. Log in with it "
            "there and unlink it first.", provider=login.provider.title), user)
    _check_free(user, login)
    return _add_identity(user, login, "account page", user)


def unlink(user: User, identity_id: int, providers: dict[str, Provider]) -> OidcIdentity:
    """Remove one of ``user``'s identities; refused when it is their last way to log in."""
    identity = db.session.get(OidcIdentity, identity_id)
    if identity is None or identity.user_id != user.id:
        raise AccountError(_("This school account is not linked to your account."))
    others = [i for i in identities_of(user) if i.id != identity.id]
    password_usable = bool(user.password_hash) and password_refusal(user, providers) is None
    if not others and not password_usable:
        raise AccountError(_(
            "This is the only way you can log in to Leerpad, so it cannot be unlinked. Set a "
            "password first (ask for a new invitation), or link another school account."))
    db.session.delete(identity)
    audit("oidc.unlink", actor=user, subject=user, object_type="oidc_identity",
          object_id=identity.id, detail={"provider": identity.provider})
    return identity


# --- organisations that require a school account ----------------------------------------------


def required_org_ids() -> set[int]:
    return set(db.session.scalars(select(SsoRequirement.organisation_id)))


def requiring_organisations(user: User) -> list[Organisation]:
    """The organisations (the person's or above them) that require a school account."""
    required = required_org_ids()
    if not required:
        return []
    mine = {r.organisation_id for r in db.session.scalars(
        select(RoleAssignment).where(RoleAssignment.user_id == user.id))}
    hits = org_and_ancestor_ids(mine) & required
    return [db.session.get(Organisation, org_id) for org_id in sorted(hits)]


def password_refusal(user: User, providers: dict[str, Provider]) -> str | None:
    """Why ``user`` may not log in with a password, or None. Only while at least one provider
    is configured: without one, a requirement would lock everybody out."""
    if not providers:
        return None
    organisations = requiring_organisations(user)
    if not organisations:
        return None
    return _("%(school)s has chosen that its people log in with their school account, not with "
             "a password. Use the button “Log in with your school account” below.",
             school=organisations[0].name)


def set_required(organisation: Organisation, required: bool, actor: User) -> bool:
    """Require (or stop requiring) a school account for an organisation's people; returns
    whether anything changed."""
    row = db.session.get(SsoRequirement, organisation.id)
    if required == (row is not None):
        return False
    if required:
        db.session.add(SsoRequirement(organisation_id=organisation.id, created_by_id=actor.id))
    else:
        db.session.delete(row)
    audit("oidc.require" if required else "oidc.unrequire", actor=actor,
          object_type="organisation", object_id=organisation.id)
    return True


# --- personal data ------------------------------------------------------------------------------


def personal_data(user: User) -> list[dict[str, Any]]:
    return [{"provider": i.provider, "issuer": i.issuer, "subject": i.subject,
             "linked_at": i.created_at.isoformat(),
             "last_login_at": i.last_login_at.isoformat() if i.last_login_at else None}
            for i in identities_of(user)]


def erase(user: User) -> None:
    for identity in identities_of(user):
        db.session.delete(identity)
