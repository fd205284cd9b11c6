// S-AUTH-2: French words for django-otp-webauthn's scripts (its own catalog
// has no French, and the page allows no inline script), and the step after a
// passkey is registered: naming it. Loaded before the library's module.
(function () {
  "use strict";
  var FR = {
    "An error occurred during registration.": "Une erreur s'est produite pendant l'enregistrement.",
    "An error occurred during verification.": "Une erreur s'est produite pendant la vérification.",
    "Finishing registration...": "Enregistrement en cours…",
    "Finishing verification...": "Vérification en cours…",
    "Register a Passkey": "Enregistrer une clé d'accès",
    "Registering...": "Enregistrement…",
    "Registration aborted or not allowed.": "Enregistrement annulé ou refusé.",
    "Registration aborted.": "Enregistrement annulé.",
    "Registration failed. A server error occurred.": "Échec de l'enregistrement : erreur du serveur.",
    "Registration failed. A technical problem occurred that prevents you from registering a Passkey for this site.":
      "Échec de l'enregistrement : un problème technique empêche d'enregistrer une clé d'accès pour ce site.",
    "Registration failed. An unknown error occurred.": "Échec de l'enregistrement : erreur inconnue.",
    "Registration failed. The server was unable to verify this passkey.":
      "Échec de l'enregistrement : le serveur n'a pas pu vérifier cette clé d'accès.",
    "Registration failed. Unable to fetch registration options from server.":
      "Échec de l'enregistrement : le serveur n'a pas répondu.",
    "Registration failed. You most likely already have a Passkey registered for this site.":
      "Échec de l'enregistrement : cet appareil a sans doute déjà une clé d'accès pour ce site.",
    "Registration successful!": "Clé d'accès enregistrée.",
    "Verification aborted.": "Vérification annulée.",
    "Verification canceled or not allowed.": "Vérification annulée ou refusée.",
    "Verification failed. A server error occurred.": "Échec de la vérification : erreur du serveur.",
    "Verification failed. An unknown error occurred.": "Échec de la vérification : erreur inconnue.",
    "Verification failed. An unknown server error occurred.": "Échec de la vérification : erreur du serveur.",
    "Verification failed. Could not retrieve parameters from the server.":
      "Échec de la vérification : le serveur n'a pas répondu.",
    "Verification successful!": "Vérification réussie.",
    "Verify with Passkey": "Utiliser une clé d'accès",
    "Verifying...": "Vérification…"
  };
  window.gettext = function (text) {
    return Object.prototype.hasOwnProperty.call(FR, text) ? FR[text] : text;
  };
  document.addEventListener("otp_webauthn.register_complete", function (event) {
    var answer = event.detail && event.detail.response;
    if (answer && answer.url) {
      window.location.assign(answer.url);
    }
  });
})();
