from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone


class LockingAuthenticationForm(AuthenticationForm):
    """Login form that locks an account after repeated failures (S-AUTH-3)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Identifiant ou mot de passe incorrect.",
        "locked": (
            "Trop de tentatives échouées : ce compte est verrouillé jusqu'à %(until)s. "
            "Réessayez plus tard ou contactez l'administrateur."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        user = None
        if username:
            user = get_user_model().objects.filter(username__iexact=username).first()
        if user is not None and user.is_locked():
            until = timezone.localtime(user.locked_until).strftime("%H:%M")
            raise forms.ValidationError(
                self.error_messages["locked"], code="locked", params={"until": until}
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if user is not None:
                self._count_failure(user)
            raise
        if user is not None and user.failed_logins:
            user.failed_logins = 0
            user.locked_until = None
            user.save(update_fields=["failed_logins", "locked_until"])
        return cleaned

    @staticmethod
    def _count_failure(user) -> None:
        user.failed_logins += 1
        if user.failed_logins >= settings.LOGIN_FAILURE_LIMIT:
            user.locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
            user.failed_logins = 0
        user.save(update_fields=["failed_logins", "locked_until"])


class TotpCodeForm(forms.Form):
    code = forms.CharField(
        label="Code à 6 chiffres",
        max_length=7,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )

    def __init__(self, *args, secret: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.secret = secret

    def clean_code(self):
        from .two_factor import verify

        code = self.cleaned_data["code"]
        if not verify(self.secret, code):
            raise forms.ValidationError("Code incorrect ou expiré : saisissez le code affiché maintenant.")
        return code


class TotpDisableForm(TotpCodeForm):
    password = forms.CharField(label="Mot de passe", widget=forms.PasswordInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, secret=user.totp_secret, **kwargs)
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
