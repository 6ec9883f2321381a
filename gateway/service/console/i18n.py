"""The console's words in Dutch, French and English, and which of them a request gets.

Brussels operators work in French, Flemish ones in Dutch; English is for everyone else. A
small catalogue in code (one entry per phrase, all three languages side by side) keeps a
missing translation visible in review and testable (``tests/service/console``), which a gettext
toolchain would not make simpler for ~100 phrases. The language comes from the ``lang`` query
parameter (the switch in the page header, remembered in a cookie), else the cookie, else the
browser's ``Accept-Language``, else English.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("nl", "fr", "en")
DEFAULT = "en"
LANG_COOKIE = "brug_console_lang"

#: key -> (en, nl, fr)
CATALOGUE: Mapping[str, tuple[str, str, str]] = {
    "brand": ("brug operator console", "brug-beheerconsole", "console d'exploitation brug"),
    "skip": ("Skip to content", "Naar de inhoud", "Aller au contenu"),
    "language": ("Language", "Taal", "Langue"),
    "nav.label": ("Main menu", "Hoofdmenu", "Menu principal"),
    "nav.overview": ("Overview", "Overzicht", "Vue d'ensemble"),
    "nav.dead": ("Dead letters", "Onbestelbare berichten", "Messages en échec"),
    "nav.search": ("Find a message", "Bericht zoeken", "Rechercher un message"),
    "nav.audit": ("Audit", "Audit", "Audit"),
    "nav.vok": ("Proactive VOK", "Proactief VOK", "VOK proactif"),
    "nav.evaluation": ("Evaluation", "Evaluatie", "Évaluation"),
    "signed_in_as": ("Signed in as", "Aangemeld als", "Connecté en tant que"),
    "role.viewer": ("viewer", "lezer", "lecteur"),
    "role.admin": ("administrator", "beheerder", "administrateur"),
    "logout": ("Sign out", "Afmelden", "Se déconnecter"),
    "login.title": ("Sign in", "Aanmelden", "Connexion"),
    "login.need_cert": (
        "Sign in with your operator certificate: your browser presents it when you open this "
        "page over HTTPS.",
        "Meld u aan met uw operatorcertificaat: uw browser toont het wanneer u deze pagina via "
        "HTTPS opent.",
        "Connectez-vous avec votre certificat d'opérateur : votre navigateur le présente à "
        "l'ouverture de cette page en HTTPS.",
    ),
    "login.unknown_cert": (
        "The certificate your browser presented does not belong to an operator of this gateway.",
        "Het certificaat dat uw browser toonde, hoort niet bij een operator van deze gateway.",
        "Le certificat présenté par votre navigateur n'appartient à aucun opérateur de cette "
        "passerelle.",
    ),
    "login.no_cert": (
        "Your browser presented no client certificate.",
        "Uw browser toonde geen clientcertificaat.",
        "Votre navigateur n'a présenté aucun certificat client.",
    ),
    "login.retry": ("Try again", "Opnieuw proberen", "Réessayer"),
    "overview.title": ("Partners", "Partners", "Partenaires"),
    "overview.live": (
        "Refreshed every few seconds.",
        "Wordt om de paar seconden vernieuwd.",
        "Actualisé toutes les quelques secondes.",
    ),
    "overview.reload": ("Reload", "Vernieuwen", "Actualiser"),
    "overview.caption": (
        "Messages to each partner, now",
        "Berichten per partner, nu",
        "Messages par partenaire, maintenant",
    ),
    "col.partner": ("Partner", "Partner", "Partenaire"),
    "col.pending": ("Pending", "Wachtend", "En attente"),
    "col.in_flight": ("In flight", "Onderweg", "En cours"),
    "col.delivered_today": ("Delivered today", "Vandaag bezorgd", "Livrés aujourd'hui"),
    "col.dead": ("Dead", "Mislukt", "En échec"),
    "col.oldest_pending": ("Oldest pending", "Oudste wachtend", "Plus ancien en attente"),
    "col.circuit": ("Circuit breaker", "Stroomonderbreker", "Disjoncteur"),
    "col.last_error": ("Last error", "Laatste fout", "Dernière erreur"),
    "col.latency": ("Mean call time", "Gemiddelde oproeptijd", "Durée moyenne d'appel"),
    "circuit.closed": ("closed (sending)", "gesloten (verzendt)", "fermé (envoi)"),
    "circuit.open": (
        "open (partner down)",
        "open (partner onbereikbaar)",
        "ouvert (partenaire en panne)",
    ),
    "circuit.half_open": ("half-open (trying)", "half open (probeert)", "semi-ouvert (essai)"),
    "circuit.unknown": (
        "not known in this process",
        "niet gekend in dit proces",
        "inconnu dans ce processus",
    ),
    "none": ("none", "geen", "aucun"),
    "dead.title": ("Dead letters", "Onbestelbare berichten", "Messages en échec"),
    "dead.empty": ("No dead letters.", "Geen onbestelbare berichten.", "Aucun message en échec."),
    "dead.caption": (
        "Messages a partner refused or that ran out of attempts",
        "Berichten die een partner weigerde of waarvan de pogingen op zijn",
        "Messages refusés par un partenaire ou dont les tentatives sont épuisées",
    ),
    "dead.select": ("Select", "Selecteren", "Sélectionner"),
    "dead.select_all": ("Select all", "Alles selecteren", "Tout sélectionner"),
    "dead.select_one": (
        "Select message {id}",
        "Bericht {id} selecteren",
        "Sélectionner le message {id}",
    ),
    "dead.retry": ("Retry selected", "Selectie opnieuw verzenden", "Renvoyer la sélection"),
    "dead.purge": ("Purge selected", "Selectie verwijderen", "Supprimer la sélection"),
    "dead.viewer_note": (
        "Only administrators can retry or purge.",
        "Alleen beheerders kunnen opnieuw verzenden of verwijderen.",
        "Seuls les administrateurs peuvent renvoyer ou supprimer.",
    ),
    "dead.done_retry": (
        "{n} message(s) queued again.",
        "{n} bericht(en) opnieuw in de wachtrij.",
        "{n} message(s) remis en file d'attente.",
    ),
    "dead.done_purge": (
        "{n} message(s) purged.",
        "{n} bericht(en) verwijderd.",
        "{n} message(s) supprimé(s).",
    ),
    "dead.nothing": (
        "Select at least one message.",
        "Selecteer minstens één bericht.",
        "Sélectionnez au moins un message.",
    ),
    "col.message": ("Message", "Bericht", "Message"),
    "col.reason": ("Reason", "Reden", "Motif"),
    "col.attempts": ("Attempts", "Pogingen", "Tentatives"),
    "col.age": ("Age", "Leeftijd", "Âge"),
    "col.status": ("Status", "Status", "Statut"),
    "col.operation": ("Operation", "Bewerking", "Opération"),
    "col.time": ("Time (UTC)", "Tijd (UTC)", "Heure (UTC)"),
    "col.event": ("Event", "Gebeurtenis", "Événement"),
    "search.title": ("Find a message", "Bericht zoeken", "Rechercher un message"),
    "search.label": (
        "Message id, correlation id, registration id or INSZ",
        "Bericht-id, correlatie-id, registratie-id of INSZ",
        "Identifiant de message, de corrélation, d'enregistrement ou NISS",
    ),
    "search.help": (
        "Type the INSZ in full; it is never shown back, only masked.",
        "Typ het INSZ volledig; het wordt nooit getoond, enkel gemaskeerd.",
        "Saisissez le NISS complet ; il n'est jamais réaffiché, seulement masqué.",
    ),
    "search.submit": ("Search", "Zoeken", "Rechercher"),
    "search.none": (
        "No message found for {what}.",
        "Geen bericht gevonden voor {what}.",
        "Aucun message trouvé pour {what}.",
    ),
    "search.found": ("Messages for {what}", "Berichten voor {what}", "Messages pour {what}"),
    "search.kind.insz": ("INSZ {v}", "INSZ {v}", "NISS {v}"),
    "search.kind.id": ("“{v}”", "“{v}”", "« {v} »"),
    "search.bad": (
        "Enter 1 to 255 characters: letters, digits and . _ : - (an INSZ may have dots and "
        "a dash).",
        "Geef 1 tot 255 tekens in: letters, cijfers en . _ : - (een INSZ mag punten en een "
        "streepje bevatten).",
        "Saisissez de 1 à 255 caractères : lettres, chiffres et . _ : - (un NISS peut "
        "contenir des points et un tiret).",
    ),
    "search.bad_insz": (
        "This looks like an INSZ but its check digits are wrong.",
        "Dit lijkt een INSZ, maar de controlecijfers kloppen niet.",
        "Ceci ressemble à un NISS mais ses chiffres de contrôle sont faux.",
    ),
    "msg.title": ("Message {id}", "Bericht {id}", "Message {id}"),
    "msg.not_found": ("No message {id}.", "Geen bericht {id}.", "Aucun message {id}."),
    "msg.details": ("Delivery", "Bezorging", "Livraison"),
    "msg.history": ("History (audit log)", "Verloop (auditlog)", "Historique (journal d'audit)"),
    "msg.correlation": ("Correlation id", "Correlatie-id", "Identifiant de corrélation"),
    "msg.created": ("Accepted", "Aanvaard", "Accepté"),
    "msg.delivered": ("Delivered", "Bezorgd", "Livré"),
    "msg.no_history": ("No audit entries.", "Geen auditregels.", "Aucune entrée d'audit."),
    "status.pending": ("pending", "wachtend", "en attente"),
    "status.in_flight": ("in flight", "onderweg", "en cours"),
    "status.delivered": ("delivered", "bezorgd", "livré"),
    "status.dead": ("dead", "mislukt", "en échec"),
    "audit.title": ("Audit chain", "Auditketen", "Chaîne d'audit"),
    "audit.entries": ("Entries", "Regels", "Entrées"),
    "audit.checkpoint": (
        "Last signed checkpoint",
        "Laatste ondertekend controlepunt",
        "Dernier point de contrôle signé",
    ),
    "audit.no_checkpoint": ("none yet", "nog geen", "aucun pour l'instant"),
    "audit.checkpoint_at": (
        "entry {seq}, signed {time} (key {key})",
        "regel {seq}, ondertekend {time} (sleutel {key})",
        "entrée {seq}, signée {time} (clé {key})",
    ),
    "audit.verify": ("Verify now", "Nu controleren", "Vérifier maintenant"),
    "audit.ok": (
        "The chain is intact: {n} entries checked, {c} signed checkpoints verified.",
        "De keten is intact: {n} regels gecontroleerd, {c} ondertekende controlepunten "
        "geverifieerd.",
        "La chaîne est intacte : {n} entrées vérifiées, {c} points de contrôle signés vérifiés.",
    ),
    "audit.broken": (
        "The chain is broken: {problem}",
        "De keten is verbroken: {problem}",
        "La chaîne est rompue : {problem}",
    ),
    "vok.title": ("Proactive VOK list", "Proactieve VOK-lijst", "Liste VOK proactive"),
    "vok.help": (
        "Workers with RVA training time credit right now, from the federal mutation feed: to "
        "contact about the Flemish training credit (VOK).",
        "Werknemers met RVA-tijdskrediet met opleidingsmotief, uit de federale mutatiestroom: "
        "te contacteren over het Vlaams opleidingskrediet (VOK).",
        "Travailleurs ayant un crédit-temps ONEM pour formation, d'après le flux fédéral : à "
        "contacter au sujet du crédit de formation flamand (VOK).",
    ),
    "vok.empty": ("Nobody on the list.", "Niemand op de lijst.", "Personne dans la liste."),
    "col.insz": ("INSZ (masked)", "INSZ (gemaskeerd)", "NISS (masqué)"),
    "col.attests": ("Attests", "Attesten", "Attestations"),
    "col.period": ("Period", "Periode", "Période"),
    "col.reduction": ("Reduction", "Vermindering", "Réduction"),
    "eval.title": ("Evaluation", "Evaluatie", "Évaluation"),
    "eval.help": (
        "The monitoring and evaluation figures of a school year, from this gateway's store: "
        "aggregates only, small counts suppressed.",
        "De monitoring- en evaluatiecijfers van een schooljaar, uit de opslag van deze gateway: "
        "alleen totalen, kleine aantallen onderdrukt.",
        "Les chiffres de suivi et d'évaluation d'une année scolaire, tirés de cette passerelle : "
        "agrégats uniquement, petits nombres masqués.",
    ),
    "eval.school_year": ("School year", "Schooljaar", "Année scolaire"),
    "eval.show": ("Show", "Tonen", "Afficher"),
    "eval.open": (
        "Open the report of {year} (charts)",
        "Open het rapport van {year} (grafieken)",
        "Ouvrir le rapport {year} (graphiques)",
    ),
    "error.title": ("Not possible", "Niet mogelijk", "Impossible"),
    "error.csrf": (
        "This form has expired or did not come from the console (field csrf, rule "
        "csrf.mismatch). Open the page again and repeat.",
        "Dit formulier is verlopen of kwam niet van de console (veld csrf, regel "
        "csrf.mismatch). Open de pagina opnieuw en herhaal.",
        "Ce formulaire a expiré ou ne vient pas de la console (champ csrf, règle "
        "csrf.mismatch). Rouvrez la page et recommencez.",
    ),
    "error.admin_only": (
        "Only administrators may do this (role viewer).",
        "Alleen beheerders mogen dit doen (rol lezer).",
        "Seuls les administrateurs peuvent faire ceci (rôle lecteur).",
    ),
    "error.bad_field": (
        "Field {field}: {rule}.",
        "Veld {field}: {rule}.",
        "Champ {field} : {rule}.",
    ),
    "error.back": ("Back", "Terug", "Retour"),
    "unit.s": ("s", "s", "s"),
    "unit.min": ("min", "min", "min"),
    "unit.h": ("h", "u", "h"),
    "unit.d": ("d", "d", "j"),
}

_INDEX = {"en": 0, "nl": 1, "fr": 2}


def translate(key: str, language: str, **values: object) -> str:
    """The phrase for ``key`` in ``language`` with ``{name}`` filled in from ``values``."""
    text = CATALOGUE[key][_INDEX.get(language, 0)]
    return text.format(**values) if values else text


def negotiate(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The language of a request: explicit switch, remembered choice, browser, English."""
    for choice in (query, cookie):
        if choice in LANGUAGES:
            return str(choice)
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        primary = tag.split("-")[0].lower()
        if primary in LANGUAGES and weight > 0:
            ranked.append((-weight, position, primary))
    return sorted(ranked)[0][2] if ranked else DEFAULT
