"""The bundled OpenID Connect plugin: "Log in with your school account" (SURFconext, Entree,
a school's Microsoft or Google tenant) next to the password, which stays for small set-ups.

- Providers come from the ``OIDC_PROVIDERS`` setting (``config.py``); Authlib's Flask client
  does discovery, the authorization code flow with PKCE, state and nonce, and validates the ID
  token against the provider's JWKS (``client.py``).
- A login is matched on the provider's ``(issuer, sub)``, never on the e-mail address alone.
  An invited person links their school account on first login through the invitation link,
  or when the provider vouches for their e-mail address; anyone links and unlinks on their
  account page; just-in-time accounts only for organisations the admin mapped
  (``accounts.py``).
- Administrators can require a school account for an organisation's people: their password
  is then refused, with a message pointing at the button.
- Logins (success and failure), linking and unlinking are audited.

It uses only the public hooks: ``lms_login_options``, ``lms_password_login_refused``,
``lms_account_sections`` and ``lms_logout_redirect`` among them.
"""
from __future__ import annotations

from importlib import resources

from flask_babel import lazy_gettext as _l

from lms import hookimpl
from lms.access import can
from lms.activities import NavItem, Setting

from . import accounts, config, models, views  # noqa: F401  (models: the tables join the metadata)

__version__ = "1.0"


@hookimpl
def lms_settings():
    return Setting(config.SETTING, "OpenID Connect providers as JSON: name, title, issuer, "
                   "client_id, client_secret, scopes, button, trust_email, jit "
                   "(see docs/deployment.md, 'Log in with the school account')",
                   default="", secret=True)


@hookimpl
def lms_startup(app):
    from lms.plugins import PluginError  # one line at the command line, not a traceback

    try:
        config.load(app)
    except config.ProviderConfigError as exc:
        raise PluginError(f"plugin 'oidc': {exc}") from None


@hookimpl
def lms_register_blueprints(app):
    from lms.web.old_urls import redirect_old_paths

    # /login, /callback and /logged-out stay: identity providers hold them
    redirect_old_paths(app, {
        "/plugins/oidc/admin": "/plugins/oidc/beheer",
        "/plugins/oidc/admin/requirement": "/plugins/oidc/beheer/vereiste",
        "/plugins/oidc/link": "/plugins/oidc/koppelen",
        "/plugins/oidc/unlink": "/plugins/oidc/ontkoppelen",
    })
    return [views.bp]


@hookimpl
def lms_migration_locations():
    return [str(resources.files(__name__) / "migrations" / "versions")]


@hookimpl
def lms_login_options(invitation):
    return views.login_options(invitation)


@hookimpl
def lms_password_login_refused(user):
    from flask import current_app

    return accounts.password_refusal(user, config.providers(current_app))


@hookimpl
def lms_account_sections(user):
    return views.account_section(user)


@hookimpl
def lms_logout_redirect(user):
    return views.logout_redirect(user)


@hookimpl
def lms_permission(user, action, resource):
    if action == "oidc.manage":
        return user.is_admin
    return None


@hookimpl
def lms_nav_items(user):
    if getattr(user, "is_authenticated", False) and user.is_admin:
        return [NavItem("oidc.admin", _l("School login"), 93)]
    return None


@hookimpl
def lms_admin_links(user):
    if can(user, "oidc.manage"):
        return NavItem("oidc.admin", _l("School login (OpenID Connect)"), 70)
    return None


@hookimpl
def lms_personal_data(user):
    rows = accounts.personal_data(user)
    return {"linked school accounts": rows} if rows else None


@hookimpl
def lms_erase_personal_data(user):
    accounts.erase(user)
