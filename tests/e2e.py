"""What the browser tests share."""


def browser_login(page, live_server, username: str) -> None:
    """Log a demo user in through the login page, as a person would."""
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill("demo-cabinet")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")
