"""The ``newsmark`` command group: import, suggest, export, agree, clean, stats, reclean, list,
assign, backup.

``annotate`` (the default) and ``review`` start the Textual app, so they live in
``tui/cli.py``, which adds them to this group; this module never imports Textual.

Output that comes from articles (titles, paths, reasons quoting input) is always
passed to Rich as ``Text``, never as markup: "[bold]" in a headline stays text.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from annotations import suggesting
    from annotations.importing import ImportReport

from annotations.cli_group import CommandError, NewsmarkGroup, path_error, remember_database
from annotations.model import Document, Problem
from annotations.printable import printable, printable_json
from annotations.storage import DB_ENV, Stats, Store, resolve_db_path

# Show a progress bar only when an import is big enough to wait for.
PROGRESS_MIN_FILES = 20
PROGRESS_MIN_ARTICLES = 500  # and a suggest run
SAMPLE_CORPUS = Path(__file__).resolve().parent.parent / "sample_corpus"

db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False),
    default=None,
    help=f"SQLite database (default: ${DB_ENV}, else ./newsmark.db).",
)
fetch_option = click.option(
    "--fetch/--no-fetch",
    default=True,
    show_default=True,
    help="Fetch the page a feed entry links to when the entry holds only a teaser.",
)


def _out() -> Console:
    return Console(highlight=False)


def _safe(text: str | None) -> Text:
    """Outside text (a title, a name, a label) for a Rich table or line: controls shown, not
    obeyed (:func:`printable`), and as ``Text``, so that ``[bold]`` or ``[link=...]`` is text."""
    return Text(printable(text or ""))


def _echo(line: str, *, err: bool = False) -> None:
    """One line that quotes outside text (a file name, an annotator), made printable."""
    click.echo(printable(line), err=err)


def _err() -> Console:
    return Console(stderr=True, highlight=False)


def _open(db: str | None, *, read: bool = False) -> Store:
    """The database of ``--db`` (``$NEWSMARK_DB``, ``./newsmark.db``), opened for the command.

    ``read``: the command only reads. Then a missing file is an error (not a new, empty
    database), and one the user may not write (or whose folder they may not write, where
    SQLite keeps its -wal and -shm files) is opened read-only.
    """
    path = resolve_db_path(db)
    remember_database(path)
    read_only = False
    # SQLite keeps its -wal and -shm files beside the database: writing needs the folder too.
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)
    if read:
        if not path.exists():
            raise CommandError("no such database (newsmark import makes one)", path)
        if path.is_dir():
            raise CommandError("is a folder, not a database", path)
        read_only = not writable
    elif path.exists() and not writable:
        raise CommandError(
            "no write access, and this command writes (stats, list, agree and export read)", path
        )
    try:
        return Store(path, read_only=read_only)
    except Exception as exc:  # a clear message, not a traceback
        raise CommandError(f"cannot open database: {exc}", path) from None


@click.group(cls=NewsmarkGroup, invoke_without_command=True)
@click.version_option(package_name="newsmark")
@click.pass_context
def main(ctx: click.Context) -> None:
    """newsmark: read news in the terminal and tag ACTOR, CASUALTY and LOCATION spans.

    With no command: open the annotator on the default database (importing the
    bundled sample corpus when it is empty). Without a terminal (a pipe), list
    the articles instead. With annotate's options and no command
    (newsmark --db X.db --annotator a): newsmark annotate with those options.
    """
    if ctx.invoked_subcommand is None:
        # The annotator is added by tui/cli.py (the command that starts the app lives with the app).
        annotate = main.get_command(ctx, "annotate")
        if annotate is not None and sys.stdin.isatty() and sys.stdout.isatty():
            ctx.invoke(annotate)
        else:
            ctx.invoke(list_articles, db=None, limit=50, search=None)


def _import_sample_if_empty(store: Store, db: str | None) -> None:
    """A first run on the default database starts with something to read."""
    if store.article_count() == 0 and db is None and SAMPLE_CORPUS.is_dir():
        from annotations.importing import import_paths

        report = import_paths(store, [str(SAMPLE_CORPUS)], fetch=False)
        click.echo(f"imported the sample corpus: {report.added} articles", err=True)


@main.command("import")
@click.argument("paths", nargs=-1, required=True)
@db_option
@fetch_option
@click.option(
    "--annotator",
    default=None,
    help="For exported annotations: import them as this annotator (default: the one each line names).",
)
@click.option(
    "--offsets",
    type=click.Choice(["utf16", "codepoints"]),
    default=None,
    help="doccano files: how label offsets count, in UTF-16 code units (doccano's "
    "own, the default) or code points. Our export says so on each line "
    '("offsets"); a line that says otherwise than --offsets is refused.',
)
@click.option(
    "--max-size",
    default="50MB",
    show_default=True,
    metavar="SIZE",
    callback=lambda _ctx, _param, value: _size(value),
    help="Refuse a file, or a line of a JSONL file, larger than this: bytes, or 200k, 50MB, 1G.",
)
@click.option(
    "--suggest/--no-suggest",
    default=True,
    show_default=True,
    help="Give newly imported articles the rules' suggestions (as newsmark suggest does).",
)
def import_command(
    paths: tuple[str, ...],
    db: str | None,
    fetch: bool,
    annotator: str | None,
    offsets: str | None,
    max_size: int,
    suggest: bool = True,
) -> None:
    """Import articles from files, folders (recursively) and feed URLs.

    Plain text (.txt), HTML (.html/.htm), JSONL (.jsonl, one article per line)
    and RSS/Atom feeds (.rss/.atom/.xml or an http(s) URL). Re-importing adds
    nothing. Every file, and every line of a JSONL file, is its own unit: a bad
    one is named (FILE:LINE: reason) and the rest is imported. Only regular files
    are read (a FIFO or a device is named and skipped). Text is kept as given,
    except NUL and other control characters (tab and newline aside), which are
    removed and counted; a lone surrogate becomes U+FFFD.

    Exit status: 0 when everything was imported, 1 when some input was refused
    (each one is listed), 2 for a usage error.

    JSONL written by `newsmark export` (jsonl or doccano format), and Label
    Studio task lists (.json), are imported with their spans and statuses: its text is kept as it is, spans already
    saved are not added twice, and nothing saved is removed. A CASUALTY span that
    comes without any of its attributes gets kind, count and qualifier from its own
    words and its sentence, as a span tagged in the annotator does.
    """
    # The import pipeline (trafilatura, feedparser) and the progress bar load only for
    # the commands that need them: the annotator starts faster without them.
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from annotations.importing import import_paths

    store = _open(db)
    err = _err()
    columns = (TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    # Rich draws nothing when stderr is not a terminal; the bar shows itself only
    # once the importer has said how many files there are, and only if that is many.
    with store, Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("import", visible=False)
        report = import_paths(
            store,
            paths,
            fetch=fetch,
            progress=lambda done, total: bar.update(
                task, completed=done, total=total, visible=total >= PROGRESS_MIN_FILES
            ),
            annotator=annotator,
            offsets=offsets,
            max_size=max_size,
            suggest=suggest,
        )
    print_report(report, store.path)
    sys.exit(1 if report.failed else 0)


def print_report(report: ImportReport, db: Path) -> None:
    """The summary table, then every skipped input on a line of its own (never wrapped,
    so that ``path:line: reason`` can be copied or grepped)."""
    table = Table(title="import summary", show_header=False, box=None, title_justify="left")
    table.add_column(justify="right")
    table.add_column()
    for label, value in (
        ("imported", report.added),
        ("duplicates", report.duplicates),
        ("re-cleaned", report.recleaned),
        ("kept (annotated)", report.kept),
        ("annotations imported", report.annotations),
        ("spans added", report.spans_added),
        ("spans already saved", report.spans_present),
        ("suggestions", report.suggestions),
        ("skipped", len(report.problems)),
    ):
        if value or label in ("imported", "duplicates", "skipped"):
            table.add_row(str(value), label)
    _out().print(table)
    click.echo(f"database: {printable(str(db))}")
    for note in _text_notes(report):
        click.echo(note)
    if report.ignored:
        first = printable(report.ignored[0].location)
        click.echo(f"passed over {len(report.ignored)} file(s) of other types, e.g. {first}")
    if report.problems:
        click.echo("skipped, with reasons:", err=True)
        for problem in report.problems:
            click.echo(f"  {printable(str(problem))}", err=True)


def _text_notes(report: ImportReport) -> list[str]:
    """What import changed in the text as given: controls removed, surrogates
    replaced, repeated paragraphs collapsed."""

    def many(n: int, what: str) -> str:
        return f"{n} {what}{'' if n == 1 else 's'}"

    notes = []
    if report.controls:
        notes.append(
            f"removed {many(report.controls, 'control character')} "
            f"from {many(report.control_articles, 'article')}"
        )
    if report.surrogates:
        notes.append(
            f"replaced {many(report.surrogates, 'lone surrogate')} with U+FFFD "
            f"in {many(report.surrogate_articles, 'article')}"
        )
    if report.collapsed:
        notes.append(f"collapsed repeated paragraphs in {many(report.collapsed, 'article')}")
    return notes


def _size(value: str | int) -> int:
    """``--max-size``: a number of bytes, or with a unit (``200k``, ``50MB``)."""
    from annotations.input_files import parse_size

    if isinstance(value, int):
        return value
    try:
        return parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _check_output(output: str, *, folder: bool) -> None:
    """Refuse an export target we cannot write before reading anything (the export
    replaces a file or folder already there, as ``-o`` says, but not a read-only file)."""
    path = Path(output)
    parent = path.parent
    if not parent.exists():
        raise CommandError(f"no such folder: {parent}", output)
    if not parent.is_dir():
        raise CommandError(f"not a folder: {parent}", output)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise CommandError(f"permission denied: cannot write in {parent}", output)
    if path.is_dir() and not folder:
        raise CommandError("is a folder (this format writes one file)", output)
    if path.exists() and not path.is_dir() and not os.access(path, os.W_OK):
        raise CommandError("file is read-only: not replaced", output)


def _split_list(values: tuple[str, ...]) -> tuple[str, ...]:
    """Repeated options and comma lists alike: ``--label A --label B`` or ``--label A,B``."""
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


class _FormatChoice(click.Choice[str]):
    """``--format``'s choices: the registered export formats (:mod:`annotations.export.formats`),
    looked up when the export command runs, so that starting ``newsmark`` imports no format."""

    def __init__(self) -> None:
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        from annotations.export.formats import names

        return names()

    @choices.setter
    def choices(self, value: object) -> None:
        """click sets the choices in ``__init__``; they are the registry's."""


class _FormatOption(click.Option):
    """``--format``, its help made from the registry when it is shown."""

    @property
    def help(self) -> str:
        from annotations.export.formats import help_text

        return help_text()

    @help.setter
    def help(self, value: object) -> None:
        """click sets the help in ``__init__``; it is the registry's."""


@main.command("export")
@db_option
@click.option("--format", "fmt", cls=_FormatOption, type=_FormatChoice(), default="jsonl", show_default=True)
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    help="File to write (a folder for brat; for jsonl, a path ending in / is a folder "
    "with train.jsonl and a Hugging Face dataset card); - is standard output.",
)
@click.option(
    "--annotator", "annotators", multiple=True, help="Only these annotators (repeat, or A,B). Default: all."
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    help="done, reviewed, skipped, flagged, in_progress, or all (repeat, or A,B). "
    "Default: finished work: done,reviewed,skipped,flagged for the formats that "
    "carry an answer (jsonl, doccano, labelstudio), done,reviewed for the others "
    "and with --reviewed. in_progress work is written with answer 'ignore' and "
    "its status in meta.",
)
@click.option(
    "--labels",
    "schema_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Label schema TOML whose attributes every span carries (default: the packaged one).",
)
@click.option("--label", "labels", multiple=True, help="Only spans with these labels (repeat, or A,B).")
@click.option(
    "--since", default=None, help="Only work changed since this date or time (ISO 8601; without a zone, UTC)."
)
@click.option(
    "--reviewed",
    is_flag=True,
    default=False,
    help="One record per article: the reviewer's annotation where the article was "
    "reviewed, else the one annotator's who finished it (or the first of several "
    "whose spans are identical). Articles whose annotators disagree and that "
    "no one reviewed yet are left out and counted.",
)
@click.option(
    "--shard-size",
    type=click.IntRange(min=1),
    default=None,
    help="spacy: docs per .spacy file (default 5000). -o NAME.spacy is one file when "
    "the export fits in one, else a folder NAME.spacy/ of 0000.spacy, 0001.spacy, "
    "...; any other -o is always such a folder. spacy train --paths.train reads "
    "either.",
)
@click.option(
    "--offsets",
    type=click.Choice(["utf16", "codepoints"]),
    default="utf16",
    show_default=True,
    help="doccano: offsets in UTF-16 code units (doccano's own count) or in code points (Python's).",
)
@click.option(
    "--columns",
    type=click.Choice(["4", "2"]),
    default="4",
    show_default=True,
    help="conll: 4 is 'token -X- _ TAG' (CoNLL-2003's token POS chunk NER), 2 is 'token TAG'.",
)
def export_command(
    db: str | None,
    fmt: str,
    output: str,
    annotators: tuple[str, ...],
    statuses: tuple[str, ...],
    schema_file: str | None,
    labels: tuple[str, ...],
    since: str | None,
    reviewed: bool,
    shard_size: int | None = None,
    offsets: str = "utf16",
    columns: str = "4",
) -> None:
    """Write annotations as training data: one record per article and annotator
    (with --reviewed: one per article).

    Only finished work unless --status says otherwise. Formats that
    cannot hold overlapping spans (conll, spacy ents) keep the longest
    non-overlapping ones and say how many they dropped. Files appear only
    when complete (written under a temporary name, then renamed).
    """
    from annotations.export import STATUS_CHOICES, ExportError, Filters, export, formats, parse_since
    from annotations.labels import SchemaError, load_schema

    try:
        schema = load_schema(schema_file)
    except SchemaError as exc:
        raise click.ClickException(str(exc)) from None
    wanted = _split_list(statuses)
    unknown = [s for s in wanted if s not in STATUS_CHOICES]
    if unknown:
        raise click.BadParameter(
            f"{', '.join(unknown)}; use {', '.join(STATUS_CHOICES)}", param_hint="--status"
        )
    try:
        since_stamp = parse_since(since) if since else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None
    filters = Filters(
        _split_list(annotators),
        None if "all" in wanted else wanted,
        _split_list(labels),
        since_stamp,
        reviewed,
    )
    entry = formats.get(fmt)
    if output == "-" and (entry.writes == "folder" or (entry.binary and sys.stdout.isatty())):
        raise click.UsageError(f"--format {fmt} needs -o {entry.target}")
    if output != "-":
        _check_output(output, folder=entry.writes != "file")
    with _open(db, read=True) as store:
        try:
            report = export(
                store,
                fmt,
                output,
                filters,
                schema,
                shard_size=shard_size,
                columns=int(columns),
                offsets=offsets,
            )
        except ExportError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:  # about the output: name it, not the temporary file beside it
            raise path_error(exc, output if exc.filename != str(store.path) else None) from None
    where = "standard output" if output == "-" else printable(output)
    if fmt == "spacy" and report.files:
        where += f" ({len(report.files)} shard{'s' if len(report.files) != 1 else ''})"
    click.echo(
        f"exported {report.annotations} annotation(s) with {report.spans} span(s) as {fmt} to {where}",
        err=True,
    )
    if fmt == "labelstudio" and report.files:
        _echo(f"labeling config for the project: {report.files[0]}", err=True)
    if report.dropped:
        what = (
            "doc.ents cannot hold overlaps (doc.spans['sc'] has them all)"
            if fmt == "spacy"
            else f"{fmt} cannot hold overlaps"
        )
        click.echo(
            f"dropped {report.dropped} overlapping span(s): {what}; the longest "
            "non-overlapping spans were kept (jsonl keeps all)",
            err=True,
        )
    if report.left_out:
        many = report.left_out != 1
        click.echo(
            f"{report.left_out} article{'s' if many else ''} done by several annotators "
            f"{'disagree and are' if many else 'disagrees and is'} not reviewed yet: "
            f"left out (newsmark review settles {'them' if many else 'it'})",
            err=True,
        )
    if report.left_out_unfinished:
        many = report.left_out_unfinished != 1
        click.echo(
            f"{report.left_out_unfinished} article{'s' if many else ''} with only "
            "unfinished work, by several annotators whose work differs: left out",
            err=True,
        )


@main.command("suggest")
@db_option
@click.option(
    "--article",
    "article_ids",
    type=int,
    multiple=True,
    metavar="ID",
    help="Suggest for these articles only (repeat), even if their suggestions are current.",
)
@click.option(
    "--output",
    default=None,
    metavar="FILE.jsonl",
    help="Also write the suggestions (of the --article ones, else of every article) as "
    "`newsmark export --format jsonl` lines, under the annotator newsmark-suggest as "
    "unfinished work (answer ignore, meta.status in_progress), with each article's "
    "external_id and stored meta in meta; - is standard output.",
)
@click.option(
    "--again", is_flag=True, help="Suggest for every article, even those whose suggestions are current."
)
@click.option(
    "--rules",
    "rules_dir",
    type=click.Path(file_okay=False, exists=True),
    default=None,
    metavar="DIR",
    help="Word lists that extend the packaged ones, for this run (as $NEWSMARK_SUGGEST_DATA; "
    "give --again to suggest with them for articles done before).",
)
@click.option(
    "--off-for",
    "off_for",
    multiple=True,
    metavar="NAME,...",
    help="Do not show these annotators suggestions (they must not be primed); stored.",
)
@click.option(
    "--on-for", "on_for", multiple=True, metavar="NAME,...", help="Show these annotators suggestions again."
)
def suggest_command(
    db: str | None,
    article_ids: tuple[int, ...],
    output: str | None,
    again: bool,
    rules_dir: str | None,
    off_for: tuple[str, ...],
    on_for: tuple[str, ...],
) -> None:
    """Pre-annotate articles with the rules' suggestions (ACTOR, LOCATION, CASUALTY).

    By default for every article not yet suggested for by this version of the rules
    (new imports get theirs at import). Suggestions are stored apart from everyone's
    annotations, with the rule that made each; they count as an annotator's work only
    once accepted in the annotator (a, r, A). Agreement, review and export never see them.

    Exit status: 0, or 1 when some article could not be suggested for (each is named).
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from annotations import suggesting

    off, on = _split_list(off_for), _split_list(on_for)
    if set(off) & set(on):
        raise click.UsageError(f"both --off-for and --on-for: {', '.join(sorted(set(off) & set(on)))}")
    if output is not None and output != "-":
        _check_output(output, folder=False)
    if rules_dir is not None:
        suggesting.use_rules(rules_dir)
    store = _open(db)
    err = _err()
    columns = (TextColumn("suggesting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with store, Progress(*columns, console=err, transient=True) as bar:
        missing = [i for i in article_ids if store.article(i) is None]
        if missing:
            raise click.BadParameter(f"no article {', '.join(map(str, missing))}", param_hint="--article")
        if off:
            store.set_suggestions_enabled(off, False)
        if on:
            store.set_suggestions_enabled(on, True)
        ids = suggesting.to_suggest(store, article_ids, again=again)
        task = bar.add_task("suggest", total=len(ids), visible=False)
        report = suggesting.suggest_articles(
            store,
            ids,
            progress=lambda done, total: bar.update(
                task, completed=done, total=total, visible=total >= PROGRESS_MIN_ARTICLES
            ),
        )
        if output is not None:
            try:
                report.written = suggesting.write_output(store, output, article_ids or None)
            except OSError as exc:
                raise path_error(exc, output) from None
    _print_suggest_report(report, store.path, output, off, on)
    sys.exit(1 if report.problems else 0)


def _print_suggest_report(
    report: suggesting.SuggestReport,
    db: Path,
    output: str | None,
    off: tuple[str, ...],
    on: tuple[str, ...],
) -> None:
    """The summary: articles, suggestions per label, the file written, the settings changed
    (on standard error when the suggestions went to standard output)."""
    to_err = output == "-"
    table = Table(title="suggest summary", show_header=False, box=None, title_justify="left")
    table.add_column(justify="right")
    table.add_column()
    table.add_row(str(report.articles), "articles suggested for")
    table.add_row(str(report.suggestions), "suggestions")
    for label, n in sorted(report.labels.items()):
        table.add_row(str(n), _safe(label))
    (_err() if to_err else _out()).print(table)
    click.echo(f"database: {printable(str(db))}", err=to_err)
    if output is not None:
        where = "standard output" if to_err else printable(output)
        click.echo(f"wrote {report.written} line(s) to {where}", err=to_err)
    if off:
        _echo(f"suggestions off for: {', '.join(off)}", err=to_err)
    if on:
        _echo(f"suggestions on for: {', '.join(on)}", err=to_err)
    if report.problems:
        click.echo("not suggested, with reasons:", err=True)
        for problem in report.problems:
            click.echo(f"  {printable(str(problem))}", err=True)


@main.command("agree")
@db_option
@click.option(
    "--annotators",
    "annotators",
    multiple=True,
    help="Compare these annotators (A,B,C or repeat). Default: everyone who finished an article.",
)
@click.option("--label", default=None, help="Only spans with this label.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option(
    "--worst",
    default=10,
    show_default=True,
    help="How many articles to list, worst agreement first (table format).",
)
@click.option(
    "--labels",
    "schema_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Label schema (TOML), as for annotate: its choice attributes get a kappa.",
)
def agree_command(
    db: str | None,
    annotators: tuple[str, ...],
    label: str | None,
    fmt: str,
    worst: int,
    schema_file: str | None,
) -> None:
    """Inter-annotator agreement over articles two or more annotators marked done.

    Per pair: span F1 (exact and overlap match), per label and overall, and
    token-level Cohen's kappa; Fleiss' kappa for three or more annotators;
    per label and attribute, how often exactly matched spans agree on it (and
    Cohen's kappa of choice attributes); then the articles with the worst
    agreement first.
    """
    from annotations.agreement import agreement, as_dict
    from annotations.labels import SchemaError, load_schema

    try:
        schema = load_schema(schema_file)
    except SchemaError as exc:
        raise click.ClickException(str(exc)) from None
    with _open(db, read=True) as store:
        result = agreement(store, _split_list(annotators), label, schema)
    if fmt == "json":
        click.echo(printable_json(json.dumps(as_dict(result), indent=2, ensure_ascii=False)))
        return
    out = _out()
    if not result.articles:
        out.print(
            _safe(
                "no article has been marked done by two or more of "
                f"{', '.join(result.annotators) or 'the annotators'}"
            )
        )
        return

    def score(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    out.print(
        _safe(
            f"{result.articles} articles and {result.spans} spans compared"
            + (f" (label {label})" if label else "")
        )
    )
    pairs = Table("pair", "articles", "spans", "exact F1", "overlap F1", "Cohen's κ", title="per pair")
    labels = Table("pair", "label", "spans", "exact F1", "overlap F1", title="per pair and label")
    for p in result.pairs:
        name = _safe(f"{p.a} / {p.b}")
        pairs.add_row(
            name,
            str(p.articles),
            f"{p.overall.spans_a} / {p.overall.spans_b}",
            score(p.overall.exact_f1),
            score(p.overall.overlap_f1),
            score(p.kappa),
        )
        for lab, c in sorted(p.by_label.items()):
            labels.add_row(
                name, _safe(lab), f"{c.spans_a} / {c.spans_b}", score(c.exact_f1), score(c.overlap_f1)
            )
    out.print(pairs)
    out.print(labels)
    attributes = Table(
        "pair",
        "label",
        "attribute",
        "matched",
        "agree",
        "rate",
        "κ",
        title="attributes of exactly matched spans (unset on both sides agrees)",
    )
    rows = [(_safe(f"{p.a} / {p.b}"), p.attributes) for p in result.pairs]
    if len(result.pairs) > 1:
        rows.append((Text("all pairs", style="bold"), result.attributes))
    for name, figures in rows:
        for lab, by_name in figures.items():
            for attribute, f in by_name.items():
                attributes.add_row(
                    name,
                    _safe(lab),
                    _safe(attribute),
                    str(f.matched),
                    str(f.agree),
                    score(f.rate),
                    score(f.kappa),
                )
    if attributes.row_count:
        out.print(attributes)
    if len(result.annotators) >= 3:
        out.print(
            Text(
                f"Fleiss' κ over the {result.fleiss_articles} articles all "
                f"{len(result.annotators)} finished: {score(result.fleiss)}"
            )
        )
    table = Table(
        "article",
        "title",
        "annotators",
        "exact F1",
        "overlap F1",
        "mean κ",
        title=f"worst {min(worst, len(result.per_article))} articles",
    )
    for r in result.per_article[:worst]:
        table.add_row(
            str(r.article_id),
            _safe(r.title),
            _safe(", ".join(r.annotators)),
            score(r.exact_f1),
            score(r.overlap_f1),
            score(r.kappa),
        )
    out.print(table)


@main.command("clean")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "-o",
    "--outdir",
    type=click.Path(file_okay=False),
    default=None,
    help="Write OUTDIR/<stem>.txt per article instead of printing.",
)
@fetch_option
def clean_command(paths: tuple[str, ...], outdir: str | None, fetch: bool) -> None:
    """Print (or write) the cleaned text of files: the cleaner import uses, no database."""
    from annotations.importing import Pipeline, split_inputs

    inputs, problems, _ignored = split_inputs(paths)
    pipeline = Pipeline(None, fetch=fetch)
    pipeline.count_lines(inputs)
    out_dir = Path(outdir) if outdir else None
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    printed = 0
    sources = {Path(item.location).resolve() for item in inputs if item.kind != "url"}
    for item in inputs:
        results = list(pipeline.cleaned(item))
        for index, (doc, cleaned) in enumerate(results, start=1):
            if isinstance(cleaned, Problem):
                problems.append(cleaned)
                continue
            if out_dir is not None:
                stem = Path(item.location).stem if item.kind != "url" else "feed"
                name = stem if len(results) == 1 else f"{stem}-{index}"
                target = out_dir / f"{name}.txt"
                if target.resolve() in sources:  # clean corpus/*.txt -o corpus: the raw files stay
                    problems.append(Problem(str(target), "is one of the inputs: not overwritten"))
                    continue
                target.write_text(cleaned.text + "\n", "utf-8")
            else:
                if len(inputs) > 1 or len(results) > 1:
                    click.echo(f"{'' if printed == 0 else chr(10)}==> {printable(doc.origin)} <==")
                click.echo(printable(cleaned.text, lines=True))
                printed += 1
    for problem in problems:
        _echo(f"newsmark clean: {problem}", err=True)
    sys.exit(1 if problems else 0)


@main.command("stats")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def stats_command(db: str | None, as_json: bool) -> None:
    """Articles, and per annotator: articles by status, spans by label, spans ending in 's;
    then suggestions: per annotator the spans accepted from them (per label) and those
    rejected, and the corpus's suggestions per label (how much priming there was)."""
    with _open(db, read=True) as store:
        stats = store.stats()
    if as_json:
        figures = {
            "articles": stats.articles,
            "sources": stats.sources,
            "statuses": stats.statuses,
            "labels": stats.labels,
            "clitic_ends": stats.clitic_ends,
            "from_suggestions": stats.from_suggestions,
            "rejected_suggestions": stats.rejected,
            "suggestions": stats.suggestions,
        }
        click.echo(printable_json(json.dumps(figures, indent=2)))
        return
    out = _out()
    out.print(Text(f"{stats.articles} articles from {stats.sources} sources"))
    if not stats.statuses:
        out.print("no annotators yet")
        _print_suggestion_stats(out, stats)
        return
    statuses = ("new", "in_progress", "done", "skipped", "flagged", "reviewed")
    labels = sorted({label for counts in stats.labels.values() for label in counts})
    table = Table("annotator", *statuses, title="per annotator")
    for label in labels:  # labels are data: a header made of one is Text, not markup
        table.add_column(_safe(label))
    table.add_column("ends 's")
    for name in sorted(stats.statuses):
        row: list[str | Text] = [_safe(name)]
        row += [str(stats.statuses[name].get(s, 0)) for s in statuses]
        row += [str(stats.labels.get(name, {}).get(label, 0)) for label in labels]
        row.append(str(stats.clitic_ends.get(name, 0)))
        table.add_row(*row)
    out.print(table)
    if any(stats.clitic_ends.values()):
        out.print(
            f"ends 's: {sum(stats.clitic_ends.values())} spans end in a possessive "
            '("Syria\'s", "soldiers\'"), made before snapping left it out'
        )
    _print_suggestion_stats(out, stats)


def _print_suggestion_stats(out: Console, stats: Stats) -> None:
    """The suggestions per label, and per annotator the spans that came from them."""
    if (
        not stats.suggestions
        and not any(stats.from_suggestions.values())
        and not any(stats.rejected.values())
    ):
        return
    total = sum(stats.suggestions.values())
    out.print(
        Text(
            f"{total} suggestions: "
            + ", ".join(f"{printable(label)} {n}" for label, n in sorted(stats.suggestions.items()))
        )
    )
    labels = sorted({label for counts in stats.from_suggestions.values() for label in counts})
    table = Table("annotator", "accepted", "rejected", title="spans from suggestions, per annotator")
    for label in labels:
        table.add_column(_safe(label))
    for name in sorted(stats.statuses):
        accepted = stats.from_suggestions.get(name, {})
        row: list[str | Text] = [_safe(name), str(sum(accepted.values())), str(stats.rejected.get(name, 0))]
        row += [str(accepted.get(label, 0)) for label in labels]
        table.add_row(*row)
    out.print(table)


@main.command("reclean")
@db_option
def reclean_command(db: str | None) -> None:
    """Clean again every article cleaned by an older cleaner.

    Articles with annotations keep the text their spans point into.
    """
    from annotations.cleaning import CLEANER_VERSION
    from annotations.importing import ImportReport, Pipeline

    report = ImportReport()
    with _open(db) as store:
        pipeline = Pipeline(store)
        for article_id, raw_format, raw_text, group in store.articles_to_reclean(CLEANER_VERSION):
            doc = Document(raw_text, raw_format, f"article {article_id}", group or "")
            cleaned = pipeline.clean(doc)
            if not cleaned.text.strip():
                report.problems.append(Problem(doc.origin, "new cleaner finds no text: old text kept"))
                continue
            report.count(store.reclean(article_id, cleaned.text, CLEANER_VERSION))
    click.echo(
        f"re-cleaned {report.recleaned}, kept {report.kept} (annotated), cleaner version {CLEANER_VERSION}"
    )
    for problem in report.problems:
        _echo(f"  {problem}", err=True)


@main.command("list")
@db_option
@click.option("--limit", default=50, show_default=True, help="How many articles to show.")
@click.option("--search", default=None, help="Full-text search (FTS5 syntax or plain words).")
def list_articles(db: str | None, limit: int, search: str | None) -> None:
    """List articles (importing the sample corpus into an empty default database)."""
    # Only a first run on the default database may make it (and fill it with the sample corpus).
    with _open(db, read=db is not None or resolve_db_path(None).exists()) as store:
        _import_sample_if_empty(store, db)
        rows = store.search(search, limit) if search else store.page(0, limit)
        total = store.article_count()
    table = Table("id", "title", "source", "published", title=Text(f"{len(rows)} of {total} articles"))
    for row in rows:
        table.add_row(str(row.id), _safe(row.title or "(untitled)"), _safe(row.source), _safe(row.published))
    _out().print(table)


@main.command("assign")
@db_option
@click.option(
    "--annotators",
    "annotators",
    multiple=True,
    help="Who gets the articles (A,B,C or repeat). With --clear: whose assignments "
    "to remove (default: everyone's).",
)
@click.option(
    "--overlap",
    type=int,
    default=None,
    help="How many different annotators each article goes to (1 to the number of annotators).",
)
@click.option(
    "--seed",
    type=int,
    default=None,
    help="Seed for the shuffle and tie-breaks: the same seed gives the same plan.",
)
@click.option(
    "--clear",
    is_flag=True,
    help="First remove the assignments of --annotators (or all); with --overlap, "
    "then deal the freed articles out again.",
)
def assign_command(
    db: str | None, annotators: tuple[str, ...], overlap: int | None, seed: int | None, clear: bool
) -> None:
    """Give each article still to do to --overlap annotators, balancing their loads.

    Only articles assigned to nobody and finished by none of the annotators are
    dealt out, so a second run assigns only what is new since. Each annotator's
    "to do" view then holds their own articles and the unassigned ones, their
    own first; an annotator with no assignments still sees everything.
    """
    from annotations.assign import check, plan

    names = tuple(dict.fromkeys(_split_list(annotators)))  # once each, in the order given
    if overlap is None and not clear:
        raise click.UsageError("missing --overlap: how many annotators each article goes to")
    if overlap is not None:
        if not names:
            raise click.UsageError("missing --annotators: who gets the articles (A,B,C)")
        try:
            check(names, overlap)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--overlap") from None
    with _open(db) as store:
        if clear:
            removed = store.clear_assignments(names or None)
            _echo(
                f"removed {removed} assignment(s) of {', '.join(names) if names else 'every annotator'}",
                err=True,
            )
        if overlap is None:
            return
        # One write transaction from reading what is free to saving the plan: two
        # runs at once cannot both deal out the same article.
        with store.transaction():
            todo = store.unassigned_todo_ids(names)
            before = store.assignment_counts()
            load = {name: before.get(name, (0, 0))[0] for name in names}
            added = store.assign(plan(todo, names, overlap, seed, load)) if todo else {}
        counts = store.assignment_counts()
    if todo:
        click.echo(
            f"assigned {len(todo)} article(s), each to {overlap} of {len(names)} "
            f"annotator(s): {sum(added.values())} new assignment(s)",
            err=True,
        )
    else:
        _echo(
            f"nothing to assign: every article is already assigned, or finished by {', '.join(names)}",
            err=True,
        )
    table = Table("annotator", "newly assigned", "assigned", "finished", title="assignments")
    for name in names:
        assigned, finished = counts.get(name, (0, 0))
        table.add_row(_safe(name), str(added.get(name, 0)), str(assigned), str(finished))
    _out().print(table)


@main.command("backup")
@db_option
@click.argument("target", type=click.Path())
@click.option("--force", is_flag=True, help="Replace TARGET if it exists.")
def backup_command(db: str | None, target: str, force: bool) -> None:
    """Copy the database to TARGET, safely while annotators work (SQLite's online backup).

    The copy holds everything committed when the backup began. To restore it, stop
    every newsmark using the database, remove its -wal and -shm files, and copy
    TARGET over it (README: "Annotating over SSH").
    """
    from annotations.storage import BackupError, backup_database

    try:
        done = backup_database(resolve_db_path(db), target, force=force)
    except BackupError as exc:
        raise CommandError(exc.reason, exc.path) from None
    click.echo(
        printable(
            f"backed up {done.source} to {done.target}: {done.articles} article(s), "
            f"{done.spans} span(s) by {done.annotators} annotator(s), {done.size / 1e6:.1f} MB"
        )
    )


if __name__ == "__main__":
    main()
