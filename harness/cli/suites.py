"""`harness suites list|show`."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from harness.cli.common import console, handle_errors
from harness.suites import RetrievalOptions, Suite, TaskEntry
from harness.tasks import HubSource, Split, TaskSpec

app = typer.Typer(help="List and inspect evaluation suites.", no_args_is_help=True)


@app.command("list")
@handle_errors
def list_command() -> None:
    """List the built-in suites."""
    from harness.suites import builtin_suites, load_suite

    table = Table("name", "title", "version", "tasks", "languages", "file")
    table.columns[-1].overflow = "fold"
    for name, path in builtin_suites().items():
        suite = load_suite(str(path))
        languages = {lang for t in suite.tasks.values() for lang in t.languages}
        table.add_row(name, suite.title, suite.version, str(len(suite.tasks)), str(len(languages)), str(path))
    console.print(table)


@app.command("show")
@handle_errors
def show_command(
    name: Annotated[str, typer.Argument(help="Built-in suite name or path to a suite YAML.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the resolved suite as JSON.")] = False,
) -> None:
    """Show a suite's tasks, languages, metrics, splits, data, hyperparameters and selection rule."""
    from harness.formats import is_supported
    from harness.suites import load_suite
    from harness.tasks import TASKS

    suite = load_suite(name)
    if as_json:
        payload = {"hash": suite.content_hash(), **suite.model_dump(mode="json")}
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    console.print(f"[bold]{suite.title}[/bold] ({suite.name} {suite.version})  {suite.content_hash()}")
    console.print(suite.description, highlight=False)
    console.print(f"reference: {suite.reference}", highlight=False)
    console.print(f"seeds: {', '.join(map(str, suite.seeds))}")
    if suite.default_model is not None:
        model = suite.default_model
        console.print(f"default model (without --model): {model.path}/ of the package {model.install}")
    data = Table("dataset", "revision / local folder", "note", title="data", title_justify="left")
    for dataset, pin in suite.datasets.items():
        data.add_row(dataset, pin.revision or f"{pin.path} (local)", pin.note)
    console.print(data)
    categories = Table("category", "tasks", title="categories", title_justify="left")
    for category, tasks in suite.categories.items():
        categories.add_row(category, ", ".join(tasks))
    console.print(categories)

    console.print(f"\n[bold]{len(suite.tasks)} tasks[/bold]")
    for task_name, entry in suite.tasks.items():
        _print_task(suite, task_name, entry, TASKS[task_name], is_supported(TASKS[task_name].format))


def _print_task(suite: Suite, name: str, entry: TaskEntry, spec: TaskSpec, supported: bool) -> None:
    status = "" if supported else "  [yellow]not yet supported[/yellow]"
    lines = [
        f"\n[bold cyan]{name}[/bold cyan]  {spec.title}, {spec.format.value}{status}",
        f"  languages ({len(entry.languages)}): {', '.join(entry.languages)}",
        f"  metrics: {', '.join(entry.metrics)}; task score: mean of {' and '.join(entry.score)}",
    ]
    roles = [
        *(("train", s) for s in entry.splits.train),
        ("dev", entry.splits.dev),
        ("test", entry.splits.test),
    ]
    for role, split_name in roles:
        if split_name is not None:
            lines.append(f"  {role}: {split_name} = {_source(spec.splits[split_name])}")
    if not entry.splits.train and not (entry.retrieval and entry.retrieval.encoder_from):
        lines.append("  train: none (the encoder as given)")
    if entry.hyperparameters is not None:
        hp = entry.hyperparameters
        lines.append(
            f"  fine-tuning: lr {hp.learning_rate:g}, batch {hp.batch_size} x {hp.grad_accum} accumulation "
            f"(= {hp.batch_size * hp.grad_accum}), {hp.epochs:g} epochs, max length {hp.max_length}, "
            f"warmup {hp.warmup_steps} steps, weight decay {hp.weight_decay:g}"
        )
        if hp.qa is not None:
            qa = hp.qa
            lines.append(
                f"  QA windows: doc stride {qa.doc_stride}, question <= {qa.max_query_length} tokens, "
                f"answer <= {qa.max_answer_length} tokens, n-best {qa.n_best_size}"
            )
    if entry.selection is not None:
        sel = entry.selection
        lines.append(
            f"  selection: best {entry.metrics[0]} on {sel.language} dev, "
            f"every {sel.every_steps} optimizer steps"
            if sel.rule == "best_on_dev"
            else "  selection: the final model (no checkpoint selection)"
        )
    if entry.retrieval is not None:
        lines += _retrieval_lines(entry.retrieval)
    lines.append(f"  seeds: {', '.join(map(str, suite.seeds_for(name)))}")
    console.print("\n".join(lines), highlight=False)


def _retrieval_lines(options: RetrievalOptions) -> list[str]:
    rep = options.representation
    layers = ", ".join(f"{layer} of {depth}" for depth, layer in rep.layer_by_depth.items())
    if rep.pooling == "pooler":
        which = "the pooler output"
    else:
        fallback = f"else {rep.layer_fraction:g} x depth" if rep.layer_fraction else "else the last layer"
        which = (
            f"{rep.pooling} pooling of layer {layers}, {fallback}"
            if layers
            else f"{rep.pooling} pooling, {fallback}"
        )
    lines = [f"  vectors: {which}; max length {rep.max_length}{', lowercased' if rep.lowercase else ''}"]
    encoder = (
        f"the encoder of the run's fine-tuned {options.encoder_from} model" if options.encoder_from else None
    )
    lines.append(f"  encoder: {encoder or 'the checkpoint as given, unless the task trains a dual encoder'}")
    lines.append(f"  search: margin k {options.margin_k}, top {options.top_k}")
    return lines


def _source(split: Split) -> str:
    """The split's sources in order of preference (`harness data check` says which one a run reads)."""
    from harness.tasks.releases import RELEASES

    parts = []
    for source in split.sources:
        if isinstance(source, HubSource):
            where = "/".join(x for x in (source.config, source.data_dir, source.split) if x)
            if source.filter_column:
                op = "starts with" if source.filter_prefix else "=="
                where += f", {source.filter_column} {op} {source.filter_value}"
            text = f"{source.dataset} ({where})"
        else:
            folder = RELEASES[source.release].folders[0]
            text = "/".join(x for x in (folder or "data", source.path) if x)
            text = (
                f"{source.release}: {text}"
                if source.release != "xtreme-download"
                else f"download/{source.path}"
            )
            if not source.labelled:
                text += " (no labels)"
        if source.languages is not None:
            text += f" [{len(source.languages)} languages]"
        parts.append(text)
    return " | ".join(parts) + (f"  [dim]{split.note}[/dim]" if split.note else "")
