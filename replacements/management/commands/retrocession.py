"""`python manage.py retrocession`: the rétrocession computation (R-RETRO-1..4) as a JSON
filter (README "Remplacements : commandes JSON"). Same function as the statement pages:
`replacements.retrocession.compute`."""

from replacements import jsonio
from replacements import retrocession as retro

from ._jsoncommand import JsonCommand


class Command(JsonCommand):
    help = (
        "Calcule la rétrocession d'actes lus en JSON sur l'entrée standard et écrit "
        '{"fees", "travel", "retained", "retrocession"} en euros (voir le README).'
    )

    def compute(self, payload) -> dict:
        acts, terms = jsonio.parse_retrocession(payload)
        return retro.compute(acts, terms).as_json()
