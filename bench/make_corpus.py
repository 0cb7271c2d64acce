#!/usr/bin/env python3
"""Write a deterministic synthetic corpus of conflict-news pages, of any size.

Usage:
    python bench/make_corpus.py OUTDIR --articles 100000 [--seed 1] [--format txt|jsonl]

Every article is a plain-text page dump as a browser's "copy all" gives it: a
"Headline - Site" title line, the site's cookie banner and navigation, the
headline again, sometimes a byline, a date line, 5-12 paragraphs (~250-600
words) with the site's newsletter box or an "Advertisement" inside, related
links, and the site's footer. Each of the 50 fictional sites has its own
boilerplate, so the importer's per-source repeated-line detection has real
work to do.

Vocabulary is drawn from fixed lists (a few hundred places, actors, armed
groups) with Zipf-like weights, so full-text queries range from very rare (the
tail places) to very common ("forces"): see :data:`PLACES` and
:data:`QUERY_WORDS`. Everything comes from one seeded ``random.Random``: the
same seed and size give the same bytes.

Layout:
    txt    OUTDIR/<site>/<n>.txt for a site's first 5,000 articles, the next ones in
           OUTDIR/<site>/part-<k>/<n>.txt (the importer then counts lines per folder)
    jsonl  OUTDIR/corpus-<k>.jsonl, 20,000 articles per file,
           {"id", "title", "source", "text"} per line (text = the whole page)

The other benchmarks import :func:`generate` and friends from here.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Vocabulary is built from its own fixed seed, not the corpus seed: the query
# benchmark must know which place is rare whatever corpus it runs on.
_VOCAB_SEED = 20240501
MAX_PER_FOLDER = 5000
JSONL_PER_FILE = 20_000
N_SITES = 50

# --------------------------------------------------------------------------- word lists

_PLACE_HEADS = (
    "Kor Mir Vel Sar Tal Dren Ost Bal Kes Nor Vak Zel Har Lum Tor Ash Bel Cal Dor Fen "
    "Gar Ire Jas Kal Lor Mar Nev Orv Pel Qua Rav Sol Tem Ul Var Wen Yar Zor Brak Cren"
).split()
_PLACE_TAILS = "ash in ova ek ar ul eno ira avo ost esk and ima obar ita en uz orra ev alin".split()
COUNTRIES = (
    "Ostravia Drevnia Calvera Tarsia Noreth Kelland Mirelle Kessane Valmar Sorvenia Belgrava Tessaly"
).split()
_FIRST = (
    "Amara Ruben Marta Dario Elena Yusuf Irina Tomas Leila Oskar Nadia Pavel Sofia Karim Ana Viktor "
    "Hana Mateo Lina Goran Farah Ivo Maya Samir Vera Aleksei Noor Emil Dina Bruno Selin Teodor Rosa "
    "Malik Zora Luka Ines Omar Katya Felix"
).split()
_LAST = (
    "Oduya Asca Ruiz Feld Marek Haddad Volkova Brandt Sayegh Lind Petrov Kovac Demir Almeida Novak "
    "Rahimi Castell Varga Osei Morrow Duarte Halloran Ibrahim Jelic Kaspar Lozano Mendes Nazari Orlov "
    "Pasic Quint Rosen Strand Tamas Urbano Vidal Weiss Yilmaz Zubair Berez"
).split()
_ROLES = (
    "Colonel|General|Major|spokesman|spokeswoman|Defence Minister|Interior Minister|governor|"
    "mayor|commander|envoy|Foreign Minister|police chief|regional administrator"
).split("|")
_GROUP_ADJ = "Northern Southern Eastern Western Coastal Highland Popular Revolutionary United Free".split()
_GROUP_NOUN = "Liberation Resistance Defence Unity Salvation Renewal Freedom Justice".split()
_GROUP_KIND = "Front Movement Army Brigades Council Alliance".split()
ORGS = (
    "Red Crescent|Border Monitoring Mission|Regional Security Council|Humanitarian Coordination Office|"
    "Refugee Relief Agency|Ceasefire Observer Group|Medical Aid Network|Food Relief Programme|"
    "Human Rights Watchdog|Commission of Inquiry"
).split("|")
_WEAPONS = (
    "artillery shells|drones|rockets|mortar rounds|airstrikes|cluster munitions|tank fire|"
    "sniper fire|car bombs|landmines|missiles|heavy machine guns"
).split("|")
_TARGETS = (
    "a market|a school used as a shelter|a hospital|a bridge|a power station|a fuel depot|"
    "a bus station|a grain warehouse|a water plant|a police post|a checkpoint|an apartment block|"
    "a mosque|a church|a refugee camp|an army base|a rail junction|the port"
).split("|")
_NOUNS = (
    "convoy offensive truce withdrawal blockade curfew evacuation negotiations talks detainees "
    "prisoners casualties shelters refugees supplies reinforcements positions frontline trenches "
    "villages outskirts district province corridor airport highway border crossing garrison militia "
    "battalion brigade mediators observers monitors aid workers civilians families residents "
    "volunteers medics journalists sanctions embargo ammunition fuel electricity water bread "
    "medicine generators bunkers tunnels ceasefire agreement amnesty elections parliament cabinet "
    "investigation tribunal report satellite images footage statement communique"
).split()
_ADJS = (
    "heavy fierce sporadic renewed intense deadly fragile tentative unverified fresh overnight "
    "coordinated retaliatory indiscriminate precise prolonged besieged strategic contested "
    "makeshift overcrowded remote rural southern northern eastern western coastal mountainous"
).split()
_VERBS = (
    "shelled seized recaptured abandoned surrounded bombarded evacuated reinforced blockaded "
    "stormed raided occupied defended mined cut off encircled targeted struck destroyed damaged"
).split()
_SUPPLIES = (
    "food fuel water bread flour medicine insulin electricity blood antibiotics baby formula "
    "diesel cooking gas drinking water vaccines"
).split()
_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_MONTHS = ("January February March April May June July August September October November December").split()

# Sentences with slots; every article draws a handful of actors and places once
# and reuses them, as a real report keeps coming back to the same names.
_SENTENCES = (
    "{group} fighters {verb} {place} on {day}, {actor_role} {actor} said.",
    "At least {n} civilians were killed and {n2} wounded when {weapon} hit {target} in {place}.",
    "Government forces said they had repelled an attack on their positions near {place2}.",
    "The {org} said {n2} families had fled {place} since the fighting began.",
    '{actor_role} {actor} told reporters that the {noun} would continue "until the last fighter has left {place}".',
    "Residents described {adj} {weapon} through the night, and said the {noun} had left them without {noun2}.",
    "The claim could not be independently verified.",
    "Witnesses said {weapon} struck {target} on the outskirts of {place2}.",
    "The {org} called for a humanitarian corridor to allow civilians to leave {place}.",
    "Both sides accused each other of violating the ceasefire agreed in {month}.",
    "Security services imposed a curfew in {place} and closed the road to {place2}.",
    "{actor_role} {actor} denied that {country} forces had targeted civilians.",
    "The {group} said in a statement that {n} of its fighters had been killed.",
    "Aid agencies warned that stocks of {noun2} in {place} would run out within days.",
    "Hospitals in {place2} were overwhelmed, doctors said, and some patients were treated in corridors.",
    "The {adj} fighting around {place} has displaced an estimated {n3} people this year.",
    "Observers from the {org} were not allowed to enter {place2}.",
    "The army said it had destroyed {n} {group} positions with {weapon}.",
    "Talks between the government of {country} and the {group} are due to resume in {place3} on {day}.",
    "{actor_role} {actor} said the {adj} {noun} near {place2} had been {verb}.",
    "Satellite images reviewed by the {org} showed {adj} damage to {target} in {place}.",
    "Local officials said {n} people were still missing under the rubble.",
    "{country}'s government has accused neighbouring {country2} of arming the {group}.",
    "The {noun} was the deadliest in {place} since the war began.",
    'A spokesman for the {org} said the humanitarian situation in {place} was "catastrophic".',
    "Troops loyal to the government {verb} the road between {place} and {place2}.",
    "Thousands of refugees crossed into {country2} over the weekend, border officials said.",
    "{actor}, a resident of {place2}, said the {noun} began shortly after dawn.",
    'The United Nations said it was "deeply concerned" by reports of {adj} attacks on civilians.',
    "Neither side has published casualty figures for the battle for {place}.",
    "{actor_role} {actor} said {n} soldiers had been wounded and {n4} captured.",
    "Humanitarian convoys have not reached {place3} for {n4} weeks.",
    "The {adj} {noun} came a day after {weapon} killed {n} people at {target} in {place2}.",
    "Rebel commanders said their fighters had {verb} {place3} and were advancing towards {place}.",
    "Prices of {noun2} in {place} have tripled since the blockade began, traders said.",
)
_HEADLINES = (
    "{group} fighters seize {place} as government forces withdraw",
    "{n} killed as {weapon} hit {target} in {place}",
    "Ceasefire talks in {place3} collapse after shelling of {place}",
    "Thousands flee {place} as fighting spreads",
    "{org} warns of famine in besieged {place}",
    "Army says it has recaptured {place} from {group}",
    "Drone strike on {place} kills {n}, officials say",
    "{country} accuses {country2} of arming rebels",
    "Curfew imposed in {place} after deadly clashes",
    "Aid convoy reaches {place} after {n4}-week blockade",
)
_SECTIONS = (
    "World Politics Conflict Region Video Opinion Analysis Business Sport Culture Live Latest "
    "Investigations Podcasts Photos Science Climate Europe Africa Asia Americas"
).split()
_SITE_WORDS = (
    "Dispatch Courier Herald Wire Post Observer Chronicle Monitor Tribune Gazette Ledger "
    "Sentinel Bulletin Review Times Express Record Journal Standard Telegraph"
).split()
_SITE_PLACES = (
    "Northern Harbor Plains Ridgeline Valley Coastal Frontier Eastern Capital Mountain "
    "River Lakeside Border Steppe Delta"
).split()

# --------------------------------------------------------------------------- vocabulary


def _unique(pool: list[str], n: int, rng: random.Random) -> list[str]:
    rng.shuffle(pool)
    return list(dict.fromkeys(pool))[:n]


@dataclass(frozen=True)
class Vocabulary:
    places: list[str]  # most frequent first: places[0] is in ~15% of articles, places[-1] in ~0.05%
    actors: list[str]
    groups: list[str]


def _vocabulary() -> Vocabulary:
    rng = random.Random(_VOCAB_SEED)
    places = _unique([h + t for h in _PLACE_HEADS for t in _PLACE_TAILS], 400, rng)
    actors = _unique([f"{first} {last}" for first in _FIRST for last in _LAST], 300, rng)
    groups = _unique([f"{a} {n} {k}" for a in _GROUP_ADJ for n in _GROUP_NOUN for k in _GROUP_KIND], 120, rng)
    return Vocabulary(places, actors, groups)


VOCAB = _vocabulary()
PLACES = VOCAB.places
# Query terms by expected frequency, for the query benchmark.
QUERY_WORDS = {"common": "forces", "rare_place": PLACES[-1], "mid_place": PLACES[40], "top_place": PLACES[0]}


def _zipf_cum(n: int, s: float) -> list[float]:
    """Cumulative Zipf weights, for ``rng.choices(..., cum_weights=...)`` (no re-summing per call)."""
    return list(itertools.accumulate(1.0 / (r**s) for r in range(1, n + 1)))


_PLACE_CUM = _zipf_cum(len(PLACES), 1.1)
_ACTOR_CUM = _zipf_cum(len(VOCAB.actors), 0.8)
_GROUP_CUM = _zipf_cum(len(VOCAB.groups), 0.9)

# --------------------------------------------------------------------------- sites


@dataclass(frozen=True)
class Site:
    """One fictional news site and the boilerplate every page of it carries."""

    slug: str
    name: str
    separator: str  # between headline and site name in the title line
    header: list[str]  # cookie banner, masthead, navigation: before the article
    share: list[str]  # share bar under the headline
    newsletter: list[str]  # box dropped between two paragraphs
    footer: list[str]  # after the related links
    byline_share: float  # how many of its articles are signed


def make_sites(n: int = N_SITES) -> list[Site]:
    rng = random.Random(_VOCAB_SEED + 1)
    names = _unique([f"The {p} {w}" for p in _SITE_PLACES for w in _SITE_WORDS], n, rng)
    sites = []
    for name in names:
        short = name.removeprefix("The ")
        nav = [" | ".join(rng.sample(_SECTIONS, rng.randint(4, 8))) for _ in range(rng.randint(1, 3))]
        header = []
        if rng.random() < 0.6:
            header.append(
                rng.choice(
                    (
                        f"{short} uses cookies to improve your experience. By continuing you accept our cookie policy.",
                        "This website uses cookies to ensure you get the best experience on our website. Learn more",
                        f"We and our partners use cookies on {short}. Manage preferences",
                    )
                )
            )
            header.append(rng.choice(("Got it!", "Accept", "OK", "Accept all")))
        header += [short.upper(), *nav, rng.choice(("Menu", "Search", "Sign in", "Subscribe"))]
        if rng.random() < 0.5:
            header.append(f"Support independent journalism: become a member of {short}")
        share = rng.sample(
            ["Share", "Tweet", "WhatsApp", "Copy link", "Email", "Print", "Facebook"], rng.randint(0, 4)
        )
        newsletter = [
            f"Get the {short} {rng.choice(('Morning Briefing', 'Daily', 'Evening Wrap', 'Weekly'))} in your inbox",
            rng.choice(
                (
                    "Our editors' pick of the day's news, every weekday morning.",
                    "The stories that matter, delivered free to your inbox.",
                    "Sign up for our free newsletter.",
                )
            ),
            "Your email",
            "Subscribe",
            f"By signing up you agree to the {short} Terms and Privacy Policy.",
        ]
        footer = [
            " · ".join(
                rng.sample(
                    [
                        "About us",
                        "Contact",
                        "Advertise",
                        "Careers",
                        "Privacy",
                        "Cookie settings",
                        "Terms of use",
                        "Corrections",
                        "Ethics",
                    ],
                    5,
                )
            ),
            f"Follow {short} on social media",
            f"Copyright © {rng.randint(2015, 2024)} {short} Media Ltd. All rights reserved.",
        ]
        sites.append(
            Site(
                short.lower().replace(" ", "-"),
                name,
                rng.choice((" - ", " | ", " — ")),
                header,
                share,
                newsletter,
                footer,
                rng.choice((0.2, 0.5, 0.8, 1.0)),
            )
        )
    return sites


SITES = make_sites()
# Sites differ in size, as real sources do: a few big wires, a long tail.
_SITE_CUM = _zipf_cum(len(SITES), 0.6)

# --------------------------------------------------------------------------- articles


@dataclass(frozen=True, slots=True)
class GenArticle:
    """A generated article: the page a reader would import, and the parts it is made of."""

    id: int
    site: Site
    title: str
    byline: str | None  # the line as printed ("By Marta Ruiz")
    published: str  # ISO date
    paragraphs: list[str]
    page: str  # the whole raw page: what a .txt file holds and what JSONL "text" carries

    @property
    def body(self) -> str:
        """The text a perfect cleaner would keep: paragraphs separated by a blank line."""
        return "\n\n".join(self.paragraphs)


class _Slots(dict):
    """Template values for one article: fixed names, fresh numbers and words on every use."""

    def __init__(self, rng: random.Random, fixed: dict[str, str]) -> None:
        super().__init__(fixed)
        self.random = rng.random

    def __missing__(self, key: str) -> str:
        # random() and an index: 3x faster than rng.choice/randint, and this is
        # the generator's inner loop.
        r = self.random
        match key:
            case "n":
                return str(2 + int(r() * 59))
            case "n2":
                return str(10 + int(r() * 391))
            case "n3":
                return f"{(2 + int(r() * 899)) * 1000:,}"
            case "n4":
                return str(2 + int(r() * 11))
        words = _SLOT_WORDS[key]
        return words[int(r() * len(words))]


_SLOT_WORDS = {
    "noun": _NOUNS,
    "noun2": _SUPPLIES,
    "adj": _ADJS,
    "verb": _VERBS,
    "weapon": _WEAPONS,
    "target": _TARGETS,
    "day": _DAYS,
    "month": _MONTHS,
    "actor_role": _ROLES,
}


def _fixed_slots(rng: random.Random) -> dict[str, str]:
    places = rng.choices(PLACES, cum_weights=_PLACE_CUM, k=3)
    c1, c2 = rng.sample(COUNTRIES, 2)
    return {
        "place": places[0],
        "place2": places[1],
        "place3": places[2],
        "country": c1,
        "country2": c2,
        "actor": rng.choices(VOCAB.actors, cum_weights=_ACTOR_CUM)[0],
        "group": rng.choices(VOCAB.groups, cum_weights=_GROUP_CUM)[0],
        "org": rng.choice(ORGS),
    }


def _headline(rng: random.Random, fixed: dict[str, str]) -> str:
    text = rng.choice(_HEADLINES).format_map(_Slots(rng, fixed))
    return text[0].upper() + text[1:]


def generate(rng: random.Random, article_id: int) -> GenArticle:
    """One article; all randomness from ``rng``, so a seeded sequence is reproducible."""
    site = SITES[rng.choices(range(len(SITES)), cum_weights=_SITE_CUM)[0]]
    fixed = _fixed_slots(rng)
    slots = _Slots(rng, fixed)
    title = _headline(rng, fixed)
    n_par = rng.randint(5, 12)
    words_per_par = rng.randint(250, 600) // n_par
    paragraphs = []
    for p in range(n_par):
        sentences: list[str] = []
        words = 0
        while words < words_per_par:
            s = _SENTENCES[int(rng.random() * len(_SENTENCES))].format_map(slots)
            s = s[0].upper() + s[1:]
            sentences.append(s)
            words += s.count(" ") + 1
        if p == 0:  # a dateline, as wires write it
            sentences[0] = f"{fixed['place'].upper()}, {fixed['country']} — {sentences[0]}"
        paragraphs.append(" ".join(sentences))
    byline = f"By {rng.choice(_FIRST)} {rng.choice(_LAST)}" if rng.random() < site.byline_share else None
    year, month, day = rng.randint(2019, 2024), rng.randint(1, 12), rng.randint(1, 28)
    published = f"{year:04d}-{month:02d}-{day:02d}"
    return GenArticle(
        article_id,
        site,
        title,
        byline,
        published,
        paragraphs,
        _page(rng, site, title, byline, year, month, day, paragraphs, fixed),
    )


def _page(
    rng: random.Random,
    site: Site,
    title: str,
    byline: str | None,
    year: int,
    month: int,
    day: int,
    paragraphs: list[str],
    fixed: dict[str, str],
) -> str:
    """Wrap the article in its site's boilerplate, as a plain-text dump of the page."""
    lines = [f"{title}{site.separator}{site.name}", *site.header, rng.choice(_SECTIONS).upper(), title]
    if byline:
        lines.append(byline)
    lines.append(f"{_MONTHS[month - 1]} {day}, {year} · {rng.randint(2, 9)} min read")
    lines += site.share
    box_at = rng.randint(1, len(paragraphs) - 1)
    for i, para in enumerate(paragraphs):
        if i == box_at:
            lines += site.newsletter if rng.random() < 0.5 else ["Advertisement"]
        lines.append(para)
    # Related links are other stories' headlines: they change from page to page.
    lines.append(rng.choice(("Related", "More stories", "Most read", "Read more")))
    lines += [_headline(rng, _fixed_slots(rng)) for _ in range(rng.randint(2, 4))]
    lines += site.footer
    return "\n".join(lines) + "\n"


def generate_many(n: int, seed: int = 1, start: int = 1) -> Iterator[GenArticle]:
    """Articles ``start`` .. ``start + n - 1`` of the corpus for ``seed``."""
    rng = random.Random(seed)
    for i in range(start, start + n):
        yield generate(rng, i)


# --------------------------------------------------------------------------- writing


def write_corpus(outdir: Path, n: int, seed: int = 1, fmt: str = "txt") -> int:
    """Write the corpus under ``outdir`` (created); return the number of files written."""
    outdir.mkdir(parents=True, exist_ok=True)
    if fmt == "jsonl":
        return _write_jsonl(outdir, n, seed)
    files = 0
    per_site: dict[str, int] = {}
    made: set[Path] = set()
    # The part a file goes in depends on how many that site had before it, so
    # it does not depend on the corpus size: a 1,000-article corpus is a
    # prefix of a 100,000-article one with the same seed.
    for art in generate_many(n, seed):
        k = per_site.get(art.site.slug, 0)
        per_site[art.site.slug] = k + 1
        folder = outdir / art.site.slug
        if k >= MAX_PER_FOLDER:
            folder = folder / f"part-{k // MAX_PER_FOLDER}"
        if folder not in made:
            folder.mkdir(parents=True, exist_ok=True)
            made.add(folder)
        (folder / f"{art.id:07d}.txt").write_text(art.page, "utf-8")
        files += 1
    return files


def _write_jsonl(outdir: Path, n: int, seed: int) -> int:
    files = 0
    articles = generate_many(n, seed)
    for k in itertools.count():
        chunk = list(itertools.islice(articles, JSONL_PER_FILE))
        if not chunk:
            break
        with open(outdir / f"corpus-{k:03d}.jsonl", "w", encoding="utf-8") as f:
            for art in chunk:
                f.write(
                    json.dumps(
                        {"id": art.id, "title": art.title, "source": art.site.name, "text": art.page},
                        ensure_ascii=False,
                    )
                    + "\n"
                )
        files += 1
    return files


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--articles", type=int, required=True, help="how many articles")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--format", choices=("txt", "jsonl"), default="txt")
    ap.add_argument("--force", action="store_true", help="empty OUTDIR first if it exists")
    args = ap.parse_args(argv)
    if args.outdir.exists() and any(args.outdir.iterdir()):
        if not args.force:
            sys.exit(f"{args.outdir} is not empty (use --force to replace it)")
        shutil.rmtree(args.outdir)
    t0 = time.perf_counter()
    files = write_corpus(args.outdir, args.articles, args.seed, args.format)
    dt = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in args.outdir.rglob("*") if p.is_file())
    print(
        f"{args.articles:,} articles in {files:,} {args.format} files, {size / 2**20:,.1f} MiB, "
        f"{dt:.1f} s ({args.articles / dt:,.0f} articles/s) -> {args.outdir}"
    )


if __name__ == "__main__":
    main()
