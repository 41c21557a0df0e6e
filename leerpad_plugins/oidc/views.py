"""The OIDC plugin's pages: starting a login or a link, the provider's callback, unlinking,
the page after logging out, and the administrator's page."""
from __future__ import annotations

import logging

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   session, url_for)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.access import can
from lms.accounts import AccountError
from lms.accounts.sessions import end_session
from lms.extensions import db
from lms.models import Organisation, User
from lms.web.auth import log_in
from lms.web.safety import safe_next
from lms.web.security import SESSION_SECRET

from . import accounts, client
from .config import Provider, providers

log = logging.getLogger(__name__)
bp = Blueprint("oidc", __name__, url_prefix="/plugins/oidc")

LOGIN_KEY = "oidc_login"  # session: the provider this session logged in with (for logout)
LOGOUT_KEY = "oidc_logout"  # session: the same, kept for the page after logging out
MAX_ID_TOKEN_HINT = 2000  # characters of ID token kept in the session cookie for logout


def _provider(name: str | None) -> Provider | None:
    return providers(current_app).get(name) if isinstance(name, str) else None


def callback_url() -> str:
    """The redirect URI to register at every provider: BASE_URL's host when configured."""
    base = (current_app.config.get("BASE_URL") or "").rstrip("/")
    if base:
        return base + url_for("oidc.callback")
    return url_for("oidc.callback", _external=True)


def _locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def _label(provider: Provider) -> str:
    return provider.button_text(_locale()) or _("Log in with %(provider)s",
                                                  provider=provider.title)


def _problem(message: str, status: int, provider: Provider | None = None, retry: bool = True):
    return render_template("oidc/refused.html", message=message, provider=provider,
                           retry=retry), status


# --- what the core pages show (through hooks) ---------------------------------------------------


def login_options(invitation: str | None) -> Markup | None:
    found = list(providers(current_app).values())
    if not found:
        return None
    next_url = safe_next(request.args.get("next"))
    # autoescaped template output
    return Markup(render_template("oidc/login_options.html", options=[  # nosec B704
        (p, url_for("oidc.login", provider=p.name, next=next_url, invitation=invitation),
         _label(p)) for p in found]))


def account_section(user: User) -> Markup | None:
    configured = providers(current_app)
    linked = accounts.identities_of(user)
    if not configured and not linked:
        return None
    linked_names = {i.provider for i in linked}
    titles = {p.name: p.title for p in configured.values()}
    # autoescaped template output
    return Markup(render_template(  # nosec B704
        "oidc/account_section.html",
        linked=[(i, titles.get(i.provider, i.provider)) for i in linked],
        available=[p for p in configured.values() if p.name not in linked_names]))


def logout_redirect(user: User) -> str | None:
    kept = session.pop(LOGIN_KEY, None)
    if not isinstance(kept, dict) or kept.get("user") != user.id:
        return None  # this person did not log in with a school account in this browser
    if _provider(kept.get("provider")) is None:
        return None
    session[LOGOUT_KEY] = {"provider": kept["provider"], "id_token": kept.get("id_token")}
    return url_for("oidc.logged_out")


# --- starting and finishing a login ----------------------------------------------------------


def _start(provider: Provider, **flow):
    try:
        url = client.start(provider, callback_url(), locale=_locale(), **flow)
    except client.ProviderUnavailable as exc:
        log.warning("oidc: %s unavailable: %s", provider.name, exc.reason)  # a GET writes nothing
        return _unavailable(provider)
    response = redirect(url)
    response.headers["Referrer-Policy"] = "no-referrer"  # an invitation token may be in our URL
    response.headers["Cache-Control"] = "no-store"
    return response


def _unavailable(provider: Provider):
    return _problem(_("%(provider)s cannot be reached right now. Try again in a few minutes, "
                      "or log in with your password if you have one.",
                      provider=provider.title), 503, provider)


@bp.get("/login")
def login():
    """Send the browser to the provider (GET: a link on the login page; a form POST could not
    leave the site under the CSP's form-action 'self')."""
    provider = _provider(request.args.get("provider"))
    if provider is None:
        flash(_("This login option does not exist (any more)."), "error")
        return redirect(url_for("auth.login"))
    invitation = request.args.get("invitation") or None
    if current_user.is_authenticated and not invitation:
        return redirect(url_for("main.home"))
    if invitation is not None and len(invitation) > 1000:
        invitation = None
    return _start(provider, intent="login", next=safe_next(request.args.get("next")),
                  invitation=invitation)


@bp.get("/koppelen")
@login_required
def link():
    """Link a school account to the logged-in person: they log in at the provider, and the
    callback links what it returns (state ties it to this browser's session)."""
    provider = _provider(request.args.get("provider"))
    if provider is None:
        flash(_("This login option does not exist (any more)."), "error")
        return redirect(url_for("auth.account"))
    return _start(provider, intent="link", user_id=current_user.id)


@bp.get("/callback")
def callback():
    """The redirect URI: the provider sends the browser back here with a code (or an error)."""
    flow = client.pending_flow(request.args.get("state"))
    provider = _provider(flow.provider) if flow else None
    if flow is None or provider is None:
        flash(_("Logging in with your school account did not finish (it took too long, or was "
                "started in another browser). Please try again."), "error")
        return redirect(url_for("auth.login"))
    try:
        login_result = client.finish(provider, request.args.to_dict())
    except client.ProviderUnavailable as exc:
        accounts.record_failure(provider, exc.reason)
        db.session.commit()
        return _unavailable(provider)
    except client.LoginRejected as exc:
        accounts.record_failure(provider, exc.reason)
        db.session.commit()
        if exc.cancelled:
            return _problem(_("Logging in at %(provider)s was cancelled. Nothing has changed.",
                              provider=provider.title), 403, provider)
        return _problem(_("%(provider)s's answer could not be verified, so you have not been "
                          "logged in. Please try again; if this keeps happening, tell your "
                          "school's Leerpad contact.", provider=provider.title), 400, provider)
    if flow.intent == "link":
        return _finish_link(flow, provider, login_result)
    return _finish_login(flow, provider, login_result)


def _finish_login(flow: client.Flow, provider: Provider, login_result: client.Login):
    for attempt in range(2):
        try:
            outcome = accounts.resolve_login(login_result, invitation=flow.invitation,
                                             locale=_locale())
            accounts.record_login(outcome, provider)
            db.session.flush()
        except accounts.Refused as exc:
            db.session.rollback()  # nothing of a refused login stays
            accounts.record_failure(provider, exc.reason, subject=exc.subject)
            db.session.commit()
            return _problem(exc.message, 403, provider, retry=False)
        except IntegrityError:
            # The same person's login in another tab linked or created the account just now:
            # start over, and this time find it.
            db.session.rollback()
            if attempt:
                raise
            continue
        break
    if current_user.is_authenticated:  # another person logs in in this browser
        end_session(session.pop(SESSION_SECRET, None))
        logout_user()
    log_in(outcome.user)
    db.session.commit()
    session[LOGIN_KEY] = {
        "provider": provider.name, "user": outcome.user.id,
        "id_token": login_result.id_token if len(login_result.id_token) <= MAX_ID_TOKEN_HINT
        else None}
    if outcome.how == "jit":
        flash(_("Welcome to Leerpad! Your account has been made with your school account."),
              "success")
    elif outcome.how in ("invitation", "verified_email"):
        flash(_("Your %(provider)s account is now linked: from now on you log in with it.",
                provider=provider.title), "success")
    return redirect(safe_next(flow.next) or url_for("main.home"))


def _finish_link(flow: client.Flow, provider: Provider, login_result: client.Login):
    user = current_user._get_current_object() if current_user.is_authenticated else None
    if user is None or user.id != flow.user_id:
        accounts.record_failure(provider, "link: not logged in as the person who started it")
        db.session.commit()
        flash(_("Log in first, then link your school account on your account page."), "error")
        return redirect(url_for("auth.login"))
    try:
        accounts.link(user, login_result)
    except accounts.Refused as exc:
        db.session.rollback()
        accounts.record_failure(provider, f"link: {exc.reason}", subject=user, actor=user)
        db.session.commit()
        flash(exc.message, "error")
        return redirect(url_for("auth.account"))
    db.session.commit()
    flash(_("Your %(provider)s account is linked: you can now log in with it.",
            provider=provider.title), "success")
    return redirect(url_for("auth.account"))


@bp.post("/ontkoppelen")
@login_required
def unlink():
    try:
        identity_id = int(request.form.get("identity", ""))
    except ValueError:
        abort(400)
    if not 0 < identity_id < 2**31:
        abort(400)
    try:
        identity = accounts.unlink(current_user._get_current_object(), identity_id,
                                   providers(current_app))
    except AccountError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("auth.account"))
    db.session.commit()
    provider = _provider(identity.provider)
    flash(_("Your %(provider)s account is no longer linked.",
            provider=provider.title if provider else identity.provider), "success")
    return redirect(url_for("auth.account"))


@bp.get("/logged-out")
def logged_out():
    """After logging out of Leerpad: offer to log out at the provider too (its
    end_session_endpoint), when it has one."""
    kept = session.pop(LOGOUT_KEY, None)
    provider = _provider(kept.get("provider")) if isinstance(kept, dict) else None
    if provider is None or current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    url = client.end_session_url(provider, kept.get("id_token"),
                                 url_for("auth.login", _external=True))
    if url is None:
        return redirect(url_for("auth.login"))
    return render_template("oidc/logged_out.html", provider=provider, end_session_url=url)


# --- administration ----------------------------------------------------------------------------


@bp.get("/beheer")
@login_required
def admin():
    if not can(current_user, "oidc.manage"):
        abort(403)
    organisations = list(db.session.scalars(select(Organisation).order_by(Organisation.name)))
    required = accounts.required_org_ids()
    return render_template("oidc/admin.html", providers=list(providers(current_app).values()),
                           callback=callback_url(), organisations=organisations,
                           required=required, logout_uri=url_for("auth.login", _external=True))


@bp.post("/beheer/vereiste")
@login_required
def requirement():
    if not can(current_user, "oidc.manage"):
        abort(403)
    try:
        org_id = int(request.form.get("organisation", ""))
    except ValueError:
        abort(400)
    organisation = db.session.get(Organisation, org_id) if 0 < org_id < 2**31 else None
    if organisation is None:
        abort(404)
    required = request.form.get("required") == "1"
    if accounts.set_required(organisation, required, current_user._get_current_object()):
        db.session.commit()
    if required:
        flash(_("People of %(organisation)s now log in with their school account only.",
                organisation=organisation.name), "success")
    else:
        flash(_("People of %(organisation)s may log in with a password again.",
                organisation=organisation.name), "success")
    return redirect(url_for("oidc.admin"))
