"""Logging in and out, accepting an invitation, and the person's own account page."""
from __future__ import annotations

from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template,
                   request, session, url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email

from lms.accounts import AccountError
from lms.accounts.invitations import InvitationError, accept_invitation, invited_user
from lms.accounts.passwords import authenticate, change_password
from lms.accounts.people import may_invite, role_label
from lms.accounts.sessions import end_session, start_session
from lms.extensions import db, limiter
from lms.models import User
from lms.models.base import utcnow
from lms.plugins import collect, hook
from lms.web.safety import safe_next
from lms.web.security import (SESSION_SECRET, known_browser_for_login, login_account_key,
                              login_address_key, login_pair_key, remember_browser)

bp = Blueprint("auth", __name__)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


NEW_PASSWORD = {"autocomplete": "new-password"}


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email()],
                       filters=[_strip], render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})


class SetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired()], render_kw=NEW_PASSWORD)
    confirm = PasswordField(_l("New password again"), validators=[DataRequired()],
                            render_kw=NEW_PASSWORD)


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()],
                            render_kw={"autocomplete": "current-password"})


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=[SelectChoice("nl", "Nederlands"),
                                                           SelectChoice("en", "English")])


def form_error(form: FlaskForm, exc: AccountError) -> None:
    """Show a domain refusal next to its field (or above the form)."""
    target = getattr(form, exc.field, None) if exc.field else None
    if target is not None:
        target.errors = [*target.errors, exc.message]
    else:
        form.form_errors.append(exc.message)


def log_in(user: User) -> None:
    """Start a new session for ``user`` in this browser (the caller commits)."""
    session.pop(SESSION_SECRET, None)
    login_user(user)
    session[SESSION_SECRET] = start_session(user)


def _config(key: str):
    return lambda: current_app.config[key]


def _login_failed(response) -> bool:
    """Only attempts whose password was checked and wrong count towards the throttle (not a
    success, nor a form that was incomplete, nor an attempt refused with 429)."""
    return bool(g.get("login_failed"))


# See "Login throttle" in docs/accounts.md and the key functions in lms.web.security.
@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit(_config("LOGIN_LIMIT"), methods=["POST"], key_func=login_pair_key,
               deduct_when=_login_failed)
@limiter.limit(_config("LOGIN_ADDRESS_LIMIT"), methods=["POST"], key_func=login_address_key,
               deduct_when=_login_failed, exempt_when=known_browser_for_login)
@limiter.limit(_config("LOGIN_ACCOUNT_LIMIT"), methods=["POST"], key_func=login_account_key,
               deduct_when=_login_failed, exempt_when=known_browser_for_login)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        refusal = hook().lms_password_login_refused(user=user) if user is not None else None
        if refusal:
            flash(refusal, "error")
            return render_template("auth/login.html", form=form,
                                   login_options=login_options()), 403
        if user is not None:
            log_in(user)
            user.last_login_at = utcnow()
            db.session.commit()
            response = redirect(safe_next(request.args.get("next")) or url_for("main.home"))
            remember_browser(response, form.email.data)
            return response
        g.login_failed = True
        # One message whether or not the account exists.
        flash(_("E-mail address or password is incorrect."), "error")
        return render_template("auth/login.html", form=form, login_options=login_options()), 200
    return render_template("auth/login.html", form=form, login_options=login_options())


def login_options(invitation: str | None = None) -> list:
    """Other ways to log in that plugins offer (lms_login_options)."""
    return collect(hook().lms_login_options(invitation=invitation))


@bp.post("/uitloggen")
@login_required
def logout():
    """End this browser's session on the server too: a saved copy of the cookie stops working.
    A plugin may send the browser on to a page of its own (lms_logout_redirect)."""
    target = safe_next(hook().lms_logout_redirect(user=current_user._get_current_object()))
    end_session(session.pop(SESSION_SECRET, None))
    db.session.commit()
    logout_user()
    flash(_("You have been logged out."), "info")
    return redirect(target or url_for("auth.login"))


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
def invitation(token: str):
    """The invitee chooses a password and is logged in; the link then stops working."""
    try:
        invitee = invited_user(token)
    except InvitationError as exc:
        status = 400 if exc.reason == "invalid" else 410
        return render_template("auth/invitation.html", problem=exc.message), status
    form = SetPasswordForm()
    refusal = hook().lms_password_login_refused(user=invitee)
    if refusal:
        form = None  # this person logs in another way: no password to choose
    elif form.validate_on_submit():
        try:
            user = accept_invitation(token, form.password.data, form.confirm.data)
        except AccountError as exc:
            form_error(form, exc)
        else:
            logout_user()
            log_in(user)
            user.last_login_at = utcnow()
            db.session.commit()
            flash(_("Your password has been set. Welcome to Leerpad!"), "success")
            return redirect(url_for("main.home"))
    response = current_app.make_response(
        render_template("auth/invitation.html", form=form, invitee=invitee, refusal=refusal,
                        login_options=login_options(invitation=token)))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # keep the token out of Referer headers
    return response


def _account_page(password_form=None, language_form=None):
    language_form = language_form or LanguageForm(locale=current_user.locale)
    roles = sorted(current_user.roles, key=lambda r: (r.organisation.name, r.role))
    return render_template(
        "auth/account.html", password_form=password_form or ChangePasswordForm(),
        language_form=language_form, roles=roles, role_label=role_label,
        may_invite=may_invite(current_user),
        sections=collect(hook().lms_account_sections(user=current_user._get_current_object())))


@bp.get("/account")
@login_required
def account():
    return _account_page()


def _password_change_key() -> str:
    return f"password-change:{current_user.id if current_user.is_authenticated else '-'}"


@bp.post("/account/wachtwoord")
@login_required
@limiter.limit(_config("LOGIN_LIMIT"), key_func=_password_change_key,
               deduct_when=lambda response: bool(g.get("wrong_password")))
def password():
    """Change the password: this session stays logged in, every other one ends. Wrong current
    passwords are throttled per account like logins (LOGIN_LIMIT): a stolen session cannot be
    used to guess the password."""
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return _account_page(password_form=form)
    user = current_user._get_current_object()
    try:
        change_password(user, form.current.data, form.password.data, form.confirm.data)
    except AccountError as exc:
        db.session.rollback()
        g.wrong_password = exc.field == "current"
        form_error(form, exc)
        return _account_page(password_form=form)
    log_in(user)  # a new session, with the new auth_version; every other one has ended
    db.session.commit()
    flash(_("Your password has been changed. You have been logged out everywhere else."),
          "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/taal")
@login_required
def language():
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    current_user.locale = form.locale.data
    db.session.commit()
    flash(_("Your language has been saved."), "success")
    return redirect(url_for("auth.account"))
