"""Which column of a file goes to which field: proposed from the header, changed by the user.

Headers are compared in a normal form (lower case, no accents, no spaces or punctuation), so
"E-mail", "email" and "E Mail" are the same; common names in English, Portuguese, Spanish and
Italian are known. Custom fields are found by their key or their label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from clientela.consent.models import CONSENT_PURPOSES, CONTACT_CHANNELS, CONTACT_PURPOSES
from clientela.core.errors import FieldError, Invalid
from clientela.parties.services.identity import normalize_text

if TYPE_CHECKING:
    from clientela.imports.services.formats import CellFormats

PARTIES = "parties"
ORDERS = "orders"
INTERACTIONS = "interactions"
ACTIVITIES = "activities"
KINDS = (PARTIES, ORDERS, INTERACTIONS, ACTIVITIES)
IGNORE = "-"
CUSTOM_PREFIX = "custom."

_PARTY_REF = {
    "party_external_id": (
        "party external id, customer external id, customer id, customer, client id, client, "
        "customer number, customer code, id cliente, cliente, codigo cliente, codigo do cliente, "
        "codigo de cliente, numero cliente, numero de cliente, numero do cliente, codice cliente, "
        "id cliente, party"
    ),
    "party_email": (
        "party email, customer email, client email, email, e-mail, e mail, mail, "
        "email cliente, email do cliente, correo, correo electronico, correo del cliente, "
        "posta elettronica, email del cliente"
    ),
    "party_id": "party id, clientela party id",
}

SYNONYMS: dict[str, dict[str, str]] = {
    PARTIES: {
        "clientela_id": "clientela id",
        "external_id": (
            "external id, id, customer id, customer number, client id, code, codigo, "
            "codigo cliente, id cliente, numero cliente, numero de cliente, codice, "
            "codice cliente, reference, ref, referencia, riferimento"
        ),
        "kind": "kind, type, party type, tipo, tipo de cliente, tipologia",
        "given_name": (
            "given name, first name, firstname, forename, nome, nome proprio, primeiro nome, "
            "nombre, nombre de pila, primer nombre"
        ),
        "family_name": (
            "family name, last name, lastname, surname, sobrenome, apelido, apellido, "
            "apellidos, cognome, ultimo nome"
        ),
        "name": (
            "name, full name, display name, nome completo, nombre completo, "
            "nome e cognome, razao social, razon social, ragione sociale"
        ),
        "company": (
            "company, organization, organisation, organization name, company name, employer, "
            "account, empresa, organizacao, organizacion, companhia, compania, azienda, "
            "societa, ditta, organizzazione, nome da empresa, nombre de la empresa"
        ),
        "email": (
            "email, e-mail, e mail, mail, email address, e-mail address, correo, "
            "correo electronico, email principal, endereco de email, endereco de e-mail, "
            "posta elettronica, indirizzo email, indirizzo e-mail"
        ),
        "phone": (
            "phone, phone number, telephone, tel, mobile, mobile phone, cell, cell phone, "
            "telefone, telemovel, celular, numero de telefone, telefono, movil, "
            "numero de telefono, cellulare, numero di telefono"
        ),
        "street": (
            "street, address, street address, address line 1, morada, endereco, rua, "
            "direccion, calle, domicilio, indirizzo, via"
        ),
        "city": "city, town, locality, cidade, localidade, ciudad, localidad, citta, comune",
        "region": (
            "region, state, province, county, estado, distrito, provincia, regiao, "
            "comunidad autonoma, regione"
        ),
        "postal_code": (
            "postal code, postcode, zip, zip code, codigo postal, cep, cod postal, cap, "
            "codice postale"
        ),
        "country": "country, country code, pais, paese, nazione, stato",
        "website": "website, web site, url, site, sitio web, pagina web, sito web, sito",
        "birthday": (
            "birthday, birth date, date of birth, dob, birthdate, data de nascimento, "
            "aniversario, nascimento, fecha de nacimiento, cumpleanos, nacimiento, "
            "data di nascita, compleanno, nascita"
        ),
        "customer_since": "customer since, cliente desde, cliente dal, cliente da",
        "language": "language, preferred language, idioma, lingua, lingua preferida",
        "timezone": "timezone, time zone, fuso horario, zona horaria, fuso orario",
        "tags": "tags, tag, labels, etiquetas, etiqueta, etichette, etichetta, marcadores",
        "roles": "roles, role, relationship, papel, papeis, rol, roles, ruolo, ruoli, relacao",
        "notes": (
            "notes, note, comments, comment, remarks, notas, observacoes, observacao, "
            "comentarios, observaciones, commenti, osservazioni"
        ),
        "owner": "owner, account owner, responsavel, propietario, responsable, proprietario",
        "team": "team, equipa, equipe, equipo, squadra",
        "organization_level": "organization level",
        "contact_points": "contact points",
        "key_dates": "key dates",
        "custom": "custom",
    },
    ORDERS: {
        "external_id": (
            "external id, id, order id, order, order number, order no, order ref, "
            "pedido, numero do pedido, numero de pedido, id pedido, encomenda, "
            "numero da encomenda, orden, numero de orden, ordine, numero ordine, id ordine"
        ),
        **_PARTY_REF,
        "ordered_at": (
            "ordered at, order date, date, created at, purchase date, data, data do pedido, "
            "data da encomenda, data da compra, fecha, fecha del pedido, fecha de compra, "
            "data ordine, data acquisto"
        ),
        "total": (
            "total, amount, order total, value, grand total, valor, valor total, montante, "
            "importe, importe total, importo, totale"
        ),
        "currency": "currency, currency code, moeda, divisa, moneda, valuta",
        "status": "status, order status, estado, situacao, estado del pedido, stato",
        "channel": "channel, sales channel, source, canal, canal de venda, canale",
        "lines": "lines, items, order lines, linhas, itens, lineas, articulos, righe",
    },
    INTERACTIONS: {
        "external_id": "external id, id, interaction id, activity id, id atividade",
        **_PARTY_REF,
        "channel": "channel, canal, canale, medium, meio, medio, mezzo",
        "direction": "direction, direcao, direccion, direzione, sentido",
        "occurred_at": (
            "occurred at, date, when, time, timestamp, data, data hora, quando, fecha, "
            "cuando, fecha hora, data ora, quando"
        ),
        "subject": "subject, title, topic, assunto, titulo, asunto, tema, oggetto, titolo",
        "notes": (
            "notes, note, body, description, details, notas, descricao, observacoes, "
            "descripcion, detalles, note, descrizione, dettagli"
        ),
        "outcome": "outcome, result, resultado, desfecho, esito, risultato",
    },
    ACTIVITIES: {
        "external_id": "external id, id, task id, activity id, id tarefa, id tarea, id attivita",
        **_PARTY_REF,
        "kind": "kind, type, activity type, task type, tipo, tipo de atividade, tipologia",
        "title": "title, subject, task, what, titulo, assunto, tarefa, asunto, tarea, titolo",
        "notes": "notes, note, description, details, notas, descricao, descripcion, descrizione",
        "due_date": "due date, due, date, deadline, data, prazo, vencimento, fecha, scadenza",
        "due_time": "due time, time, hour, hora, horario, ora, orario",
        "time_zone": "time zone, timezone, tz, fuso horario, zona horaria, fuso orario",
        "duration_minutes": "duration, duration minutes, minutes, duracao, duracion, durata",
        "assignee_email": "assignee, assigned to, responsible, responsavel, responsable",
        "priority": "priority, prioridade, prioridad, priorita",
        "repeat_unit": "repeat unit, repeats, recurrence, repete, repeticion, ripetizione",
        "repeat_every": "repeat every, every, interval, intervalo, intervallo",
    },
}

# Consent columns of a parties file (party_consent.py): `consent.<purpose>` says yes or no to
# a purpose on every channel, `consent.<purpose>.<channel>` on one; `opted_out` objects to all
# direct marketing. Each is also known by its own name.
CONSENT_PREFIX = "consent."
OPTED_OUT = "opted_out"
_CONSENT_HEADERS = {
    "consent.marketing": (
        "marketing consent, consent, opt in, marketing opt in, accepts marketing, gdpr consent, "
        "consentimento, consentimento marketing, consentimiento, consentimiento marketing, "
        "consenso, consenso marketing"
    ),
    "consent.marketing.email": (
        "email opt in, email marketing, accepts email marketing, email consent"
    ),
    "consent.marketing.sms": "sms opt in, sms marketing, accepts sms marketing, sms consent",
    "consent.newsletter": (
        "newsletter, newsletter opt in, newsletter subscription, subscribed to newsletter, "
        "boletim, boletim informativo, boletin, iscrizione newsletter"
    ),
    "consent.surveys": "survey consent",
    "consent.profiling": "profiling consent",
    OPTED_OUT: (
        "opted out, opt out, unsubscribed, do not contact, do not market, dnc, descadastrado, "
        "baja, no contactar, non contattare, disiscritto"
    ),
}
for _purpose in CONSENT_PURPOSES:
    SYNONYMS[PARTIES][f"{CONSENT_PREFIX}{_purpose}"] = f"{CONSENT_PREFIX}{_purpose}"
    for _channel in CONTACT_CHANNELS if _purpose in CONTACT_PURPOSES else ():
        SYNONYMS[PARTIES][f"{CONSENT_PREFIX}{_purpose}.{_channel}"] = ""
SYNONYMS[PARTIES][OPTED_OUT] = ""
for _target, _names in _CONSENT_HEADERS.items():
    SYNONYMS[PARTIES][_target] = _names

REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    # Each inner tuple: at least one of these targets must be mapped.
    PARTIES: (),
    ORDERS: (
        ("external_id",),
        ("party_external_id", "party_email", "party_id"),
        ("ordered_at",),
        ("total",),
        ("currency",),
    ),
    INTERACTIONS: (
        ("party_external_id", "party_email", "party_id"),
        ("channel",),
        ("direction",),
    ),
    ACTIVITIES: (
        ("party_external_id", "party_email", "party_id"),
        ("kind",),
        ("title",),
        ("due_date",),
    ),
}

_NON_WORD = re.compile(r"[^a-z0-9]+")


def header_key(text: str) -> str:
    """The normal form headers are compared in: 'Correo electrónico' -> 'correoelectronico'."""
    return _NON_WORD.sub("", normalize_text(text))


def _lookup(kind: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for target, names in SYNONYMS[kind].items():
        for name in [target, *(n for n in names.split(",") if n.strip())]:
            table.setdefault(header_key(name), target)
    return table


LOOKUPS = {kind: _lookup(kind) for kind in KINDS}


@dataclass(frozen=True)
class Mapping:
    """For each column of the file (by position), the field it fills, or None when ignored."""

    columns: tuple[str, ...]
    targets: tuple[str | None, ...]
    # How the file writes its dates, times and amounts (formats.py), once found.
    formats: CellFormats | None = None

    def index_of(self, target: str) -> int | None:
        return self.targets.index(target) if target in self.targets else None

    @property
    def ignored(self) -> list[str]:
        return [c for c, t in zip(self.columns, self.targets, strict=True) if t is None]

    def as_dict(self) -> dict[str, str]:
        return {c: t or IGNORE for c, t in zip(self.columns, self.targets, strict=True)}


def targets_for(kind: str, custom_fields: dict[str, str] | None = None) -> list[str]:
    """Every field a column may go to, custom fields last."""
    names = list(SYNONYMS[kind])
    if kind == PARTIES:
        names += [CUSTOM_PREFIX + key for key in sorted(custom_fields or {})]
    return names


def propose_target(
    kind: str, column: str, custom_fields: dict[str, str] | None = None
) -> str | None:
    """The field a header names, if any (custom fields by key or label)."""
    key = header_key(column)
    if not key or column.startswith("_"):
        return None  # our own bookkeeping columns (_row, _errors) and nameless columns
    if kind == PARTIES and custom_fields:
        for field_key, label in custom_fields.items():
            if key in {header_key(field_key), header_key(label), header_key("custom." + field_key)}:
                return CUSTOM_PREFIX + field_key
    return LOOKUPS[kind].get(key)


def build_mapping(
    kind: str,
    columns: list[str],
    overrides: dict[str, str] | None = None,
    custom_fields: dict[str, str] | None = None,
) -> Mapping:
    """Propose a target per column, apply the user's overrides, and check the result.

    Raises Invalid naming every problem: an override for a column the file lacks, an unknown
    target, two columns for one field, a required field with no column.
    """
    overrides = dict(overrides or {})
    valid = set(targets_for(kind, custom_fields))
    errors: list[FieldError] = []
    by_key = {header_key(c): c for c in columns}
    chosen: dict[str, str | None] = {}
    for source, target in overrides.items():
        column = source if source in columns else by_key.get(header_key(source))
        if column is None:
            errors.append(
                FieldError(
                    "map", source, _("is not a column of the file"), code="map_column_unknown"
                )
            )
            continue
        target = target.strip()
        if target in {"", IGNORE}:
            chosen[column] = None
        elif target in valid:
            chosen[column] = target
        else:
            errors.append(
                FieldError(
                    "map",
                    f"{source}={target}",
                    _("must name one of: %(fields)s"),
                    code="map_field_unknown",
                    params={"fields": ", ".join(sorted(valid))},
                )
            )
    targets: list[str | None] = []
    for column in columns:
        if column in chosen:
            targets.append(chosen[column])
        else:
            targets.append(propose_target(kind, column, custom_fields))
    _check(kind, tuple(columns), targets, errors)
    if errors:
        raise Invalid(errors)
    return Mapping(tuple(columns), tuple(targets))


def _check(
    kind: str,
    columns: tuple[str, ...],
    targets: list[str | None],
    errors: list[FieldError],
) -> None:
    seen: dict[str, int] = {}
    for position, target in enumerate(targets):
        if target is None:
            continue
        if target in seen:
            first = seen[target]
            errors.append(
                FieldError(
                    "header",
                    columns[position],
                    _(
                        "column %(position)s and column %(first)s (%(first_name)s) both go to "
                        "%(field)s; ignore one with --map '%(column)s=-' or map it to another "
                        "field"
                    ),
                    code="columns_share_a_field",
                    params={
                        "position": position + 1,
                        "first": first + 1,
                        "first_name": repr(columns[first]),
                        "field": target,
                        "column": columns[position],
                    },
                )
            )
            continue
        seen[target] = position
    for group in REQUIRED[kind]:
        if not any(t in seen for t in group):
            errors.append(
                FieldError(
                    "header",
                    ", ".join(columns),
                    _("has no column for %(fields)s; name one with --map COLUMN=%(field)s"),
                    code="required_column_missing",
                    params={"fields": " or ".join(group), "field": group[0]},
                )
            )


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """--map SRC=DEST pairs as a dict; Invalid when one has no '='."""
    result: dict[str, str] = {}
    for pair in pairs:
        source, sep, target = pair.partition("=")
        if not sep or not source.strip():
            raise Invalid(
                FieldError("map", pair, _("must be written as SOURCE=FIELD"), code="map_syntax")
            )
        result[source.strip()] = target.strip()
    return result
