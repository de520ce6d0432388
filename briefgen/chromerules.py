"""What web-page chrome looks like in each language, as data for the clipping clean-up.

Each language lists line patterns (regular expressions matched, case-insensitively,
against a whole line with its white space collapsed), keyed by the reason the
terminal shows; section labels printed above headlines; the words that open a byline;
and the labels of a date line. A clipping is checked against every language: its own
language is not known, and chrome in one language is not prose in another.

``{short}`` in a pattern stands for the rest of a short line in which no sentence ends.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LanguageChrome:
    lines: tuple[tuple[str, str], ...]
    """(reason, pattern) pairs, tried in order."""
    section_labels: frozenset[str]
    """Lower-case labels ("opinion") a page prints above the headline."""
    byline_words: tuple[str, ...]
    """Words that open a byline line ("By", "Von"), followed by the author's name."""
    date_labels: tuple[str, ...]
    """Patterns of the label before a publication date ("Published on")."""
    home_words: tuple[str, ...]
    """The first item of a breadcrumb ("Home")."""


ENGLISH = LanguageChrome(
    lines=(
        ("photo credit", r"(?:photo|image|picture|photograph|illustration)s?"
                         r"(?:\s+credit)?\s*[:|/©]\s*{short}"),
        ("photo credit", r"\((?:photo|image|picture)s?\s+(?:by|credit|:)[^()]{0,100}\)"),
        ("photo credit", r"(?:getty images|reuters|ap photo|afp|epa)(?:\s*/\s*[\w .'-]{1,40})?"),
        ("copyright notice", r"(?:©|\(c\)\s*(?:19|20)\d\d|copyright\s+(?:©\s*)?"
                             r"(?:19|20)\d\d).{0,100}"),
        ("loading placeholder", r"loading\s*(?:\.\.\.|…)?"),
        ("comment prompt", r"comments?\s*(?:\(\d+\))?|\d+\s+comments?|"
                           r"leave a (?:comment|reply)|be the first to comment\W*|"
                           r"(?:show|view|read) (?:all )?comments?(?:\s*\(\d+\))?"),
        ("sign-in prompt", r"(?:please\s+)?(?:sign|log)\s*in(?:\s+(?:to|or|and)\s+"
                           r"[^.!?]{1,60})?[.!]?"),
        ("subscription prompt", r"subscribe\b.{0,80}|sign up (?:for|to)\b.{0,80}|"
                                r"you have reached your (?:limit|maximum)\b.{0,100}|"
                                r"click here to (?:subscribe|sign up|read more)\b.{0,60}|"
                                r"get (?:our|the) [\w ]{0,30}newsletter\b.{0,60}"),
        ("share prompt", r"(?:share(?: this(?: article| story| page)?)?"
                         r"(?: (?:on|via) [\w ]{1,20})?|tweet|email|print|"
                         r"copy link|follow us(?: on [\w ,&]{1,40})?)[.:]?"),
        ("player", r"listen to (?:this )?article(?:\s*\d+ min)?|"
                   r"\d+\s*(?:min|minute)s?(?: read| listen)|"
                   r"play(?: video| audio)?|watch(?: the)? video"),
        ("related links", r"related (?:articles|stories|coverage|content|news)|"
                          r"most (?:read|popular|viewed)|trending(?: now)?|"
                          r"more (?:from|on) [\w ]{1,30}|tags?:.{0,120}|topics?:.{0,120}"),
        ("promotion", r"(?:also read|read also|read more|see also|related|"
                      r"recommended|must read)\b\s*[:|\-–—>»]\s*{short}"),
        ("advertisement", r"advertisement|sponsored(?: content)?|ad"),
        ("standards notice", r"our standards: the thomson reuters trust principles\.?"),
        ("cookie banner", r"(?:we|this (?:site|website)) uses? cookies\b.{0,300}|"
                          r"accept(?: all)?(?: cookies)?|manage (?:cookies|preferences)|"
                          r"cookie (?:settings|preferences|policy)"),
    ),
    section_labels=frozenset({
        "analysis", "commentary", "comment", "opinion", "editorial", "explainer",
        "exclusive", "breaking", "feature", "features", "interview", "review",
        "perspective", "insight", "news", "world", "politics", "business", "live",
        "podcast", "video", "newsletter",
    }),
    byline_words=("By",),
    date_labels=(r"published(?:\s+on)?", r"posted(?:\s+on)?", r"first published(?:\s+on)?",
                 r"updated(?:\s+on)?", r"last updated(?:\s+on)?"),
    home_words=("home", "start", "main page"),
)  # fmt: skip

GERMAN = LanguageChrome(
    lines=(
        ("photo credit", r"(?:foto|fotos|bild|bilder|quelle|grafik)\s*:\s*{short}"),
        ("photo credit", r"(?:dpa|imago(?: images)?|picture alliance|keystone|apa)"
                         r"(?:\s*/\s*[\w .'-]{1,40})?"),
        ("comment prompt", r"kommentare\s*(?:\(\d+\))?|\d+\s+kommentare?|jetzt kommentieren|"
                           r"kommentar schreiben"),
        ("sign-in prompt", r"(?:jetzt\s+)?(?:anmelden|einloggen|registrieren)"
                           r"(?:\s+(?:und|oder)\s+[^.!?]{1,60})?[.!]?"),
        ("subscription prompt", r"(?:jetzt\s+)?(?:abonnieren|abo abschließen|zum abo)\b.{0,80}|"
                                r"newsletter (?:abonnieren|bestellen)\b.{0,60}|"
                                r"(?:\w+\+|plus)[- ]artikel"),
        ("share prompt", r"(?:artikel |jetzt )?teilen(?: (?:auf|per) [\w ]{1,20})?|drucken|"
                         r"e-mail|link kopieren|artikel merken|folgen sie uns.{0,60}"),
        ("player", r"artikel (?:anhören|vorlesen lassen).{0,20}|"
                   r"(?:lesezeit:?\s*)?\d+\s*min(?:\.|uten)?(?: lesezeit)?|video abspielen"),
        ("related links", r"mehr zum thema.{0,60}|meistgelesen|am meisten gelesen|"
                          r"themen:.{0,120}|schlagworte:.{0,120}|weitere artikel.{0,40}"),
        ("promotion", r"(?:lesen sie auch|lesen sie mehr|auch interessant|mehr dazu|"
                      r"das könnte sie auch interessieren)\b\s*[:|\-–—>»]?\s*(?:{short})?"),
        ("advertisement", r"anzeige|werbung|gesponserter inhalt"),
        ("cookie banner", r"wir (?:verwenden|nutzen) cookies\b.{0,300}|"
                          r"(?:alle )?(?:akzeptieren|zustimmen)(?: und weiter)?|"
                          r"cookie-einstellungen|datenschutz-einstellungen"),
    ),
    section_labels=frozenset({
        "analyse", "kommentar", "meinung", "leitartikel", "interview", "politik", "ausland",
        "inland", "wirtschaft", "nachrichten", "hintergrund", "reportage", "exklusiv",
    }),
    byline_words=("Von",),
    date_labels=(r"veröffentlicht(?:\s+am)?", r"erschienen(?:\s+am)?", r"stand",
                 r"aktualisiert(?:\s+am)?", r"zuletzt aktualisiert(?:\s+am)?"),
    home_words=("startseite", "home"),
)  # fmt: skip

FRENCH = LanguageChrome(
    lines=(
        ("photo credit", r"(?:photo|photos|image|illustration|crédit(?:s)? photo)\s*:\s*{short}"),
        ("photo credit", r"(?:afp|reuters|ap|sipa|maxppp|hans lucas)"
                         r"(?:\s*/\s*[\w .'-]{1,40})?"),
        ("comment prompt", r"commentaires?\s*(?:\(\d+\))?|\d+\s+commentaires?|"
                           r"(?:laisser|ajouter) un commentaire|réagir"),
        ("sign-in prompt", r"(?:se connecter|connectez-vous|identifiez-vous)"
                           r"(?:\s+(?:pour|ou)\s+[^.!?]{1,60})?[.!]?"),
        ("subscription prompt", r"(?:s'abonner|s’abonner|abonnez-vous)\b.{0,80}|"
                                r"(?:article )?réservé aux abonnés\.?|"
                                r"(?:inscrivez-vous|recevez) (?:à )?(?:notre|la) "
                                r"newsletter.{0,60}"),
        ("share prompt", r"partager(?: (?:sur|par) [\w ]{1,20})?|imprimer|copier le lien|"
                         r"envoyer par e-mail|suivez-nous.{0,60}"),
        ("player", r"écouter (?:cet )?article.{0,20}|(?:temps de )?lecture\s*:?\s*\d+\s*min\.?|"
                   r"\d+\s*min de lecture|lire la vidéo"),
        ("related links", r"les plus lus|sur le même sujet|dans la même rubrique|"
                          r"mots-clés\s*:.{0,120}|sujets?\s*:.{0,120}"),
        ("promotion", r"(?:à lire aussi|lire aussi|voir aussi|lire la suite|à voir aussi|"
                      r"notre sélection)\b\s*[:|\-–—>»]?\s*(?:{short})?"),
        ("advertisement", r"publicité|contenu sponsorisé|annonce"),
        ("cookie banner", r"(?:nous utilisons|ce site utilise) (?:des )?cookies\b.{0,300}|"
                          r"(?:tout )?accepter(?: et (?:fermer|continuer))?|"
                          r"continuer sans accepter|paramétrer les cookies"),
    ),
    section_labels=frozenset({
        "analyse", "éditorial", "editorial", "opinion", "tribune", "entretien", "chronique",
        "international", "politique", "économie", "décryptage", "reportage", "exclusif",
    }),
    byline_words=("Par",),
    date_labels=(r"publié(?:\s+le)?", r"mis à jour(?:\s+le)?", r"modifié(?:\s+le)?"),
    home_words=("accueil",),
)  # fmt: skip

SPANISH = LanguageChrome(
    lines=(
        ("photo credit", r"(?:foto|fotos|imagen|fotografía|ilustración)\s*:\s*{short}"),
        ("photo credit", r"(?:efe|europa press|afp|reuters|ap)(?:\s*/\s*[\w .'-]{1,40})?"),
        ("comment prompt", r"comentarios?\s*(?:\(\d+\))?|\d+\s+comentarios?|"
                           r"(?:deja|escribe) (?:un|tu) comentario"),
        ("sign-in prompt", r"(?:inicia(?:r)? sesión|identifícate|regístrate)"
                           r"(?:\s+(?:para|o)\s+[^.!?]{1,60})?[.!]?"),
        ("subscription prompt", r"(?:suscríbete|suscribirse|hazte suscriptor)\b.{0,80}|"
                                r"(?:contenido )?exclusivo para suscriptores\.?|"
                                r"(?:recibe|apúntate a) (?:nuestra|la) newsletter.{0,60}"),
        ("share prompt", r"compartir(?: en [\w ]{1,20})?|imprimir|copiar enlace|"
                         r"enviar por correo|síguenos.{0,60}"),
        ("player", r"escuchar (?:este )?artículo.{0,20}|"
                   r"(?:tiempo de )?lectura\s*:?\s*\d+\s*min\.?|\d+\s*min de lectura|"
                   r"reproducir vídeo"),
        ("related links", r"lo más leído|más leídas|noticias relacionadas|"
                          r"temas\s*:.{0,120}|etiquetas\s*:.{0,120}|archivado en\s*:.{0,120}"),
        ("promotion", r"(?:lea también|lee también|te puede interesar|"
                      r"también te puede interesar|más información|ver también)"
                      r"\b\s*[:|\-–—>»]?\s*(?:{short})?"),
        ("advertisement", r"publicidad|contenido patrocinado|anuncio"),
        ("cookie banner", r"(?:utilizamos|usamos|este sitio (?:web )?utiliza) cookies\b.{0,300}|"
                          r"aceptar(?: (?:todo|todas))?(?: las cookies)?|"
                          r"configurar cookies|rechazar(?: todas)?"),
    ),
    section_labels=frozenset({
        "análisis", "opinión", "editorial", "entrevista", "internacional", "política",
        "economía", "tribuna", "reportaje", "exclusiva", "última hora",
    }),
    byline_words=("Por",),
    date_labels=(r"publicado(?:\s+el)?", r"actualizado(?:\s+el)?", r"fecha"),
    home_words=("inicio", "portada"),
)  # fmt: skip

LANGUAGES: dict[str, LanguageChrome] = {
    "en": ENGLISH,
    "de": GERMAN,
    "fr": FRENCH,
    "es": SPANISH,
}
