"""`python manage.py check_contract`: the contract rules of docs/domain/remplacement.md as
a JSON filter (README "Remplacements : commandes JSON"). Same function as the contract
page: `replacements.rules.check_contract`."""

from replacements import jsonio, rules

from ._jsoncommand import JsonCommand


class Command(JsonCommand):
    help = (
        "Vérifie un contrat de remplacement lu en JSON sur l'entrée standard et écrit "
        '{"valid", "violations", "warnings"} (règles R-REPL-*, voir le README).'
    )

    def compute(self, payload) -> dict:
        titulaire, remplacant, contract = jsonio.parse_check_contract(payload)
        return rules.check_contract(titulaire, remplacant, contract).as_json()
