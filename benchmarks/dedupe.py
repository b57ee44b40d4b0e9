"""Duplicate-scan benchmark: 100,000 parties with 5% planted duplicates; time, precision, recall.

Builds a private SQLite database of 95,000 parties (persons and organizations, with e-mails,
phones, addresses, birthdays and affiliations, written in their normal forms exactly as the
services write them) and plants 5,000 duplicates of distinct originals, 1,000 of each kind:

  typo         one edit (substitution, deletion, insertion, transposition) in a name word
  swapped      first and last names swapped
  phone        the same phone written another way ("00351 912…", "+351 91 234 5678", …)
  email_case   the same e-mail in another case, with stray spaces
  organization a similar name at the same organization

Every duplicate keeps what a second record of the same customer usually keeps: its city most
of the time, and at least one of e-mail (perhaps at another provider), phone or organization.
Then it times `scan_duplicates()` (load, block, score, store) and compares the proposed pairs
with the planted ones. Prints one JSON document. Goal: <= 60 s, precision >= 0.95,
recall >= 0.90.

    .venv/bin/python benchmarks/dedupe.py                       # quick: 10,000 parties
    .venv/bin/python benchmarks/dedupe.py --parties 100000 [--share 0.05] [--seed 7]   # big
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL = {"seconds": 60.0, "precision": 0.95, "recall": 0.90}
KINDS = ("typo", "swapped", "phone", "email_case", "organization")

GIVEN = (
    "Maria Ana João José António Francisco Manuel Pedro Luís Carlos Paulo Rui Miguel Tiago "
    "Catarina Inês Beatriz Sofia Marta Joana Rita Teresa Helena Isabel Carla Sara Patrícia "
    "Filipa Mariana Leonor Diogo Bruno Ricardo Nuno Hugo André Sérgio Vasco Gonçalo Duarte "
    "Alejandro Pablo Javier Daniel Adrián David Sergio Álvaro Mario Diego Lucía Carmen Laura "
    "Paula Elena Cristina Marina Irene Andrea Raquel Pilar Rosa Nuria Alba Claudia Silvia "
    "Giulia Chiara Francesca Alessandra Valentina Federica Martina Giorgia Elisa Sara Marco "
    "Giuseppe Luca Matteo Alessandro Lorenzo Andrea Stefano Giovanni Roberto Davide Simone "
    "James John Robert Michael William David Richard Joseph Thomas Charles Mary Patricia "
    "Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Emma Olivia Ava Sophia Mia "
    "Liam Noah Oliver Elijah Lucas Mason Logan Ethan Jacob Aiden Jackson Sebastian Henry "
    "Camille Léa Manon Chloé Inès Louise Jules Hugo Louis Gabriel Arthur Raphaël Adam Nathan "
    "Anna Lena Leonie Hannah Lea Laura Lukas Leon Finn Jonas Felix Maximilian Paul Elias Ben"
).split()
FAMILY = (
    "Silva Santos Ferreira Pereira Oliveira Costa Rodrigues Martins Jesus Sousa Fernandes "
    "Gonçalves Gomes Lopes Marques Alves Almeida Ribeiro Pinto Carvalho Teixeira Moreira "
    "Correia Mendes Nunes Soares Vieira Monteiro Cardoso Rocha Raposo Neves Coelho Cruz Cunha "
    "Pires Ramos Reis Simões Antunes Matos Fonseca Machado Araújo Barbosa Tavares Lourenço "
    "Castro Figueiredo Azevedo Freitas Henriques Baptista Morais Campos Garcia González "
    "Rodríguez Fernández López Martínez Sánchez Pérez Gómez Martín Jiménez Ruiz Hernández "
    "Díaz Moreno Muñoz Álvarez Romero Alonso Gutiérrez Navarro Torres Domínguez Vázquez Ramos "
    "Gil Ramírez Serrano Blanco Molina Morales Suárez Ortega Delgado Castro Ortiz Rubio Marín "
    "Sanz Iglesias Núñez Medina Garrido Cortés Castillo Santos Lozano Guerrero Cano Prieto "
    "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti "
    "De Luca Mancini Costa Giordano Rizzo Lombardi Moretti Barbieri Fontana Santoro Mariani "
    "Rinaldi Caruso Ferrara Galli Martini Leone Longo Gentile Martinelli Vitale Lombardo "
    "Serra Coppola De Santis D'Angelo Marchetti Parisi Villa Conte Ferraro Ferri Fabbri "
    "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore "
    "Jackson Martin Lee Thompson White Harris Clark Lewis Robinson Walker Young Allen King "
    "Wright Scott Hill Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips "
    "Campbell Parker Evans Edwards Collins Stewart Morris Murphy Cook Rogers Morgan Peterson "
    "Cooper Reed Bailey Bell Howard Ward Cox Richardson Wood Watson Brooks Bennett Gray "
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch "
    "Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann "
    "Dubois Durand Lefebvre Leroy Moreau Laurent Simon Michel Lefèvre Mercier Dupont Lambert "
    "Bonnet François Martinez Legrand Garnier Faure Rousseau Blanc Guerin Muller Henry Roussel"
).split()
CITIES = (
    "Lisboa Porto Braga Coimbra Faro Aveiro Setúbal Évora Viseu Leiria Funchal Guimarães "
    "Madrid Barcelona Valencia Sevilla Zaragoza Málaga Murcia Bilbao Alicante Córdoba "
    "Valladolid Vigo Gijón Granada Roma Milano Napoli Torino Palermo Genova Bologna Firenze "
    "Bari Catania Venezia Verona London Manchester Birmingham Leeds Glasgow Liverpool Bristol "
    "Paris Lyon Marseille Toulouse Nice Nantes Berlin Hamburg München Köln Frankfurt Stuttgart"
).split()
FREE = ("gmail.com", "hotmail.com", "outlook.com", "yahoo.com", "sapo.pt", "libero.it")
ORG_WORDS = (
    "Acme Global Iberia Atlantic Nova Prime Alpha Delta Omega Solar Verde Azul Norte Sul "
    "Tech Logistics Foods Trading Systems Consulting Partners Energy Labs Media Health "
    "Capital Retail Motors Digital Industries Textiles Wines Ceramics Tools Design Studio"
).split()
ORG_FORMS = ("Ltd", "S.A.", "Lda", "SRL", "GmbH", "Inc", "")
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _setup(home: Path) -> None:
    os.environ["CLIENTELA_HOME"] = str(home)
    os.environ.pop("CLIENTELA_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word + rng.choice(LETTERS)
    i = rng.randrange(1, len(word) - 1)
    edit = rng.choice(("substitute", "delete", "insert", "transpose"))
    if edit == "substitute":
        return word[:i] + rng.choice(LETTERS.replace(word[i].lower(), "")) + word[i + 1 :]
    if edit == "delete":
        return word[:i] + word[i + 1 :]
    if edit == "insert":
        return word[:i] + rng.choice(LETTERS) + word[i:]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def _slug(text: str) -> str:
    from clientela.parties.services.identity import normalize_name

    return normalize_name(text).replace(" ", "")


class World:
    """The generated parties, as plain dicts, before they are written."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rows: list[dict] = []
        self.phones: set[str] = set()

    def phone(self) -> str:
        while True:
            number = f"+3519{self.rng.choice('1236')}{self.rng.randrange(10**7):07d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def organization(self) -> dict:
        rng = self.rng
        name = " ".join(rng.sample(ORG_WORDS, rng.choice((1, 2, 2, 3))))
        name = f"{name} {rng.choice(ORG_FORMS)}".strip()
        domain = _slug(name.rsplit(" ", 1)[0] if " " in name else name) + f"{len(self.rows)}.com"
        row = {
            "kind": "organization",
            "given": "",
            "family": "",
            "org": name,
            "email": f"info@{domain}" if rng.random() < 0.7 else "",
            "phone": self.phone() if rng.random() < 0.8 else "",
            "city": rng.choice(CITIES) if rng.random() < 0.9 else "",
            "birthday": None,
            "employer": None,
            "domain": domain,
        }
        self.rows.append(row)
        return row

    def person(self, employers: list[int]) -> dict:
        rng = self.rng
        given = rng.choice(GIVEN)
        if rng.random() < 0.25:
            given = f"{given} {rng.choice(GIVEN)}"
        family = rng.choice(FAMILY)
        if rng.random() < 0.35:
            family = f"{family} {rng.choice(FAMILY)}"
        employer = rng.choice(employers) if rng.random() < 0.4 else None
        n = len(self.rows)
        if employer is not None and rng.random() < 0.5:
            domain = self.rows[employer]["domain"]
        else:
            domain = rng.choice(FREE)
        local = f"{_slug(given.split()[0])}.{_slug(family.split()[-1])}{n}"
        row = {
            "kind": "person",
            "given": given,
            "family": family,
            "org": "",
            "email": f"{local}@{domain}" if rng.random() < 0.8 else "",
            "phone": self.phone() if rng.random() < 0.6 else "",
            "city": rng.choice(CITIES) if rng.random() < 0.85 else "",
            "birthday": (rng.randrange(1940, 2005), rng.randrange(1, 13), rng.randrange(1, 29))
            if rng.random() < 0.3
            else None,
            "employer": employer,
        }
        self.rows.append(row)
        return row

    def duplicate(self, original: dict, kind: str) -> dict:
        rng = self.rng
        dup = dict(original)
        dup["email"] = dup["phone"] = ""
        dup["employer"] = None
        dup["city"] = original["city"] if rng.random() < 0.8 else ""
        evidence = [k for k in ("email", "phone", "employer") if original[k]]
        keep = set(rng.sample(evidence, rng.randint(1, len(evidence))))
        if kind == "typo":
            field = "org" if original["kind"] == "organization" else rng.choice(("given", "family"))
            words = original[field].split()
            i = rng.randrange(len(words))
            words[i] = _typo(words[i], rng)
            dup[field] = " ".join(words)
        elif kind == "swapped":
            dup["given"], dup["family"] = original["family"], original["given"]
        elif kind == "phone":
            keep.add("phone")
        elif kind == "email_case":
            keep.add("email")
        elif kind == "organization":
            keep = {"employer"} | ({"email"} & keep)
            if rng.random() < 0.5:
                dup["given"] = _typo(original["given"], rng)
        for k in keep:
            dup[k] = original[k]
        if "phone" in keep:
            dup["phone"] = _reformat(original["phone"], rng)
        if "email" in keep:
            dup["email"] = _recase(original["email"], rng)
        elif original["email"] and original["kind"] == "person" and rng.random() < 0.5:
            local = original["email"].split("@")[0]
            dup["email"] = f"{local}@{rng.choice(FREE)}"  # the same person at another provider
        self.rows.append(dup)
        return dup


def _reformat(e164: str, rng: random.Random) -> str:
    digits = e164[4:]
    return rng.choice(
        (
            f"+351 {digits[:3]} {digits[3:6]} {digits[6:]}",
            f"00351{digits}",
            f"(+351) {digits[:3]}-{digits[3:6]}-{digits[6:]}",
            f"+351 {digits[:2]} {digits[2:5]} {digits[5:]}",
        )
    )


def _recase(email: str, rng: random.Random) -> str:
    local, domain = email.split("@")
    return rng.choice((f" {local.upper()}@{domain}", f"{local.title()}@{domain.upper()} "))


def generate(total: int, share: float, seed: int) -> tuple[World, list[tuple[int, int, str]]]:
    rng = random.Random(seed)
    world = World(rng)
    planted_count = int(total * share)
    originals = total - planted_count
    org_count = originals // 20
    for _ in range(org_count):
        world.organization()
    employers = list(range(org_count))
    for _ in range(originals - org_count):
        world.person(employers)
    planted: list[tuple[int, int, str]] = []
    per_kind = planted_count // len(KINDS)
    used: set[int] = set()
    for kind in KINDS:
        made = 0
        while made < per_kind:
            i = rng.randrange(originals)
            row = world.rows[i]
            if i in used or not (row["email"] or row["phone"] or row["employer"] is not None):
                continue
            if kind in ("swapped", "organization") and row["kind"] != "person":
                continue
            if kind == "organization" and row["employer"] is None:
                continue
            if kind == "phone" and not row["phone"]:
                continue
            if kind == "email_case" and not row["email"]:
                continue
            used.add(i)
            world.duplicate(row, kind)
            planted.append((i, len(world.rows) - 1, kind))
            made += 1
    return world, planted


def write(world: World) -> list[int]:
    """Write the rows as the services would (normal forms computed by parties.identity)."""
    from django.db import transaction

    from clientela.parties.models import Affiliation, ContactPoint, KeyDate, Party
    from clientela.parties.services.identity import name_key, normalize_email, normalize_phone

    with transaction.atomic():
        parties = [
            Party(
                kind=r["kind"],
                given_name=r["given"],
                family_name=r["family"],
                organization_name=r["org"],
                display_name=r["org"] or f"{r['given']} {r['family']}",
                name_key=name_key(r["kind"], r["given"], r["family"], r["org"]),
            )
            for r in world.rows
        ]
        Party.objects.bulk_create(parties, batch_size=2000)
        ids = [p.pk for p in parties]
        points, links, dates = [], [], []
        for pk, r in zip(ids, world.rows, strict=True):
            if r["email"]:
                points.append(
                    ContactPoint(
                        party_id=pk,
                        kind="email",
                        value=r["email"],
                        normalized=normalize_email(r["email"]),
                        is_primary=True,
                    )
                )
            if r["phone"]:
                points.append(
                    ContactPoint(
                        party_id=pk,
                        kind="phone",
                        value=r["phone"],
                        normalized=normalize_phone(r["phone"]),
                        is_primary=True,
                    )
                )
            if r["city"]:
                points.append(
                    ContactPoint(
                        party_id=pk,
                        kind="address",
                        value=r["city"],
                        normalized=r["city"].lower(),
                        locality=r["city"],
                        is_primary=True,
                    )
                )
            if r["employer"] is not None:
                links.append(Affiliation(person_id=pk, organization_id=ids[r["employer"]]))
            if r["birthday"]:
                y, m, d = r["birthday"]
                dates.append(KeyDate(party_id=pk, kind="birthday", year=y, month=m, day=d))
        ContactPoint.objects.bulk_create(points, batch_size=2000)
        Affiliation.objects.bulk_create(links, batch_size=2000)
        KeyDate.objects.bulk_create(dates, batch_size=2000)
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parties", type=int, default=10_000)
    parser.add_argument("--share", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--home", help="data folder (default: a temporary one, removed after)")
    args = parser.parse_args()
    home = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="clientela-dedupe-"))
    try:
        _setup(home)
        started = time.perf_counter()
        world, planted = generate(args.parties, args.share, args.seed)
        ids = write(world)
        load_seconds = time.perf_counter() - started

        from django.db import transaction

        from clientela.dedupe.models import DuplicateCandidate
        from clientela.dedupe.services import scan_duplicates

        started = time.perf_counter()
        with transaction.atomic():
            result = scan_duplicates()
        seconds = time.perf_counter() - started

        truth = {tuple(sorted((ids[a], ids[b]))): kind for a, b, kind in planted}
        found = set(DuplicateCandidate.objects.values_list("party_a_id", "party_b_id"))
        hits = found & truth.keys()
        precision = len(hits) / len(found) if found else 0.0
        recall = len(hits) / len(truth)
        by_kind = {
            kind: round(
                sum(1 for p, k in truth.items() if k == kind and p in hits)
                / max(1, sum(1 for k in truth.values() if k == kind)),
                4,
            )
            for kind in KINDS
        }
        report = {
            "benchmark": "dedupe",
            "machine": {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
            },
            "parties": len(ids),
            "planted_duplicates": len(truth),
            "load_seconds": round(load_seconds, 1),
            "scan_seconds": round(seconds, 2),
            "pairs_compared": result.compared,
            "pairs_proposed": len(found),
            "true_positives": len(hits),
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "recall_by_kind": by_kind,
            "goal": GOAL,
            "meets_goal": seconds <= GOAL["seconds"]
            and precision >= GOAL["precision"]
            and recall >= GOAL["recall"],
        }
        print(json.dumps(report, indent=2))
    finally:
        if not args.home:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
