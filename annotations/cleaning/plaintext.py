"""Plain-text boilerplate cleaner: keep the article body of a naive text dump.

Why our own: the input is an ``innerText``/copy-paste dump, one block per line,
with no tags and no link density. Libraries built for HTML (jusText, readability,
trafilatura) either need the markup or score far lower on such dumps (jusText
~0.80 shingle F1 on our benchmark); simple C4-style line rules reach ~0.84.

The approach, in short:

1. score every line: long, punctuated, function-word-rich lines are prose (+),
   short menu-ish lines and known boilerplate phrases are noise (-);
2. take the best contiguous run of lines (maximum-sum segment, as in BTE), so
   short lines *inside* the article (sub-headings, one-line quotes) survive
   while teaser lists and footers around it do not;
3. anchor the start on the headline when the page title (usually the first
   line, "Headline - Site") reappears as a line, and pull the title and byline
   out of the body;
4. drop the remaining obvious noise inside the run (photo credits, "Advertisement",
   share bars, lines the importer has seen repeated across the source).

Everything is linear in the input size and deterministic.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Sequence

from annotations.cleaning.result import Cleaned, normalize_line
from annotations.cleaning.stoplists import page_stoplist
from annotations.cleaning.wrapped import TERMINAL as _TERMINAL
from annotations.cleaning.wrapped import logical_lines

# --------------------------------------------------------------------------- lexicon

# Generic boilerplate vocabulary (several languages). A *short* line holding
# one of these words or phrases is navigation, a call to action or a credit,
# never prose. Kept as word sets: a set lookup per word is far cheaper than a
# big regex on every line.
_JUNK_WORDS = frozenset(
    """
    advertisement advertising advertisements anzeige werbung publicité publicidad pubblicità реклама
    sponsored subscribe subscribers subscription subscriptions newsletter newsletters unsubscribe
    cookie cookies copyright gallery caption credit credits trending recommended
    comment comments commented permalink login logout signup
    weiterlesen teilen partager compartir condividi compartilhar подписаться поделиться
    """.split()
)
_JUNK_PHRASES = frozenset(
    [
        f"{v} {o}"
        for v in ("read", "see", "view", "show", "load", "click")
        for o in ("more", "all", "full", "comments", "comment", "next", "less")
    ]
    + [
        f"{v} {o}"
        for v in ("share", "tweet", "pin", "email", "print")
        for o in ("this", "on", "via", "article", "story", "it", "your", "with")
    ]
    + """
    continue reading|skip to|jump to|back to top|return to top|sign up|sign in|log in|follow us|follow me
    like us|join us|privacy policy|privacy notice|privacy settings|terms of use|terms of service
    terms of sale|all rights reserved|rights reserved|related articles|related article|related stories
    related posts|related content|related coverage|related topics|more from|more on|more stories
    more news|most popular|most read|most viewed|most shared|you may also like|you might also like
    photo by|photos by|image by|photo credit|image credit|getty images|ap photo|afp photo|reuters photo
    push notifications|enable notifications|no thanks|leave a reply|leave a comment|post a comment
    filed under|click here|download the app|download our app|watch now|watch video|watch live
    image 1 of|of the day|mehr zum thema|lire aussi|lire la suite|leer más|leia mais|leia também
    leggi anche|читайте также|donate now|make a donation|support us
    """.replace("\n", "|").split("|")
)
_JUNK_PHRASES = frozenset(p.strip() for p in _JUNK_PHRASES if p.strip())
_PHRASE_FIRST = frozenset(p.split()[0] for p in _JUNK_PHRASES)
# A short line opening with one of these and little else is a button or a menu entry.
_MENU_FIRST = frozenset(
    """
    share tweet facebook twitter linkedin reddit whatsapp pinterest email e-mail print reply menu
    search home close next previous prev more login register tags tag topics categories category
    """.split()
)


def _junk_short(words: list[str], text: str) -> bool:
    """Is this short line (already split into casefolded words) boilerplate?"""
    if not words:
        return "©" in text or "ⓒ" in text
    if words[0] in _MENU_FIRST and len(text) <= 35:
        return True
    if "©" in text or "ⓒ" in text:
        return True
    if len(words) == 1 and words[0] in ("ad", "ads", "advert", "anzeige", "publicité"):
        return True
    phrases = _JUNK_PHRASES
    for i, w in enumerate(words):
        if w in _JUNK_WORDS:
            return True
        if w in _PHRASE_FIRST and i + 1 < len(words):
            two = w + " " + words[i + 1]
            if two in phrases:
                return True
            if i + 2 < len(words):
                three = two + " " + words[i + 2]
                if three in phrases:
                    return True
                if i + 3 < len(words) and three + " " + words[i + 3] in phrases:
                    return True
    return False


# Phrases that mark a line as boilerplate even when it is long: donation
# appeals, newsletter pitches, cookie notices, copyright footers.
_JUNK_ANY = re.compile(
    r"""(?ix)
    \bwe\ use\ cookies\b | \bthis\ (?:web)?site\ uses\ cookies\b | \ball\ rights\ reserved\b
    | \bsign\ up\ for\ (?:our|the)\b | \bsubscribe\ to\ (?:our|the)\b | \bour\ (?:weekly|daily|free)\ newsletter\b
    | \bnewsletter\ (?:contains|delivers)\b | \byou\ will\ receive\b.*\b(?:inbox|mailbox)\b
    | \bsupport\ (?:us|our\ (?:work|journalism))\b | \bdear\ readers?\b
    | \bby\ (?:clicking|signing\ up|subscribing)\b | \bprivacy\ policy\b | \bterms\ of\ (?:use|service)\b
    | \benable\ push\ notifications\b | \bbreaking\ stories\b.*\bnotifications\b
    | \bthis\ material\ may\ not\ be\ published\b | \bcopyright\ \d{4}\b | ©\ ?\d{4}
    | \byou\ (?:can|may)\ unsubscribe\b | \bdisable\ anytime\b
    """
)

# Cheap substring tests that must hit before the regexes above/below are tried.
_JUNK_ANY_HINTS = (
    "cookie",
    "rights",
    "sign up",
    "subscri",
    "newsletter",
    "you will receive",
    "support",
    "dear reader",
    "by clicking",
    "by signing",
    "privacy",
    "terms of",
    "notification",
    "may not be published",
    "copyright",
    "©",
    "unsubscribe",
    "disable anytime",
)
_CAPTION_HINTS = (
    "photo",
    "foto",
    "image",
    "picture",
    "pic",
    "file",
    "credit",
    "source",
    "quelle",
    "fonte",
    "fuente",
    "getty",
    "shutterstock",
    "istock",
    "alamy",
    "caption",
    "picture-alliance",
)

_JUNK_ANY_HINT = re.compile("|".join(map(re.escape, _JUNK_ANY_HINTS)))
_CAPTION_HINT = re.compile("|".join(map(re.escape, _CAPTION_HINTS)))

# Photo captions and credits, whatever their length: "(AP Photo/Jane Doe)",
# "Photo: X", "Image copyright Getty Images", "1 of 4 A shopper looks ...".
_CAPTION_END = re.compile(  # applied to a line's last 160 characters
    r"""(?ix)
    \((?:[\w.\-]+\s+){0,3}(?:photo|photograph|foto|image|picture|pic|file)s?\b[^()]{0,80}\)\W*$
    | (?:^|\s)(?:photo|photograph|image|picture|foto)s?\s*(?:credit\s*)?(?:by\b|:|/)[^.!?]{0,60}$
    | \b(?:credit|credits|source|quelle|fonte|fuente)\s*(?::|\.\.\.)[^.!?]{0,60}$
    | \b(?:getty\ images|shutterstock|istock(?:photo)?|picture-alliance|alamy)\W{0,3}$
    """
)
_CAPTION_START = re.compile(
    r"(?i)(?:image|photo)\ (?:copyright|caption|source)\b|caption\b|\d+\ (?:of|/)\ \d+\b"
)

# Headers that open a section an article never runs into (comments, related
# links, "more from", footers). The body run may not cross them.
_WALL_RE = re.compile(
    r"""(?ix)^(?:
      \d*\s*(?:comments?|responses?|replies|reactions?)\s*(?:\(\d+\))?
    | (?:leave\ a\ (?:reply|comment)|post\ a\ comment|add\ a\ comment|join\ the\ (?:discussion|conversation)|comments\ are\ closed)\b.*
    | kommentare|commentaires?|comentarios?|coment[aá]rios?|commenti|reacties|комментарии|댓글|コメント
    | dear\ readers?|liebe\ leser(?:innen)?|chers\ lecteurs|queridos\ lectores|cari\ lettori|caros\ leitores
    | дорогие\ читатели|a\ (?:message|note)\ from\ .{1,40}
    | you\ (?:may|might)\ (?:also\ )?(?:like|enjoy)|das\ könnte\ sie\ auch\ interessieren|vous\ aimerez\ aussi
    | (?:también\ )?te\ puede\ interesar|voc[eê]\ (?:pode|tamb[eé]m\ pode)\ gostar|ti\ potrebbe\ interessare
    | вам\ может\ быть\ интересно
    )\s*[:.…]*$"""
)
# Headers of related-links and teaser boxes. Such a box can sit inside an
# article too, so crossing one is costly but possible.
_BARRIER = re.compile(
    r"""(?ix)^(?:
      related|related\ (?:articles?|stories|posts?|content|coverage|topics|news|links|reading)|more\ (?:stories|news|articles)
      |more\ (?:from|on|in|about)\ .{1,40}|you\ (?:may|might)\ (?:also\ )?(?:like|enjoy|be\ interested\ in)|recommended(?:\ for\ you|\ stories|\ articles)?
      |most\ (?:popular|read|viewed|shared|emailed)|trending(?:\ now|\ stories|\ news)?|read\ next|up\ next|what\ to\ read\ next
      |latest\ (?:news|stories|articles|posts|headlines)|popular\ (?:posts|stories|articles)|top\ stories|recent\ posts|other\ stories
      |also\ (?:read|see)|see\ also|further\ reading|elsewhere\ on\ .{1,30}|around\ the\ web|from\ (?:the\ )?web|sponsored\ (?:content|stories|links)
      |share\ this(?:\ (?:article|story|post))?|about\ the\ author|tags|topics
      |ähnliche\ artikel|das\ könnte\ sie\ auch\ interessieren|mehr\ zum\ thema|weitere\ artikel
      |articles?\ similaires|à\ lire\ aussi|sur\ le\ même\ sujet|vous\ aimerez\ aussi
      |noticias\ relacionadas|art[ií]culos\ relacionados|te\ puede\ interesar|también\ te\ puede\ interesar
      |artigos\ relacionados|not[ií]cias\ relacionadas|voc[eê]\ pode\ gostar.*|leia\ tamb[eé]m|veja\ tamb[eé]m
      |articoli\ correlati|ti\ potrebbe\ interessare|leggi\ anche|potrebbe\ interessarti
      |gerelateerde\ artikelen|lees\ ook
      |похожие\ (?:статьи|новости)|читайте\ также|по\ теме|вам\ может\ быть\ интересно|популярное|другие\ новости
    )\s*[:.…]*$"""
)

# Function words of the main languages: prose is full of them, menus are not.
_STOPWORDS = frozenset(
    """
    a an the and or but if of to in on at by for with from as is are was were be been has have had
    it its this that these those he she they we you i his her their our not no will would can could
    said says about after before over into than then so who which what when where while also more
    der die das und oder ein eine ist sind war nicht mit von zu den dem des auf für im sich auch
    le la les un une et ou de du des est sont dans pour par sur pas qui que avec au aux il elle
    el los las y o es son en por con para del al se lo su que una
    il lo gli e di da per con non che è una sono della nel
    o os as um uma e de do da dos das em no na por para com não que é
    het een en van de is niet op te met voor dat
    и в не на я что с по это как а он она к из но у за от для же о так все
    """.split()
)

_WORD = re.compile(r"\w+", re.UNICODE)
# CJK, kana, hangul, Thai: scripts without spaces between words.
_NOSPACE_SCRIPT = re.compile(
    r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff66-\uff9f]"
)
_TITLE_SPLIT = re.compile(r"\s+(?:[-|–—:·•»/]|::)\s+")
_BYLINE = re.compile(
    r"""(?ix)^(?:
      (?:by|von|par|por|di|door|от|автор:?)\s+[\w'’.\-]+(?:\s+[\w'’.\-]+){0,7}(?:\s*(?:,|and|&|\|)\s*[\w'’.\-\ ]+){0,3}
    | [\w'’.\- ]{3,60},\s*(?:the\ )?(?:associated\ press|ap|reuters|afp|bloomberg|cnn|bbc|staff\ writer|correspondent|[\w ]{0,20}\ (?:writer|reporter|editor|correspondent))
    )$"""
)
_DATE = re.compile(
    r"""(?ix)
    \b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}\b
    | \b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+\d{4}\b
    | \b\d{4}-\d{2}-\d{2}\b | \b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b
    | \b(?:updated|published|posted)\b
    """
)
_DIGIT = re.compile(r"\d")
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_DATE_MDY = re.compile(
    r"(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})\b"
)
_DATE_DMY = re.compile(
    r"(?i)\b(\d{1,2})\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+(\d{4})\b"
)
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")

_WALL = float("-inf")  # comments: the article never goes on after them
_BREAK = -40.0  # related-links header: crossed only by a lot of prose
_STREAK = 3.0  # extra cost of each further non-prose line in a row
_MAX_HEADS = 6  # title repeats examined (bounds the work on odd pages)
_MIN_RUN = 30.0
_RUN_SHARE = 0.3  # a run below this share of the best one is a caption or a standfirst
_HEAD_SHARE = 0.5
_ANCHOR_SHARE = 0.3  # a headline anchor must lead to a run this share of the page's best
_MAX_GAP = 20  # non-prose lines an article may be split by (a gallery, a box)
_MAX_EXTEND = 8  # pieces added after the main run
_MIN_PIECE = 8.0  # score of a piece worth adding (about one sentence)
_COHESION = 0.3  # share of a piece's content words already used by the article  # an earlier title repeat wins unless a later one leads to a much bigger run  # score of a run that is an article, not a stray caption
_MAX_LINE = 100_000  # a single absurd line is still scanned, but only this much of it
_KEEP_WORDS_UP_TO = 1_000_000  # characters of text whose lines keep their words (see _Line.words)


# --------------------------------------------------------------------------- features


class _Line:
    """Per-line features, computed once (keeps the whole cleaner linear)."""

    __slots__ = (
        "text",
        "key",
        "units",
        "stop",
        "terminal",
        "junk",
        "date",
        "byline",
        "barrier",
        "wall",
        "score",
        "_words",
    )

    def __init__(
        self, text: str, boilerplate: Container[str], rows: Sequence[str] = (), keep_words: bool = True
    ) -> None:
        """``rows``: the lines of the input that ``text`` joins, when it joins several.
        ``keep_words``: keep the words found (else found again when asked: see :attr:`words`)."""
        self.text = text
        probe = text[:_MAX_LINE]
        # normalize_line, with a fast path: NFKC leaves ASCII unchanged.
        # and most other text is NFKC already (is_normalized is a quick check).
        fast = probe.isascii() or unicodedata.is_normalized("NFKC", probe)
        self.key = low = " ".join(probe.split()).casefold() if fast else normalize_line(probe)
        words = _WORD.findall(low)
        self._words = words if keep_words else None
        # ASCII holds no CJK: skip the scan of most lines.
        nospace = 0 if probe.isascii() else len(_NOSPACE_SCRIPT.findall(probe))
        # "units" ~ words; a CJK character is about half a word.
        self.units = max(len(words), nospace // 2 + len(words) // 2) if nospace else len(words)
        self.stop = sum(map(_STOPWORDS.__contains__, words)) / len(words) if words else 0.0
        self.terminal = _TERMINAL.search(probe[-4:]) is not None
        self.junk = (
            low in boilerplate
            or (len(rows) > 1 and bool(boilerplate) and all(normalize_line(r) in boilerplate for r in rows))
            or (self.units <= 12 and _junk_short(words, probe))
            or (_JUNK_ANY_HINT.search(low) is not None and _JUNK_ANY.search(low) is not None)
            or (probe[:1].isdigit() and _CAPTION_START.match(probe) is not None)
            or (
                _CAPTION_HINT.search(low) is not None
                and (_CAPTION_START.match(probe) is not None or _CAPTION_END.search(probe[-160:]) is not None)
            )
        )
        self.date = self.units <= 14 and _DIGIT.search(probe) is not None and _DATE.search(probe) is not None
        self.byline = self.units <= 14 and bool(_BYLINE.match(probe))
        self.wall = self.units <= 8 and bool(_WALL_RE.match(probe))
        self.barrier = self.wall or (self.units <= 8 and bool(_BARRIER.match(probe)))
        self.score = self._score()

    @property
    def words(self) -> list[str]:
        """The line's casefolded words. In a huge text they are found again when asked,
        not kept: 50 MB of text holds eight million words, each a string object (500 MB)."""
        return self._words if self._words is not None else _WORD.findall(self.key)

    def _score(self) -> float:
        """Prose earns its length; anything else costs a fixed amount."""
        if self.barrier:
            return _WALL if self.wall else _BREAK
        if self.junk:
            return -6.0 if self.units <= 12 else -12.0
        u = self.units
        if u >= 8 and (self.terminal or u >= 20):
            bonus = 1.0 if (self.stop >= _STOP_PROSE or _is_nospace(self)) else 0.5
            return min(u, 80) * bonus - 6.0
        if u >= 4 and self.terminal:
            return 0.0
        return -4.0


_STOP_PROSE = 0.15  # share of function words from which a long line earns its full length


def _rescore_with_page_stoplist(lines: list[_Line]) -> None:
    """Score long lines again with the function words of the page's own language.

    ``_STOPWORDS`` covers a few languages only, and thinly: a Polish or Swedish
    paragraph (or a German one short of "der/die/das") earns half its length.
    The page's language is guessed from its long lines; only long lines that fell
    short of the function-word share are looked at again, so the cost is small.
    """
    short = [ln for ln in lines if ln.units >= 8 and ln.stop < _STOP_PROSE and not (ln.junk or ln.barrier)]
    if not short:
        return
    words = page_stoplist(w for ln in lines if ln.units >= 8 for w in ln.words)
    if not words:
        return
    for ln in short:
        found = ln.words
        if found:
            ln.stop = max(ln.stop, sum(map(words.__contains__, found)) / len(found))
            ln.score = ln._score()


def _is_nospace(line: _Line) -> bool:
    return bool(_NOSPACE_SCRIPT.search(line.text[:200]))


# --------------------------------------------------------------------------- body


def _best_run(lines: list[_Line]) -> tuple[int, int]:
    """Maximum-sum contiguous run of line scores (Kadane); [start, end) indices."""
    best, best_span = 0.0, (0, 0)
    cur, cur_start = 0.0, 0
    for i, ln in enumerate(lines):
        if cur <= 0:
            cur, cur_start = 0.0, i
        cur += ln.score
        if cur > best:
            best, best_span = cur, (cur_start, i + 1)
    return best_span


def _tokens(text: str) -> str:
    """Casefolded words joined by spaces: compares lines whatever their punctuation."""
    return " ".join(_WORD.findall(text.casefold()))


def _headlines(lines: list[_Line]) -> list[int]:
    """Indices of lines that repeat the page title (usually the first line).

    A dump's first line is usually the ``<title>`` ("Headline - Site"); the
    headline reappears just above the article, and menus, breadcrumbs and
    galleries may repeat it too. Exact repeats are preferred; a line merely
    containing the title (a citation, a breadcrumb) only counts without them.
    """
    first = lines[0].text[:300]
    parts = [p for p in _TITLE_SPLIT.split(first) if p.strip()]
    full = _tokens(first)
    # The last part of "Headline - Site" is the site: never a headline alone.
    heads = {_tokens(p) for p in parts[:-1]} | {_tokens(" ".join(parts[:-1])), full}
    heads = {h for h in heads if len(h) >= 10}
    if not heads:
        return []
    longest = max(map(len, heads))
    exact, loose = [], []
    for i in range(1, len(lines)):
        if not 10 <= len(lines[i].key) <= 2 * len(full) + 20 or lines[i].junk or lines[i].byline:
            continue  # a caption or byline naming the site is not the headline
        t = " ".join(lines[i].words)
        if t in heads:
            exact.append(i)
        elif len(t) >= 15 and ((t in full and len(t) >= 0.6 * longest) or any(h in t for h in heads)):
            loose.append(i)
    return (exact or loose)[-_MAX_HEADS:]


def _runs(lines: list[_Line], lo: int) -> list[tuple[float, int, int]]:
    """Maximal positive runs after ``lo`` as (score, start, end), in page order.

    Same scan as Kadane: a run ends where its running sum drops to zero or at
    a barrier, and is cut at its best prefix. Nothing after a comments header
    is collected once a run has been seen: comments follow the article.
    """
    out = []
    cur, start, best, best_end = 0.0, lo, 0.0, lo
    for i in range(lo, len(lines)):
        if cur <= 0:
            if best > 0:
                out.append((best, start, best_end))
            cur, start, best, best_end = 0.0, i, 0.0, i
        # A comments link in the header or a share bar ("Comments (32)") sits above
        # the article: only after article-sized prose is a comments header a wall.
        if lines[i].wall and (best >= _MIN_RUN or any(r[0] >= _MIN_RUN for r in out)):
            break
        cur += lines[i].score
        if cur > best:
            best, best_end = cur, i + 1
    if best > 0:
        out.append((best, start, best_end))
    return out


def _article_run(lines: list[_Line], head: int) -> tuple[float, int, int] | None:
    """The first run after the headline that is comparable with the best one.

    Picks the article over a standfirst or a caption just below the headline,
    and over teasers and comments further down.
    """
    runs = _runs(lines, head + 1)
    if not runs:
        return None
    floor = max(_MIN_RUN, _RUN_SHARE * max(r[0] for r in runs))
    return next((r for r in runs if r[0] >= floor), max(runs))


def _content_words(lines: list[_Line]) -> list[str]:
    """Casefolded words worth comparing: not function words, not tiny."""
    out: list[str] = []
    for ln in lines:
        # A 5-letter prefix is a cheap stem: "plague"/"plagues", "infected"/"infection".
        out.extend(w[:5] for w in ln.words if len(w) > 3 and w not in _STOPWORDS)
    return out


def _cohesive(lines: list[_Line], vocab: set[str]) -> bool:
    """Does this run speak about the article's topic (vs. a teaser or an ad)?"""
    words = _content_words(lines)
    if not words:
        return False
    return sum(1 for w in words if w in vocab) >= _COHESION * len(words)


def _extend(lines: list[_Line], start: int, end: int, lo: int, title: str | None) -> list[tuple[int, int]]:
    """Add the article's pieces that a box in the middle split off the main run.

    An image gallery or a "most read" box inside the article breaks the run; the
    paragraphs on the other side are still the article's if they share its
    vocabulary. Teasers and ads speak of other things.
    """
    vocab = set(_content_words(lines[start:end]))
    if title:
        vocab.update(_content_words([_Line(title, frozenset())]))
    segs = [(start, end)]
    # Forward, across gaps of non-prose lines, never across a comments header.
    pos = end
    for _ in range(_MAX_EXTEND):
        j = pos
        while j < len(lines) and j - pos < _MAX_GAP and lines[j].score <= 0 and not lines[j].wall:
            j += 1
        if j >= len(lines) or j - pos >= _MAX_GAP or lines[j].wall:
            break
        best, best_end, cur = 0.0, j + 1, 0.0
        for k in range(j, len(lines)):
            if lines[k].wall:
                break
            cur += lines[k].score
            if cur > best:
                best, best_end = cur, k + 1
            elif cur < best - _MAX_GAP * 4:
                break
        if best < _MIN_PIECE or not _cohesive(lines[j:best_end], vocab):
            break
        segs.append((j, best_end))
        pos = best_end
    # Backward, between the headline (or a bounded window) and the run.
    lo = max(lo, start - 4 * _MAX_GAP)
    for score, s0, e0 in reversed(_runs(lines[:start], lo)):
        if start - e0 >= _MAX_GAP or score < _MIN_PIECE or not _cohesive(lines[s0:e0], vocab):
            break
        segs.insert(0, (s0, e0))
        start = s0
    return segs


_READ_TIME = re.compile(r"(?i)\b\d+\s*(?:min|mins|minutes?)\b")
_CREDIT_MARK = re.compile(r"[:/©|]")


def _title_like(ln: _Line) -> bool:
    """A headline: a few words, no full stop, not a caption, byline, date or read time."""
    return (
        4 <= ln.units <= 25
        and not (ln.junk or ln.byline or ln.date)
        and not ln.text.endswith(".")
        and not (_CAPTION_HINT.search(ln.key) and _CREDIT_MARK.search(ln.text))
        and not _READ_TIME.search(ln.text)
    )


def _title_above(lines: list[_Line], start: int) -> str | None:
    """The headline above a body no page title pointed at.

    Pages put the headline first, then byline and date, then the lead photo's
    caption: so look above the topmost byline or date line near the body, and
    only then just above the body.
    """
    window = range(start - 1, max(-1, start - 9), -1)
    anchors = [i for i in window if lines[i].byline or lines[i].date]
    for anchor in ([anchors[-1]] if anchors else []) + [start]:
        for i in range(anchor - 1, max(-1, anchor - 6), -1):
            if _title_like(lines[i]):
                return lines[i].text
    return None


def _iso_date(text: str) -> str | None:
    m = _DATE_ISO.search(text)
    if m:
        return f"{m[1]}-{m[2]}-{m[3]}"
    m = _DATE_MDY.search(text)
    if m:
        return f"{int(m[3]):04d}-{_MONTHS[m[1].lower()[:3]]:02d}-{int(m[2]):02d}"
    m = _DATE_DMY.search(text)
    if m:
        return f"{int(m[3]):04d}-{_MONTHS[m[2].lower()[:3]]:02d}-{int(m[1]):02d}"
    return None


def clean_plaintext(raw: str, *, boilerplate: Container[str] = frozenset()) -> Cleaned:
    """Return the article body of a plain-text page dump.

    ``boilerplate`` holds :func:`normalize_line` keys of lines known to repeat
    across the same source's articles; such lines are never body (nor is a
    wrapped paragraph made only of them).
    """
    keep = len(raw) <= _KEEP_WORDS_UP_TO
    lines = [_Line(text, boilerplate, rows, keep) for text, rows in logical_lines(raw)]
    if not lines:
        return Cleaned(text="")
    _rescore_with_page_stoplist(lines)
    # A long line repeated on the page is a caption or a teaser, not a paragraph.
    seen: dict[str, int] = {}
    for ln in lines:
        seen[ln.key] = seen.get(ln.key, 0) + 1
    for ln in lines:
        if ln.score > 0 and seen[ln.key] > 1:
            ln.score = -4.0
    # A lone short line between paragraphs is a sub-heading; a long stretch of
    # them is a menu or a teaser list: make each further one cost more.
    streak = 0
    for ln in lines:
        if ln.score <= 0:
            ln.score -= _STREAK * streak
            streak += 1
        else:
            streak = 0
    start, end = _best_run(lines)
    if start == end:
        return Cleaned(text="")

    # Anchor on the headline: the article is the first substantial run after
    # it, even when a bigger block of prose (comments, teasers) follows. When
    # the title repeats (menus, galleries), the earliest repeat wins unless a
    # later one leads to a much bigger run.
    title = None
    head = None
    cands = []
    for h in _headlines(lines):
        run = _article_run(lines, h)
        if run is not None:
            cands.append((run, h))
    # A title repeated below the article (a "next article" box, a share bar) points
    # at a teaser: an anchor counts only when its run is comparable with the page's best.
    overall = max((r[0] for r in _runs(lines, 0)), default=0.0)
    cands = [c for c in cands if c[0][0] >= _ANCHOR_SHARE * overall]
    if cands:
        top = max(r[0] for r, _ in cands)
        (_, start, end), head = next(c for c in cands if c[0][0] >= _HEAD_SHARE * top)
        title = lines[head].text

    # Byline / date lines right around the start of the body.
    byline = published = None
    for i in range(max(0, start - 6 if head is None else head - 1), min(len(lines), start + 2)):
        ln = lines[i]
        if byline is None and ln.byline:
            byline = ln.text
        if published is None and ln.date:
            published = _iso_date(ln.text)

    segs = _extend(lines, start, end, 0 if head is None else head + 1, title)
    start, end = segs[0][0], segs[-1][1]
    body = [ln for a, b in segs for ln in lines[a:b] if not ln.junk and not ln.byline]
    # Trim non-prose edges (captions, datelines) that the run swallowed.
    while body and body[0].score < 0:
        body.pop(0)
    while body and body[-1].score < 0:
        body.pop()

    if title is None:
        title = _title_above(lines, start)
    if byline is None:
        for i in range(end, min(len(lines), end + 3)):
            if lines[i].byline:
                byline = lines[i].text
                break
    return Cleaned(
        text="\n\n".join(ln.text for ln in body),
        title=title,
        byline=byline,
        published=published,
    )
