from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("connexion/", views.login_view, name="login"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("double-authentification/", views.two_factor, name="two_factor"),
    path("double-authentification/code/", views.two_factor_verify, name="two_factor_verify"),
    path("double-authentification/cles/<int:pk>/", views.passkey, name="passkey"),
    path("double-authentification/cles/enregistrement/debut/", views.passkey_register_begin,
         name="passkey_register_begin"),
    path("double-authentification/cles/enregistrement/fin/", views.passkey_register_complete,
         name="passkey_register_complete"),
    path("double-authentification/cles/verification/debut/", views.passkey_auth_begin,
         name="passkey_auth_begin"),
    path("double-authentification/cles/verification/fin/", views.passkey_auth_complete,
         name="passkey_auth_complete"),
    path("comptes/", views.accounts, name="accounts"),
    path("comptes/roles/<int:pk>/decision/", views.role_change_decide, name="role_change_decide"),
    path("mot-de-passe/", views.password_change, name="password_change"),
    path("mot-de-passe/modifie/", views.password_change_done, name="password_change_done"),
]
