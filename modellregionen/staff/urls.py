"""Routes of the staff workspace under /intern/ (included once from modellregionen/urls.py)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from modellregionen.staff import account as account_views
from modellregionen.staff import decisions as decision_views
from modellregionen.staff import payments as payment_views
from modellregionen.staff import projects as project_views

urlpatterns = [
    path("anmelden/", account_views.StaffLoginView.as_view(), name="login"),
    path("anmelden/code/", account_views.second_factor_verify, name="second-factor-verify"),
    path("konto/", account_views.account, name="staff-account"),
    path("konto/zweiter-faktor/", account_views.second_factor_setup, name="second-factor-setup"),
    path("konto/wiederherstellungscodes/", account_views.recovery_codes_renew, name="staff-recovery-codes"),
    path("konto/api-token/", account_views.api_token_create, name="staff-api-token-create"),
    path("konto/api-token/widerrufen/", account_views.api_token_revoke, name="staff-api-token-revoke"),
    path("abmelden/", auth_views.LogoutView.as_view(next_page="login"), name="logout"),
    # The only way a password is set: by its owner, through a link to their e-mail (regions.accounts).
    path(
        "passwort/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="staff/password_set.html", success_url=reverse_lazy("login"), post_reset_login=False
        ),
        name="password-set",
    ),
    path("", decision_views.overview, name="staff-overview"),
    path("kennzahlen/neu-berechnen/", decision_views.figures_recompute, name="staff-figures-recompute"),
    path("kennzahlen/status/", decision_views.figures_status, name="staff-figures-status"),
    path("bescheide/", decision_views.decision_list_view, name="staff-decision-list"),
    path("bescheide/neu/", decision_views.decision_create, name="staff-decision-create"),
    path("bescheide/import/", decision_views.decision_import, name="staff-decision-import"),
    path("bescheide/import/bestaetigen/", decision_views.decision_import_confirm, name="staff-decision-import-confirm"),
    path("bescheide/<int:pk>/", decision_views.decision_detail, name="staff-decision-detail"),
    path("bescheide/<int:pk>/bearbeiten/", decision_views.decision_edit, name="staff-decision-edit"),
    path("bescheide/<int:pk>/loeschen/", decision_views.decision_delete, name="staff-decision-delete"),
    path("bescheide/<int:pk>/freigeben/", decision_views.decision_release, name="staff-decision-release"),
    path(
        "bescheide/<int:pk>/aendern/",
        decision_views.decision_correct,
        {"kind": "amendment"},
        name="staff-decision-amend",
    ),
    path(
        "bescheide/<int:pk>/widerrufen/",
        decision_views.decision_correct,
        {"kind": "revocation"},
        name="staff-decision-revoke",
    ),
    path("bescheide/<int:pk>/verlauf/", decision_views.decision_history, name="staff-decision-history"),
    path("projekte/", project_views.project_list, name="staff-project-list"),
    path("projekte/<int:pk>/", project_views.project_detail, name="staff-project-detail"),
    path("projekte/<int:pk>/bearbeiten/", project_views.project_edit, name="staff-project-edit"),
    path("projekte/<int:pk>/verlauf/", project_views.project_history, name="staff-project-history"),
    path("projekte/<int:pk>/buchungen.json", decision_views.project_ledger_json, name="staff-project-ledger-json"),
    path(
        "bescheide/<int:grant_pk>/<slug:kind>/neu/",
        payment_views.entry_create,
        name="staff-entry-create",
    ),
    path("buchungen/<slug:kind>/<int:pk>/freigeben/", payment_views.entry_release, name="staff-entry-release"),
    path("buchungen/<slug:kind>/<int:pk>/loeschen/", payment_views.entry_delete, name="staff-entry-delete"),
    path(
        "bescheide/<int:grant_pk>/verwendungsnachweis/",
        payment_views.proof_of_use_edit,
        name="staff-proof-of-use",
    ),
    path("verwendungsnachweise/ueberfaellig/", payment_views.overdue_proofs, name="staff-overdue-proofs"),
    path("mittelanforderungen/offen/", payment_views.open_requests, name="staff-open-payment-requests"),
    # mittelanforderungen, auszahlungen, rueckforderungen, verwendungsnachweise
    path("<slug:kind>/import/", payment_views.ledger_import, name="staff-ledger-import"),
    path(
        "<slug:kind>/import/bestaetigen/",
        payment_views.ledger_import_confirm,
        name="staff-ledger-import-confirm",
    ),
    path("anfragen/", project_views.request_inbox, name="staff-request-inbox"),
    path("anfragen/<int:pk>/", project_views.request_detail, name="staff-request-detail"),
    path("anfragen/<int:pk>/verlauf/", project_views.request_history, name="staff-request-history"),
    path(
        "anfragen/<int:pk>/daten-loeschen/",
        project_views.request_erase_personal_data,
        name="staff-request-erase",
    ),
]
