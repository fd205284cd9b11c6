from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.db import connection


def serialize_attempts(username: str | None) -> None:
    """S-AUTH-3: attempts on one username run one after the other, each
    seeing the failures the previous ones counted (PostgreSQL: a transaction
    advisory lock, held until the request's transaction ends; SQLite
    serialises writers itself). Parallel guesses cannot outrun the count."""
    if not username or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ["login:" + username.lower()])


class CabinetAuthenticationForm(AuthenticationForm):
    """The login form (S-AUTH-3). django-axes counts each failure and refuses
    a locked username before the password is checked; the answer is the same
    whether the account exists or not."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Identifiant ou mot de passe incorrect.",
    }

    def clean(self):
        serialize_attempts(self.cleaned_data.get("username"))
        return super().clean()


class CabinetAdminAuthenticationForm(AdminAuthenticationForm):
    """The Django admin's login form, counted and serialised the same way."""

    def clean(self):
        serialize_attempts(self.cleaned_data.get("username"))
        return super().clean()


class OtpCodeForm(forms.Form):
    code = forms.CharField(
        label="Code à 6 chiffres ou code de secours",
        max_length=16,
        widget=forms.TextInput(
            attrs={"inputmode": "text", "autocomplete": "one-time-code", "autofocus": True,
                   "autocapitalize": "none"}
        ),
    )

    def clean_code(self):
        return "".join((self.cleaned_data["code"] or "").split()).lower()


class OtpPasswordForm(OtpCodeForm):
    """Turning the second factor off or new backup codes: password and code."""

    password = forms.CharField(label="Mot de passe", widget=forms.PasswordInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.order_fields(["password", "code"])

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("Mot de passe incorrect.")
        return password


class RoleChangeForm(forms.Form):
    """One form for the page (no per-row drop-down): which account, which role."""

    user = forms.ModelChoiceField(label="Compte", queryset=get_user_model().objects.none())
    role = forms.ChoiceField(label="Nouveau rôle")

    def __init__(self, *args, acting_user, **kwargs):
        from .models import Role

        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            get_user_model().objects.exclude(pk=acting_user.pk).order_by("last_name", "username")
        )
        self.fields["role"].choices = Role.choices


class AccountCreateForm(forms.Form):
    username = forms.CharField(label="Identifiant", max_length=150)
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    email = forms.EmailField(label="Courriel", required=False)
    role = forms.ChoiceField(label="Rôle")

    def __init__(self, *args, **kwargs):
        from django.contrib.auth.validators import UnicodeUsernameValidator

        from .models import Role

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = Role.choices
        self.fields["username"].validators.append(UnicodeUsernameValidator())


class PasskeyNameForm(forms.Form):
    """S-AUTH-2: the name a user gives her passkey (which phone, which key)."""

    name = forms.CharField(
        label="Nom de la clé d'accès",
        max_length=64,
        help_text="Par exemple : « Téléphone pro » ou « Clé USB du cabinet ».",
    )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Donnez un nom à cette clé d'accès.")
        return name
