"""The demo company's world: names, places and phone plans of four markets.

Aurora Casa & Café sells coffee, tea and tableware to households (web shop and stores) and to
hotels, restaurants and offices (sales reps and distributors) in Portugal, Spain, Italy and
the United Kingdom.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    name: str
    region: str
    postal_prefix: str
    landline: str  # pattern: X is a random digit


@dataclass(frozen=True)
class Market:
    """One country: its people's names, places, phone numbers and company names."""

    code: str
    country: str
    language: str
    timezone: str
    team: str
    female: tuple[str, ...]
    male: tuple[str, ...]
    families: tuple[str, ...]
    double_family_name: bool
    cities: tuple[City, ...]
    streets: tuple[str, ...]
    street_format: str  # {street} {number}
    mobile: str
    email_domains: tuple[str, ...]
    company_stems: tuple[str, ...]
    company_trades: tuple[str, ...]
    company_format: str  # {trade} {stem}
    company_suffixes: tuple[str, ...]
    web_tld: str
    titles: tuple[str, ...]
    weight: int


PORTUGAL = Market(
    code="PT",
    country="Portugal",
    language="pt",
    timezone="Europe/Lisbon",
    team="Portugal",
    female=tuple(
        "Maria Ana Beatriz Inês Mariana Joana Sofia Catarina Rita Carolina Leonor Teresa "
        "Helena Marta Filipa Raquel Sara Cláudia Patrícia Luísa".split()
    ),
    male=tuple(
        "João José António Francisco Manuel Pedro Tiago Rui Miguel Duarte Gonçalo Nuno "
        "Ricardo Bruno Diogo Luís Paulo Afonso Rodrigo Vasco".split()
    ),
    families=tuple(
        "Silva Santos Ferreira Pereira Oliveira Costa Rodrigues Martins Jesus Sousa "
        "Fernandes Gonçalves Gomes Lopes Marques Alves Almeida Ribeiro Pinto Carvalho "
        "Teixeira Moreira Correia Mendes Nunes Soares Vieira Monteiro Cardoso Rocha".split()
    ),
    double_family_name=True,
    cities=(
        City("Lisboa", "Lisboa", "1", "+351 21X XXX XXX"),
        City("Porto", "Porto", "4", "+351 22X XXX XXX"),
        City("Braga", "Braga", "47", "+351 253 XXX XXX"),
        City("Coimbra", "Coimbra", "30", "+351 239 XXX XXX"),
        City("Faro", "Faro", "80", "+351 289 XXX XXX"),
        City("Aveiro", "Aveiro", "38", "+351 234 XXX XXX"),
    ),
    streets=(
        "Rua Augusta",
        "Avenida da Liberdade",
        "Rua de Santa Catarina",
        "Rua do Carmo",
        "Avenida dos Aliados",
        "Rua Garrett",
        "Rua das Flores",
        "Largo do Rato",
        "Rua Ferreira Borges",
        "Avenida da República",
    ),
    street_format="{street}, {number}",
    mobile="+351 9{1236}X XXX XXX",
    email_domains=("gmail.com", "sapo.pt", "hotmail.com", "outlook.pt", "iol.pt"),
    company_stems=tuple(
        "Atlântico Douro Tejo Minho Estrela Lusitana Alfama Ribeira Aurora Serra Mondego "
        "Sado Arrábida Bairrada".split()
    ),
    company_trades=(
        "Hotel",
        "Cafés",
        "Restaurante",
        "Pastelaria",
        "Mercearia",
        "Escritórios",
        "Hotelaria",
        "Distribuição",
    ),
    company_format="{trade} {stem}",
    company_suffixes=(", Lda.", ", S.A.", ", Unipessoal Lda."),
    web_tld="pt",
    titles=(
        "Diretora de Compras",
        "Diretor Geral",
        "Gerente",
        "Chefe de Cozinha",
        "Responsável de Loja",
        "Administradora",
    ),
    weight=35,
)

SPAIN = Market(
    code="ES",
    country="Spain",
    language="es",
    timezone="Europe/Madrid",
    team="Spain",
    female=tuple(
        "Lucía Sofía Martina María Paula Julia Carmen Laura Elena Marta Isabel Pilar "
        "Nuria Cristina Alba Rocío Beatriz Inés".split()
    ),
    male=tuple(
        "Hugo Martín Lucas Mateo Daniel Pablo Alejandro Javier David Sergio Carlos Jorge "
        "Álvaro Diego Manuel Antonio Raúl Iñaki".split()
    ),
    families=tuple(
        "García Rodríguez González Fernández López Martínez Sánchez Pérez Gómez Martín "
        "Jiménez Ruiz Hernández Díaz Moreno Muñoz Álvarez Romero Alonso Navarro Torres "
        "Domínguez Vázquez Ramos Gil Serrano".split()
    ),
    double_family_name=True,
    cities=(
        City("Madrid", "Madrid", "280", "+34 91X XXX XXX"),
        City("Barcelona", "Barcelona", "080", "+34 93X XXX XXX"),
        City("Valencia", "Valencia", "460", "+34 96X XXX XXX"),
        City("Sevilla", "Sevilla", "410", "+34 954 XXX XXX"),
        City("Bilbao", "Bizkaia", "480", "+34 944 XXX XXX"),
        City("Málaga", "Málaga", "290", "+34 952 XXX XXX"),
    ),
    streets=(
        "Calle Mayor",
        "Gran Vía",
        "Calle de Alcalá",
        "Paseo de Gràcia",
        "Calle Serrano",
        "Avenida de la Constitución",
        "Calle Larios",
        "Rambla de Catalunya",
        "Calle Colón",
        "Plaza Mayor",
    ),
    street_format="{street}, {number}",
    mobile="+34 6XX XXX XXX",
    email_domains=("gmail.com", "hotmail.es", "yahoo.es", "outlook.es", "telefonica.net"),
    company_stems=tuple(
        "Mediterráneo Castilla Ibérica Alhambra Levante Cantábrico Triana Montserrat "
        "Guadalquivir Albaicín Sierra Nevada".split()
    ),
    company_trades=(
        "Hotel",
        "Cafetería",
        "Restaurante",
        "Hostelería",
        "Distribuciones",
        "Oficinas",
        "Panadería",
        "Catering",
    ),
    company_format="{trade} {stem}",
    company_suffixes=(" S.L.", " S.A.", " S.L.U."),
    web_tld="es",
    titles=(
        "Jefa de Compras",
        "Director General",
        "Gerente",
        "Jefe de Cocina",
        "Encargada de Tienda",
        "Administrador",
    ),
    weight=25,
)

ITALY = Market(
    code="IT",
    country="Italy",
    language="it",
    timezone="Europe/Rome",
    team="Italy",
    female=tuple(
        "Giulia Sofia Aurora Alice Ginevra Emma Giorgia Greta Chiara Francesca Martina "
        "Elena Sara Valentina Federica Silvia".split()
    ),
    male=tuple(
        "Leonardo Francesco Alessandro Lorenzo Mattia Andrea Gabriele Tommaso Riccardo "
        "Marco Luca Giuseppe Matteo Davide Stefano Paolo".split()
    ),
    families=tuple(
        "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno "
        "Gallo Conti De Luca Mancini Costa Giordano Rizzo Lombardi Moretti Barbieri "
        "Fontana Santoro Mariani Rinaldi Caruso".replace("De Luca", "De_Luca").split()
    ),
    double_family_name=False,
    cities=(
        City("Milano", "MI", "201", "+39 02 XXXX XXXX"),
        City("Roma", "RM", "001", "+39 06 XXXX XXXX"),
        City("Torino", "TO", "101", "+39 011 XXX XXXX"),
        City("Napoli", "NA", "801", "+39 081 XXX XXXX"),
        City("Bologna", "BO", "401", "+39 051 XXX XXXX"),
        City("Firenze", "FI", "501", "+39 055 XXX XXXX"),
    ),
    streets=(
        "Via Roma",
        "Corso Buenos Aires",
        "Via Garibaldi",
        "Via del Corso",
        "Corso Vittorio Emanuele II",
        "Via Toledo",
        "Via dell'Indipendenza",
        "Via dei Calzaiuoli",
        "Piazza Navona",
        "Via Po",
    ),
    street_format="{street} {number}",
    mobile="+39 3{2345689}X XXX XXXX",
    email_domains=("gmail.com", "libero.it", "virgilio.it", "alice.it", "outlook.it"),
    company_stems=tuple(
        "Bellavista Aurora Dolomiti Vesuvio Laguna Toscana Arno Brera Palatino "
        "Portofino Sole".split()
    ),
    company_trades=(
        "Hotel",
        "Caffè",
        "Ristorante",
        "Pasticceria",
        "Bar",
        "Uffici",
        "Distribuzione",
        "Trattoria",
    ),
    company_format="{trade} {stem}",
    company_suffixes=(" S.r.l.", " S.p.A.", " S.n.c."),
    web_tld="it",
    titles=(
        "Responsabile Acquisti",
        "Amministratore Delegato",
        "Titolare",
        "Chef",
        "Direttrice di Sala",
        "Office Manager",
    ),
    weight=20,
)

UNITED_KINGDOM = Market(
    code="GB",
    country="United Kingdom",
    language="en",
    timezone="Europe/London",
    team="UK",
    female=tuple(
        "Olivia Amelia Isla Ava Emily Sophie Grace Lily Charlotte Hannah Lucy Eleanor "
        "Chloe Rachel Sarah Emma".split()
    ),
    male=tuple(
        "Oliver George Harry Jack Noah Charlie Thomas James William Oscar Henry Samuel "
        "Daniel Joseph Matthew Edward".split()
    ),
    families=tuple(
        "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts "
        "Walker Wright Robinson Thompson White Hughes Edwards Green Hall Wood Harris "
        "Clarke Patel Khan O'Brien".split()
    ),
    double_family_name=False,
    cities=(
        City("London", "Greater London", "SW", "+44 20 7XXX XXXX"),
        City("Manchester", "Greater Manchester", "M", "+44 161 XXX XXXX"),
        City("Bristol", "Bristol", "BS", "+44 117 XXX XXXX"),
        City("Edinburgh", "Scotland", "EH", "+44 131 XXX XXXX"),
        City("Leeds", "West Yorkshire", "LS", "+44 113 XXX XXXX"),
    ),
    streets=(
        "High Street",
        "Station Road",
        "Church Lane",
        "Victoria Road",
        "King Street",
        "Park Avenue",
        "Queen's Road",
        "Mill Lane",
        "The Crescent",
        "Baker Street",
    ),
    street_format="{number} {street}",
    mobile="+44 7{45789}XX XXXXXX",
    email_domains=("gmail.com", "outlook.com", "btinternet.com", "yahoo.co.uk", "icloud.com"),
    company_stems=tuple(
        "Thames Highland Pennine Mayfair Cotswold Windsor Kensington Albion Clyde "
        "Severn Mersey".split()
    ),
    company_trades=(
        "Hotels",
        "Coffee House",
        "Kitchen",
        "Bakery",
        "Offices",
        "Catering",
        "Hospitality",
        "Wholesale",
    ),
    company_format="{stem} {trade}",
    company_suffixes=(" Ltd", " Ltd", " plc", " LLP"),
    web_tld="co.uk",
    titles=(
        "Head of Procurement",
        "Managing Director",
        "General Manager",
        "Head Chef",
        "Store Manager",
        "Office Manager",
    ),
    weight=20,
)

MARKETS = (PORTUGAL, SPAIN, ITALY, UNITED_KINGDOM)


def fold_family(name: str) -> str:
    """Family names kept whole in the lists use '_' for an inner space ('De_Luca')."""
    return name.replace("_", " ")


# What stakeholder organizations do, in each market's language.
ROLE_TRADES: dict[str, dict[str, tuple[str, ...]]] = {
    "supplier": {
        "pt": ("Torrefação", "Cerâmicas", "Embalagens"),
        "es": ("Tostadores", "Cerámicas", "Envases"),
        "it": ("Torrefazione", "Ceramiche", "Imballaggi"),
        "en": ("Roasters", "Ceramics", "Packaging"),
    },
    "distributor": {
        "pt": ("Distribuição", "Grossistas"),
        "es": ("Distribuciones", "Mayoristas"),
        "it": ("Distribuzione", "Grossisti"),
        "en": ("Wholesale", "Distribution"),
    },
    "partner": {
        "pt": ("Logística", "Transportes"),
        "es": ("Logística", "Transportes"),
        "it": ("Logistica", "Trasporti"),
        "en": ("Logistics", "Freight"),
    },
    "agency": {
        "pt": ("Comunicação",),
        "es": ("Comunicación",),
        "it": ("Comunicazione",),
        "en": ("Creative",),
    },
    "investor": {
        "pt": ("Capital",),
        "es": ("Capital",),
        "it": ("Capitali",),
        "en": ("Capital Partners",),
    },
}

GLOBAL_ACCOUNTS = (
    "Atlântico Hotels Group",
    "Mediterránea Hospitality",
    "Bellavista Caffè Group",
    "Albion Office Services",
    "Iberia Coffee Bars",
    "Sole Resorts",
    "Cotswold Kitchens Group",
    "Laguna Food Service",
)
