"""The ``nk-troops`` command: thin wrappers over the library."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import signal
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from .choices import EXPORT_FORMATS, RULE_BASELINES
from .incidents import Incident, IncidentError, render_text
from .report import FORMATS as REPORT_FORMATS
from .report import render
from .version import __version__


def _check_anchors(args: argparse.Namespace) -> int:
    from .build.anchors import FILE_RE, RawEntries, load_entries, resolve
    from .build.documents import build_documents, check_declared, project_root

    root = project_root(Path(args.root))
    named: list[tuple[Path, str]] = []  # each file given, and the document its name says it annotates
    for f in args.files:
        m = FILE_RE.match(Path(f).name)
        if not Path(f).is_file() or not m:
            found = (
                "no such file" if not Path(f).exists() else "a folder" if Path(f).is_dir() else "not named <doc>.yaml or <doc>.<part>.yaml"
            )
            raise IncidentError(
                [Incident("argument-invalid", file=f, found=found, expected="an annotation file such as annotations/gold/nk000.yaml")]
            )
        named.append((Path(f), m.group(1)))
    docs = {d.doc_id: d for d in build_documents(root / "annotations/recipes", root / "dataset/raw")}
    declared = list(docs)
    # the files are a selection, not a whole folder: every declared document counts as present, so only undeclared ones are named
    problems = [i for f, d in named for i in check_declared(declared, f, {d, *declared}, "document-annotations-missing")]
    folders: dict[Path, set[str]] = defaultdict(set)
    for f, d in named:
        folders[f.parent].add(d)
    for folder, doc_ids in folders.items():
        try:
            entries = load_entries(folder)
        except IncidentError as err:
            problems.extend(err.incidents)
            continue
        for doc_id in sorted(doc_ids & docs.keys()):
            try:
                ann = resolve(docs[doc_id], entries.get(doc_id, RawEntries(doc_id)))
                print(
                    f"{folder}/{doc_id}: {len(ann.figures)} figures, {len(ann.quotes)} quotes, {len(ann.claims)} claims, "
                    f"{sum(1 for s in ann.sentences if s.no_claim_reason)} no-claim sentences"
                )
            except IncidentError as err:
                problems.extend(err.incidents)
    if problems:
        print(render_text(problems), file=sys.stderr)
        return 1
    return 0


def _build(args: argparse.Namespace) -> int:
    from .release.publish import BuildFailed, build
    from .release.stats import stats_table
    from .release.write import changelog_entry
    from .version import __version__

    try:
        outcome = build(Path(args.root), Path(args.out) if args.out else None)
    except KeyboardInterrupt as exc:  # main names the signal; the build adds what became of the tree
        exc.args = exc.args or ("nothing was published",)
        raise
    except BuildFailed as err:
        print(f"nk-troops build: failed while {err.step}; nothing was published", file=sys.stderr)
        raise
    for rel in outcome.recovered:
        print(f"finished publishing {rel} (an earlier build was killed while publishing)")
    print(stats_table(outcome.release))
    print(f"published {len(outcome.changed)} changed file(s): {', '.join(outcome.changed) or 'none'}")
    print(f"version {__version__}, content sha256 {outcome.content_sha256}")
    if changelog_entry(outcome.root / "CHANGELOG.md", __version__) != outcome.content_sha256 and not args.out:
        print(f"note: CHANGELOG.md has no entry for {__version__} with this content hash; bump version.py and add one (see nk-troops diff)")
    for note in outcome.release.notes:
        print(f"note: {note}")
    return 0


def _stats(args: argparse.Namespace) -> int:
    from .build.documents import project_root
    from .release.assemble import assemble
    from .release.stats import stats_table

    print(stats_table(assemble(project_root(Path(args.root)))), end="")
    return 0


def _diff(args: argparse.Namespace) -> int:
    from .release.diff import diff_spans, read_spans, render_diff

    for folder in (Path(args.old), Path(args.new)):
        if not folder.is_dir():
            found = "no such folder" if not folder.exists() else "a file"
            raise IncidentError([Incident("argument-invalid", file=str(folder), found=found, expected="a release folder")])
    print(render_diff(diff_spans(read_spans(Path(args.old)), read_spans(Path(args.new))), verbose=args.verbose), end="")
    return 0


def _agreement(args: argparse.Namespace) -> int:
    import json

    from .build.agreement import cluster_disagreements, disagreements, render, resolve_passes
    from .build.documents import build_documents, project_root
    from .model import Layer

    root = project_root(Path(args.root))
    docs = build_documents(root / "annotations/recipes", root / "dataset/raw")
    a, b = resolve_passes(docs, root / "annotations")
    if not args.disagreements:
        print(render(a, b))
        return 0
    rows = [row for layer in Layer for row in disagreements(a, b, layer)] + cluster_disagreements(a, b)
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from .evaluate import read_inputs, score
    from .model import Layer
    from .paths import release_dir

    layers = [Layer(x) for x in args.layer] if args.layer else list(Layer)
    if args.bootstrap < 0:
        print(f"--bootstrap takes a number of resamples, 1 or more (got {args.bootstrap})", file=sys.stderr)
        return 2
    if args.bootstrap and args.format == "sarif":
        print("--bootstrap adds intervals to a text, github or json report, not to SARIF", file=sys.stderr)
        return 2
    gold = Path(args.gold) if args.gold else release_dir()
    try:  # a --gold folder is validated whole first; the installed release is known valid
        spans, pred, docs = read_inputs(Path(args.pred), gold, args.fold, check=args.gold is not None)
        report = score(spans, pred, layers)
    except IncidentError as err:  # a path given that does not exist is an unusable argument (2), anything else bad input (1)
        print(render(err.incidents, args.format, release=gold), file=sys.stderr if args.format == "text" else sys.stdout)
        return 2 if not Path(args.pred).is_file() or not gold.is_dir() else 1
    out = render([], args.format, results=report, release=gold)
    if args.bootstrap:  # per-document scores and intervals, after the report (in JSON: its "bootstrap" key)
        from .evaluate import bootstrap

        estimates = bootstrap.bootstrap_spans(spans, pred, layers, args.bootstrap, args.seed, docs)
        out = bootstrap.attach(out, "json" if args.format == "json" else "text", estimates, args.bootstrap, args.seed)
    print(out)
    return 0


def _baseline(args: argparse.Namespace) -> int:
    from .baselines import RULES, render_predictions, run
    from .baselines import results as baseline_results
    from .baselines.common import load_inputs
    from .paths import release_dir

    release = Path(args.release) if args.release else release_dir()
    if args.results:
        root, timings = Path(args.root), {}
        if args.write and not all((root / name).is_file() for name in baseline_results.FILES):
            print(f"--write needs a checkout: no README.md and DATASHEET.md in {root.resolve()} (give --root)", file=sys.stderr)
            return 2
        if missing := baseline_results.missing_extra():
            print(f"the trained baselines need {', '.join(missing)}: pip install 'nk-troops[baselines]'", file=sys.stderr)
            return 2
        results = baseline_results.compute(release, timings=timings)
        print(baseline_results.render_table(results))
        print("seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in timings.items()) + f"; total {sum(timings.values()):.2f}", file=sys.stderr)
        if args.write:
            baseline_results.write_results(results, root / baseline_results.RESULTS)
            print(f"wrote {root / baseline_results.RESULTS}", file=sys.stderr)
            for name in baseline_results.refresh(root, root / baseline_results.RESULTS):
                print(f"updated the baselines block of {name}", file=sys.stderr)
        return 0
    if args.write:
        print("--write goes with --results", file=sys.stderr)
        return 2
    if not args.name:
        print("give a baseline name (or all), or --results", file=sys.stderr)
        return 2
    names = list(RULES) if args.name == "all" else [args.name]
    text = render_predictions(run(names, *load_inputs(release)))
    if args.out:
        _write_whole(Path(args.out), text)
    else:
        sys.stdout.write(text)
    return 0


def _write_whole(path: Path, text: str) -> None:
    """``text`` into ``path`` whole or not at all: a temporary file beside it, renamed over it (a link is replaced, not followed)."""
    tmp, made = path.with_name(f".{path.name}.{os.getpid()}.tmp"), False
    try:
        with open(tmp, "x", encoding="utf-8", newline="\n") as f:  # "x": never over a file someone else has there
            made = True
            f.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        found = exc.strerror or type(exc).__name__
        raise IncidentError([Incident("argument-invalid", file=str(path), found=found, expected="a file in an existing folder")]) from None
    finally:
        if made:  # gone after the rename; left behind by an error or an interrupt before it
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)


def _at_least_one(text: str) -> int:
    """An argparse type: a whole number of 1 or more (argparse turns the error into exit 2 with usage)."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


def _validate(args: argparse.Namespace) -> int:
    from .paths import release_dir
    from .validate import Report, check_pair, check_predictions, check_release

    paths = [Path(x) for x in args.paths]
    local = Path(args.root) / "dataset"
    default = local if local.is_dir() else release_dir()  # outside a checkout: the installed release
    if args.predictions:
        if len(paths) > 1:
            print("give at most one gold release folder with --predictions", file=sys.stderr)
            return 2
        release = paths[0] if paths else default
        reports = [check_predictions(Path(p), release) for p in args.predictions]  # several: a pre-commit hook's batch
        report = Report([i for r in reports for i in r.incidents], any(r.unusable for r in reports))
    elif args.documents or args.spans or len(paths) == 2:
        docs, spans = (Path(args.documents), Path(args.spans)) if args.documents and args.spans else (paths + [None, None])[:2]
        if docs is None or spans is None or len(paths) > (0 if args.documents else 2):
            print("give a release folder, two files (documents spans), or --documents D --spans S", file=sys.stderr)
            return 2
        release = docs.parent
        report = check_pair(docs, spans)
    elif len(paths) == 1 and paths[0].is_file():
        print(f"{paths[0]} is a file: give a release folder, two files (documents spans), or --predictions FILE", file=sys.stderr)
        return 2
    elif len(paths) <= 1:
        release = paths[0] if paths else default
        # the validator names files within the folder; the user is told them as they would open them
        report = check_release(release)
        report.incidents = [dataclasses.replace(i, file=str(release / i.file)) if i.file else i for i in report.incidents]
    else:
        print("give at most two paths", file=sys.stderr)
        return 2
    if report.unusable:
        for i in report.incidents:
            print(f"not usable: {i.message()}", file=sys.stderr)
        return 2
    out = render(report.incidents, args.format, max_per_code=args.max_errors, release=release)
    if out:  # text and github say nothing of a clean run
        print(out)
    if not report.incidents:
        print("valid: no incidents", file=sys.stderr)
    return 1 if report.incidents else 0


def _export_release(args: argparse.Namespace) -> Path | None:
    """--release as a Path (None: the installed release); ``Unusable`` (file-missing) for a folder without the data files."""
    from .export.output import Unusable
    from .paths import CONFIGS, data_file

    if not args.release:
        return None
    folder = Path(args.release)
    missing = [folder / data_file(c) for c in CONFIGS if not (folder / data_file(c)).is_file()]
    if missing:  # before --out is touched; a release with bad rows is export-release-invalid when read (bad data, 1)
        raise Unusable([Incident("file-missing", file=str(path), detail="--release is not a release folder") for path in missing])
    return folder


def _export(args: argparse.Namespace) -> int:
    from .export import export
    from .export.output import Unusable

    try:
        names, incidents = export(args.format, Path(args.out), _export_release(args))
    except Unusable as err:
        print(render_text(err.incidents), file=sys.stderr)
        return 2
    print(f"wrote {len(names)} files ({args.format}) to {args.out}")
    if incidents:  # written whole, the spans the format cannot hold kept aside; the user must know
        print(render_text(incidents), file=sys.stderr)
        return 1
    return 0


def _import(args: argparse.Namespace) -> int:
    from .export.label_studio import import_tasks
    from .export.output import Unusable, publish, write_files

    try:
        release = _export_release(args)
    except Unusable as err:
        print(render_text(err.incidents), file=sys.stderr)
        return 2
    for path, is_ok, what in ((args.export, Path.is_file, "file"), (args.exclusions_from, Path.is_dir, "folder")):
        if path is not None and not is_ok(Path(path)):
            print(f"not a {what}: {path}", file=sys.stderr)
            return 2
    kept = Path(args.exclusions_from) if args.exclusions_from else None
    changed: dict = {}

    def write(tmp: Path) -> list[str]:
        files, found = import_tasks(Path(args.export), release, kept)
        changed.update(found)
        return write_files(tmp, files)

    try:
        names = publish(Path(args.out), write)
    except Unusable as err:
        print(render_text(err.incidents), file=sys.stderr)
        return 2
    for doc_id, kinds in changed.items():  # what to port into the commented gold files
        listed = "; ".join(f"{kind} {' '.join(ids)}" for kind, ids in kinds.items() if ids)
        print(f"{doc_id}: {listed or 'unchanged'}")
    print(f"wrote {len(names)} annotation files to {args.out} (no comments: port the changes above into annotations/gold)")
    if kept is None:
        print("note: not_figures / not_quotes are not in the release; give --exclusions-from annotations/gold to carry them over")
    return 0


def _rehydrate(args: argparse.Namespace) -> int:
    from .export.output import Unusable, publish, write_files
    from .export.standoff import rehydrate

    for path in (args.standoff, args.pages):
        if not Path(path).is_dir():
            print(f"not a folder: {path}", file=sys.stderr)
            return 2
    try:
        names = publish(Path(args.out), lambda tmp: write_files(tmp, rehydrate(Path(args.standoff), Path(args.pages))))
    except Unusable as err:
        print(render_text(err.incidents), file=sys.stderr)
        return 2
    print(f"wrote {len(names)} files to {args.out}: every page and data file verified by SHA-256")
    return 0


def _view(args: argparse.Namespace) -> int:
    from .paths import release_dir
    from .view import publish, read_diff, read_view, render_site

    try:
        release = read_view(Path(args.release) if args.release else release_dir())
        diff = read_diff(Path(args.diff), release) if args.diff else None
        files = render_site(release, diff)
        publish(files, Path(args.out))
    except IncidentError as err:  # a missing folder or an unusable --out is an unusable invocation (2), bad data 1
        print(render_text(err.incidents), file=sys.stderr)
        return 2 if any(i.code == "file-missing" or i.code.startswith("view-out-") for i in err.incidents) else 1
    print(f"wrote {len(files)} files to {args.out}: open {Path(args.out) / 'index.html'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run one command; bad input, SIGINT, SIGTERM and a closed pipe end in an exit status and one message, not a traceback."""
    with _terminate_as_interrupt():
        try:
            status = _run(argv)
            sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's own flush at exit
            return status
        except IncidentError as err:
            print(render_text(err.incidents), file=sys.stderr)
            return 2 if any(i.code in UNUSABLE for i in err.incidents) else 1
        except KeyboardInterrupt as exc:  # SIGINT, or SIGTERM as _Terminated; a command may add in its args what it had done
            terminated = isinstance(exc, _Terminated)
            done = "".join(f"; {a}" for a in exc.args)
            print(f"nk-troops: {'terminated (SIGTERM)' if terminated else 'interrupted'}{done}", file=sys.stderr)
            return 128 + signal.SIGTERM if terminated else 130
        except BrokenPipeError:  # the reader went away (`... | head`): stop quietly, as a shell's own tools do
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes stdout at exit
            return 128 + signal.SIGPIPE


def _run(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="nk-troops", description=__doc__)
    parser.add_argument("--root", default=".", help="repository checkout (default: current folder)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("check-anchors", help="resolve annotation files and report anchor problems")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=_check_anchors)
    p = sub.add_parser("build", help="rebuild the release (and schema/, DATASHEET.md statistics) from annotations/")
    p.add_argument(
        "--out",
        help="an existing release folder inside the project (default: dataset/); schema/ and the Markdown blocks only for the default",
    )
    p.set_defaults(func=_build)
    p = sub.add_parser("stats", help="per-document table: passages, characters, words, sentences, claims, quotes, figures")
    p.set_defaults(func=_stats)
    p = sub.add_parser("diff", help="spans added, removed and changed per layer between two release folders")
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("-v", "--verbose", action="store_true", help="list the span ids")
    p.set_defaults(func=_diff)
    p = sub.add_parser("agreement", help="agreement between the two independent annotation passes")
    p.add_argument("--disagreements", action="store_true", help="list every disagreement as JSON lines instead")
    p.set_defaults(func=_agreement)
    p = sub.add_parser(
        "evaluate", help="score predicted spans per layer against the release (strict/exact/partial/type, attributes, micro average)"
    )
    p.add_argument("--pred", required=True, help="predictions, JSONL in the flat span shape (doc_id, layer, start, end required)")
    p.add_argument("--gold", help="release folder, validated before scoring (default: the installed release, dataset/ in a checkout)")
    p.add_argument("--format", choices=REPORT_FORMATS, default="text")
    p.add_argument(
        "--layer", action="append", choices=("claim", "quote", "figure"), help="score only this layer (repeatable; default: each layer)"
    )
    p.add_argument("--fold", action="append", type=int, help="score only the documents of this fold (repeatable)")
    p.add_argument(
        "--bootstrap",
        type=int,
        default=0,
        metavar="N",
        help="add per-document scores and a 95%% interval from N resamples of the documents",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed of --bootstrap (default 0)")
    p.set_defaults(func=_evaluate)
    p = sub.add_parser("baseline", help="run a rule baseline, writing predictions; or --results for every baseline's scores")
    p.add_argument("name", nargs="?", choices=(*RULE_BASELINES, "all"))
    p.add_argument("--out", help="predictions file (default: standard output)")
    p.add_argument("--release", help="release folder (default: the installed release, dataset/ in a checkout)")
    p.add_argument("--results", action="store_true", help="train and score every baseline, per document, and print the results table")
    p.add_argument("--write", action="store_true", help="with --results: write results/baselines.json and the README/DATASHEET tables")
    p.set_defaults(func=_baseline)
    p = sub.add_parser("validate", help="check a release, a documents/spans pair or predictions (exit 0 clean, 1 incidents, 2 unusable)")
    p.add_argument(
        "paths", nargs="*", help="a release folder (default: dataset/, else the installed release), or a documents and a spans JSONL file"
    )
    p.add_argument("--documents", help="documents JSONL (with --spans)")
    p.add_argument("--spans", help="spans JSONL (with --documents)")
    p.add_argument(
        "--predictions",
        nargs="+",
        metavar="FILE",
        help="predicted spans, checked against the gold documents of PATH (default: dataset/, else the installed release)",
    )
    p.add_argument("--format", choices=REPORT_FORMATS, default="text")
    p.add_argument("--max-errors", type=_at_least_one, metavar="N", help="show at most N incidents per code")
    p.set_defaults(func=_validate)
    p = sub.add_parser("export", help=f"write the release in another format: {', '.join(EXPORT_FORMATS)}")
    p.add_argument("--format", required=True, choices=tuple(EXPORT_FORMATS))
    p.add_argument("--out", required=True, help="a new (or empty) folder; written whole or not at all")
    p.add_argument("--release", help="release folder (default: the installed release, dataset/ in a checkout)")
    p.set_defaults(func=_export)
    p = sub.add_parser("import", help="turn a Label Studio JSON export back into anchored annotation YAML (annotations/FORMAT.md)")
    p.add_argument("tool", choices=("label-studio",))
    p.add_argument("export", help="the JSON file Label Studio exported (tasks from nk-troops export --format label-studio)")
    p.add_argument("--out", required=True, help="a new (or empty) folder for <doc>.yaml files")
    p.add_argument("--release", help="release folder whose documents the tasks hold (default: the installed release)")
    p.add_argument("--exclusions-from", help="annotation folder (e.g. annotations/gold) whose not_figures / not_quotes to carry over")
    p.set_defaults(func=_import)
    p = sub.add_parser("rehydrate", help="rebuild the full release rows from a stand-off release and your own copies of the pages")
    p.add_argument("--standoff", required=True, help="folder written by nk-troops export --format standoff")
    p.add_argument("--pages", required=True, help="folder holding the raw pages (file names or SHA-256 as in standoff.json)")
    p.add_argument("--out", required=True, help="a new (or empty) folder; written only when every page and file verifies")
    p.set_defaults(func=_rehydrate)
    p = sub.add_parser("view", help="write the release as a static site: spans drawn in each article, attributes, clusters")
    p.add_argument("--out", required=True, help="folder to write (new, empty, or an earlier view output, which is replaced)")
    p.add_argument("--release", help="release folder (default: the installed release, dataset/ in a checkout)")
    p.add_argument("--diff", metavar="OLD_RELEASE", help="mark the spans added, removed and changed since this older release folder")
    p.set_defaults(func=_view)
    args = parser.parse_args(argv)
    return args.func(args)


UNUSABLE = {"argument-invalid", "project-not-found"}  # incidents about the invocation, not the data: exit 2


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised like SIGINT so every ``finally`` (a build's staging folder) runs."""


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    def raise_terminated(signum: int, frame: object) -> None:
        raise _Terminated()

    try:
        old = signal.signal(signal.SIGTERM, raise_terminated)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


if __name__ == "__main__":
    sys.exit(main())
