"""The interface words of the site, the PDF and the email, in the briefing's language.

Templates write the English phrase, `{{ t("Bottom line") }}`; English is the key, so a
template stays readable and an unknown language falls back to it. German, French and
Spanish are shipped; `words:` in briefing.yaml overrides any phrase. Dates are written
by Babel in the language's long form ("24 November 2025", "24. November 2025").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

RTL_LANGUAGES = frozenset(
    {"ar", "arc", "ckb", "dv", "fa", "he", "ks", "ps", "sd", "ug", "ur", "yi"}
)

# Every phrase the built-in templates translate; the shipped languages give each one.
PHRASES: tuple[str, ...] = (
    "Skip to content", "Edition of", "Sections", "Overview", "What to watch", "Timeline",
    "Sources", "PDF briefing", "Atom feed", "Bottom line", "Issues", "by", "By",
    "The full checklist ({n} items)", "Latest sources", "All sources ({n})", "Issue",
    "Key points", "confidence", "Positions", "Open questions", "Related articles", "Source",
    "Read the original", "Cited in", "{n} source article, newest first.",
    "{n} source articles, newest first.", "No checklist items yet.", "Page not found",
    "Signs of escalation", "Signs of de-escalation", "Sources:", "quoted passage",
    "Newest first; each issue page lists its own events oldest first.",
    "No dated events yet.", "Contents", "Briefing", "Issues in this briefing", "Likelihood",
    "Confidence", "On the checklist", "Horizon", "Events from all issues, oldest first.",
    "Date", "Event", "The full briefing is attached as", "Read it online:",
    "escalating", "steady", "easing", "watching", "triggered", "resolved", "high",
    "moderate", "low", "almost no chance", "very unlikely", "unlikely",
    "roughly even chance", "likely", "very likely", "almost certain",
    "How to read this briefing",
    "Each issue opens with its bottom line.",
    "Numbers after a point, such as {note}, are notes: they link to the numbered list of sources at the end.",
    "Status",
    "{status} gives the trend of an issue:",
    "{confidence} describes how solid the basis of a judgement is, not how likely the outcome: {high}, well corroborated by several sources; {moderate}, credibly sourced but not fully corroborated; {low}, fragmentary or contested.",
    "{likelihood} uses the estimative scale of US Intelligence Community Directive 203:",
    "In the checklist, {watching}, {triggered} and {resolved}.",
    "Issue {n} of {total}",
    "Page",
    "of",
    "The notes in the text point to this list, numbered in the order the sources are first cited.",
    "{n} further articles are in the collection but not cited here",
    "{n} further article is in the collection but not cited here",
    "; all are listed at {link}",
    "{n} items, by issue. A box is ticked when an item has been triggered or resolved.",
    "{n} item, by issue. A box is ticked when an item has been triggered or resolved.",
    "There is no page at this address. It may be mistyped, or the page may have moved or been removed since an earlier edition.",
    "overview",
    "sources",
    "Start again from the {overview} or the list of {sources}.",
    "These links lead to the top of this web site. If the briefing lives in a folder of the site, shorten the address in your browser to that folder instead.",
)  # fmt: skip

SHIPPED: dict[str, dict[str, str]] = {
    "de": {
        "Skip to content": "Zum Inhalt springen",
        "Edition of": "Ausgabe vom",
        "Sections": "Rubriken",
        "Overview": "Überblick",
        "What to watch": "Worauf zu achten ist",
        "Timeline": "Chronik",
        "Sources": "Quellen",
        "PDF briefing": "Briefing als PDF",
        "Atom feed": "Atom-Feed",
        "Bottom line": "Fazit",
        "Issues": "Themen",
        "by": "bis",
        "By": "Bis",
        "The full checklist ({n} items)": "Die ganze Checkliste ({n} Punkte)",
        "Latest sources": "Neueste Quellen",
        "All sources ({n})": "Alle Quellen ({n})",
        "Issue": "Thema",
        "Key points": "Kernpunkte",
        "confidence": "Konfidenz",
        "Positions": "Positionen",
        "Open questions": "Offene Fragen",
        "Related articles": "Verwandte Artikel",
        "Source": "Quelle",
        "Read the original": "Zum Original",
        "Cited in": "Zitiert in",
        "{n} source article, newest first.": "{n} Quellenartikel, der neueste zuerst.",
        "{n} source articles, newest first.": "{n} Quellenartikel, die neuesten zuerst.",
        "No checklist items yet.": "Noch keine Punkte auf der Checkliste.",
        "Page not found": "Seite nicht gefunden",
        "Signs of escalation": "Zeichen der Eskalation",
        "Signs of de-escalation": "Zeichen der Entspannung",
        "Sources:": "Quellen:",
        "quoted passage": "zitierte Stelle",
        "Newest first; each issue page lists its own events oldest first.": (
            "Die neuesten zuerst; jede Themenseite listet ihre Ereignisse, die ältesten zuerst."
        ),
        "No dated events yet.": "Noch keine datierten Ereignisse.",
        "Contents": "Inhalt",
        "Briefing": "Briefing",
        "Issues in this briefing": "Themen dieses Briefings",
        "Likelihood": "Wahrscheinlichkeit",
        "Confidence": "Konfidenz",
        "On the checklist": "Auf der Checkliste",
        "Horizon": "Horizont",
        "Events from all issues, oldest first.": "Ereignisse aller Themen, die ältesten zuerst.",
        "Date": "Datum",
        "Event": "Ereignis",
        "The full briefing is attached as": "Das ganze Briefing hängt an als",
        "Read it online:": "Online lesen:",
        "escalating": "eskalierend",
        "steady": "unverändert",
        "easing": "entspannend",
        "watching": "beobachtet",
        "triggered": "eingetreten",
        "resolved": "erledigt",
        "high": "hoch",
        "moderate": "mittel",
        "low": "gering",
        "almost no chance": "fast ausgeschlossen",
        "very unlikely": "sehr unwahrscheinlich",
        "unlikely": "unwahrscheinlich",
        "roughly even chance": "etwa gleich wahrscheinlich",
        "likely": "wahrscheinlich",
        "very likely": "sehr wahrscheinlich",
        "almost certain": "fast sicher",
        "How to read this briefing": "So lesen Sie dieses Briefing",
        "Each issue opens with its bottom line.": "Jedes Thema beginnt mit seinem Fazit.",
        "Numbers after a point, such as {note}, are notes: they link to the numbered list of sources at the end.": "Zahlen nach einem Punkt, etwa {note}, sind Anmerkungen: Sie verweisen auf die nummerierte Quellenliste am Ende.",
        "Status": "Status",
        "{status} gives the trend of an issue:": "{status} gibt die Richtung eines Themas an:",
        "{confidence} describes how solid the basis of a judgement is, not how likely the outcome: {high}, well corroborated by several sources; {moderate}, credibly sourced but not fully corroborated; {low}, fragmentary or contested.": "{confidence} beschreibt, wie fest die Grundlage eines Urteils ist, nicht wie wahrscheinlich das Ergebnis: {high}, durch mehrere Quellen gut belegt; {moderate}, glaubwürdig belegt, aber nicht voll bestätigt; {low}, lückenhaft oder umstritten.",
        "{likelihood} uses the estimative scale of US Intelligence Community Directive 203:": "{likelihood} folgt der Schätzskala der US Intelligence Community Directive 203:",
        "In the checklist, {watching}, {triggered} and {resolved}.": "In der Checkliste: {watching}, {triggered} und {resolved}.",
        "Issue {n} of {total}": "Thema {n} von {total}",
        "Page": "Seite",
        "of": "von",
        "There is no page at this address. It may be mistyped, or the page may have moved or been removed since an earlier edition.": "Unter dieser Adresse gibt es keine Seite. Sie ist vielleicht falsch geschrieben, oder die Seite wurde seit einer früheren Ausgabe verschoben oder entfernt.",
        "overview": "Überblick",
        "sources": "Quellen",
        "Start again from the {overview} or the list of {sources}.": "Beginnen Sie wieder beim {overview} oder bei der Liste der {sources}.",
        "These links lead to the top of this web site. If the briefing lives in a folder of the site, shorten the address in your browser to that folder instead.": "Diese Links führen zum Anfang dieser Website. Liegt das Briefing in einem Ordner der Website, kürzen Sie die Adresse im Browser stattdessen auf diesen Ordner.",
        "The notes in the text point to this list, numbered in the order the sources are first cited.": "Die Anmerkungen im Text verweisen auf diese Liste, nummeriert in der Reihenfolge, in der die Quellen zuerst zitiert werden.",
        "{n} further articles are in the collection but not cited here": "{n} weitere Artikel sind in der Sammlung, werden hier aber nicht zitiert",
        "{n} further article is in the collection but not cited here": "{n} weiterer Artikel ist in der Sammlung, wird hier aber nicht zitiert",
        "; all are listed at {link}": "; alle stehen unter {link}",
        "{n} items, by issue. A box is ticked when an item has been triggered or resolved.": "{n} Punkte, nach Thema. Ein Kästchen ist angekreuzt, wenn ein Punkt eingetreten oder erledigt ist.",
        "{n} item, by issue. A box is ticked when an item has been triggered or resolved.": "{n} Punkt, nach Thema. Ein Kästchen ist angekreuzt, wenn ein Punkt eingetreten oder erledigt ist.",
    },
    "fr": {
        "Skip to content": "Aller au contenu",
        "Edition of": "Édition du",
        "Sections": "Rubriques",
        "Overview": "Vue d’ensemble",
        "What to watch": "À surveiller",
        "Timeline": "Chronologie",
        "Sources": "Sources",
        "PDF briefing": "Note en PDF",
        "Atom feed": "Flux Atom",
        "Bottom line": "L’essentiel",
        "Issues": "Dossiers",
        "by": "d’ici le",
        "By": "D’ici le",
        "The full checklist ({n} items)": "La liste complète ({n} points)",
        "Latest sources": "Dernières sources",
        "All sources ({n})": "Toutes les sources ({n})",
        "Issue": "Dossier",
        "Key points": "Points clés",
        "confidence": "confiance",
        "Positions": "Positions",
        "Open questions": "Questions ouvertes",
        "Related articles": "Articles liés",
        "Source": "Source",
        "Read the original": "Lire l’original",
        "Cited in": "Cité dans",
        "{n} source article, newest first.": "{n} article source, le plus récent d’abord.",
        "{n} source articles, newest first.": "{n} articles sources, les plus récents d’abord.",
        "No checklist items yet.": "Aucun point à surveiller pour l’instant.",
        "Page not found": "Page introuvable",
        "Signs of escalation": "Signes d’escalade",
        "Signs of de-escalation": "Signes de désescalade",
        "Sources:": "Sources :",
        "quoted passage": "passage cité",
        "Newest first; each issue page lists its own events oldest first.": (
            "Les plus récents d’abord ; chaque dossier liste ses événements du plus ancien "
            "au plus récent."
        ),
        "No dated events yet.": "Aucun événement daté pour l’instant.",
        "Contents": "Sommaire",
        "Briefing": "Note",
        "Issues in this briefing": "Dossiers de cette note",
        "Likelihood": "Probabilité",
        "Confidence": "Confiance",
        "On the checklist": "À surveiller",
        "Horizon": "Échéance",
        "Events from all issues, oldest first.": (
            "Événements de tous les dossiers, du plus ancien au plus récent."
        ),
        "Date": "Date",
        "Event": "Événement",
        "The full briefing is attached as": "La note complète est jointe :",
        "Read it online:": "À lire en ligne :",
        "escalating": "en escalade",
        "steady": "stable",
        "easing": "en détente",
        "watching": "sous surveillance",
        "triggered": "déclenché",
        "resolved": "résolu",
        "high": "élevée",
        "moderate": "moyenne",
        "low": "faible",
        "almost no chance": "quasiment exclu",
        "very unlikely": "très improbable",
        "unlikely": "improbable",
        "roughly even chance": "à peu près une chance sur deux",
        "likely": "probable",
        "very likely": "très probable",
        "almost certain": "quasi certain",
        "How to read this briefing": "Comment lire cette note",
        "Each issue opens with its bottom line.": "Chaque dossier s’ouvre sur l’essentiel.",
        "Numbers after a point, such as {note}, are notes: they link to the numbered list of sources at the end.": "Les numéros après un point, comme {note}, sont des notes : ils renvoient à la liste numérotée des sources à la fin.",
        "Status": "Tendance",
        "{status} gives the trend of an issue:": "{status} indique l’évolution d’un dossier :",
        "{confidence} describes how solid the basis of a judgement is, not how likely the outcome: {high}, well corroborated by several sources; {moderate}, credibly sourced but not fully corroborated; {low}, fragmentary or contested.": "{confidence} décrit la solidité des bases d’un jugement, non la probabilité du résultat : {high}, bien corroborée par plusieurs sources ; {moderate}, sources crédibles mais pas entièrement corroborées ; {low}, éléments fragmentaires ou contestés.",
        "{likelihood} uses the estimative scale of US Intelligence Community Directive 203:": "{likelihood} suit l’échelle d’estimation de la directive 203 de la communauté du renseignement américaine :",
        "In the checklist, {watching}, {triggered} and {resolved}.": "Dans la liste : {watching}, {triggered} et {resolved}.",
        "Issue {n} of {total}": "Dossier {n} sur {total}",
        "Page": "Page",
        "of": "sur",
        "There is no page at this address. It may be mistyped, or the page may have moved or been removed since an earlier edition.": "Il n’y a pas de page à cette adresse. Elle est peut-être mal saisie, ou la page a été déplacée ou supprimée depuis une édition précédente.",
        "overview": "vue d’ensemble",
        "sources": "sources",
        "Start again from the {overview} or the list of {sources}.": "Repartez de la {overview} ou de la liste des {sources}.",
        "These links lead to the top of this web site. If the briefing lives in a folder of the site, shorten the address in your browser to that folder instead.": "Ces liens mènent à la racine de ce site. Si la note se trouve dans un dossier du site, raccourcissez plutôt l’adresse dans votre navigateur jusqu’à ce dossier.",
        "The notes in the text point to this list, numbered in the order the sources are first cited.": "Les notes du texte renvoient à cette liste, numérotée dans l’ordre où les sources sont citées pour la première fois.",
        "{n} further articles are in the collection but not cited here": "{n} autres articles figurent dans la collection sans être cités ici",
        "{n} further article is in the collection but not cited here": "{n} autre article figure dans la collection sans être cité ici",
        "; all are listed at {link}": " ; tous sont listés sur {link}",
        "{n} items, by issue. A box is ticked when an item has been triggered or resolved.": "{n} points, par dossier. Une case est cochée quand un point s’est déclenché ou est résolu.",
        "{n} item, by issue. A box is ticked when an item has been triggered or resolved.": "{n} point, par dossier. Une case est cochée quand un point s’est déclenché ou est résolu.",
    },
    "es": {
        "Skip to content": "Saltar al contenido",
        "Edition of": "Edición del",
        "Sections": "Secciones",
        "Overview": "Resumen",
        "What to watch": "Qué vigilar",
        "Timeline": "Cronología",
        "Sources": "Fuentes",
        "PDF briefing": "Informe en PDF",
        "Atom feed": "Canal Atom",
        "Bottom line": "Conclusión",
        "Issues": "Temas",
        "by": "antes del",
        "By": "Antes del",
        "The full checklist ({n} items)": "La lista completa ({n} puntos)",
        "Latest sources": "Fuentes más recientes",
        "All sources ({n})": "Todas las fuentes ({n})",
        "Issue": "Tema",
        "Key points": "Puntos clave",
        "confidence": "confianza",
        "Positions": "Posiciones",
        "Open questions": "Preguntas abiertas",
        "Related articles": "Artículos relacionados",
        "Source": "Fuente",
        "Read the original": "Leer el original",
        "Cited in": "Citado en",
        "{n} source article, newest first.": "{n} artículo fuente, el más reciente primero.",
        "{n} source articles, newest first.": ("{n} artículos fuente, los más recientes primero."),
        "No checklist items yet.": "Aún no hay puntos en la lista.",
        "Page not found": "Página no encontrada",
        "Signs of escalation": "Señales de escalada",
        "Signs of de-escalation": "Señales de desescalada",
        "Sources:": "Fuentes:",
        "quoted passage": "pasaje citado",
        "Newest first; each issue page lists its own events oldest first.": (
            "Los más recientes primero; cada tema lista sus propios sucesos del más antiguo "
            "al más reciente."
        ),
        "No dated events yet.": "Aún no hay sucesos con fecha.",
        "Contents": "Índice",
        "Briefing": "Informe",
        "Issues in this briefing": "Temas de este informe",
        "Likelihood": "Probabilidad",
        "Confidence": "Confianza",
        "On the checklist": "En la lista",
        "Horizon": "Horizonte",
        "Events from all issues, oldest first.": (
            "Sucesos de todos los temas, del más antiguo al más reciente."
        ),
        "Date": "Fecha",
        "Event": "Suceso",
        "The full briefing is attached as": "El informe completo va adjunto como",
        "Read it online:": "Léalo en línea:",
        "escalating": "en escalada",
        "steady": "estable",
        "easing": "en distensión",
        "watching": "en vigilancia",
        "triggered": "activado",
        "resolved": "resuelto",
        "high": "alta",
        "moderate": "moderada",
        "low": "baja",
        "almost no chance": "casi imposible",
        "very unlikely": "muy improbable",
        "unlikely": "improbable",
        "roughly even chance": "aproximadamente igual de probable",
        "likely": "probable",
        "very likely": "muy probable",
        "almost certain": "casi seguro",
        "How to read this briefing": "Cómo leer este informe",
        "Each issue opens with its bottom line.": "Cada tema empieza por su conclusión.",
        "Numbers after a point, such as {note}, are notes: they link to the numbered list of sources at the end.": "Los números tras un punto, como {note}, son notas: remiten a la lista numerada de fuentes del final.",
        "Status": "Tendencia",
        "{status} gives the trend of an issue:": "{status} indica la evolución de un tema:",
        "{confidence} describes how solid the basis of a judgement is, not how likely the outcome: {high}, well corroborated by several sources; {moderate}, credibly sourced but not fully corroborated; {low}, fragmentary or contested.": "{confidence} describe la solidez de la base de un juicio, no la probabilidad del resultado: {high}, bien corroborada por varias fuentes; {moderate}, fuentes creíbles pero no del todo corroboradas; {low}, datos fragmentarios o discutidos.",
        "{likelihood} uses the estimative scale of US Intelligence Community Directive 203:": "{likelihood} sigue la escala de estimación de la directiva 203 de la comunidad de inteligencia de EE. UU.:",
        "In the checklist, {watching}, {triggered} and {resolved}.": "En la lista: {watching}, {triggered} y {resolved}.",
        "Issue {n} of {total}": "Tema {n} de {total}",
        "Page": "Página",
        "of": "de",
        "There is no page at this address. It may be mistyped, or the page may have moved or been removed since an earlier edition.": "No hay ninguna página en esta dirección. Puede que esté mal escrita o que la página se haya movido o eliminado desde una edición anterior.",
        "overview": "resumen",
        "sources": "fuentes",
        "Start again from the {overview} or the list of {sources}.": "Vuelva a empezar desde el {overview} o la lista de {sources}.",
        "These links lead to the top of this web site. If the briefing lives in a folder of the site, shorten the address in your browser to that folder instead.": "Estos enlaces llevan al inicio de este sitio web. Si el informe está en una carpeta del sitio, acorte la dirección en su navegador hasta esa carpeta.",
        "The notes in the text point to this list, numbered in the order the sources are first cited.": "Las notas del texto remiten a esta lista, numerada en el orden en que se citan las fuentes por primera vez.",
        "{n} further articles are in the collection but not cited here": "{n} artículos más están en la colección pero no se citan aquí",
        "{n} further article is in the collection but not cited here": "{n} artículo más está en la colección pero no se cita aquí",
        "; all are listed at {link}": "; todos figuran en {link}",
        "{n} items, by issue. A box is ticked when an item has been triggered or resolved.": "{n} puntos, por tema. Una casilla se marca cuando un punto se ha activado o resuelto.",
        "{n} item, by issue. A box is ticked when an item has been triggered or resolved.": "{n} punto, por tema. Una casilla se marca cuando un punto se ha activado o resuelto.",
    },
}


def base_language(lang: str) -> str:
    """ "de" for "de-AT" or "de_AT"."""
    return lang.replace("_", "-").split("-")[0].lower()


def word(lang: str, overrides: Mapping[str, str], phrase: str, **values: object) -> str:
    """phrase in lang: the project's override, else the shipped word, else the English;
    {n}-style placeholders filled from values."""
    text = overrides.get(phrase) or SHIPPED.get(base_language(lang), {}).get(phrase, phrase)
    return text.format(**values) if values else text


def direction(lang: str) -> str:
    return "rtl" if base_language(lang) in RTL_LANGUAGES else "ltr"


def long_date(value: dt.date | None, lang: str = "en") -> str:
    """A date in the language's long form; English as "24 November 2025"."""
    if value is None:
        return ""
    if base_language(lang) == "en":
        return f"{value.day} {value:%B %Y}"  # one English form, wherever the desk is
    from babel.dates import format_date

    return format_date(value, format="long", locale=lang.replace("-", "_"))


def language_problem(lang: str) -> str | None:
    """What is wrong with lang as a language tag; None when Babel knows it."""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return "is not a language Babel knows; expected a tag such as en, de, fr, es, de-AT"
    return None
