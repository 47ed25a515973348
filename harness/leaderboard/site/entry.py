"""One page per published submission: model card, recipe, intermediate tasks, protocol notes and
data divergences, seeds, confidence intervals, throughput and provenance hashes."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from harness.leaderboard.board import Board, complete
from harness.leaderboard.site.index import anchor
from harness.leaderboard.site.markup import esc, heat_cell, interval, link, number_cell, page, table
from harness.leaderboard.submissions import Submission
from harness.results.schema import TaskResult
from harness.results.table import SPEED_HEADERS, num, speed_rows
from harness.suites import Suite

# The hyperparameters a reader compares first, in this order; the others are in the full record.
_RECIPE = ("learning_rate", "batch_size", "grad_accum", "epochs", "max_steps", "max_length", "warmup_ratio")


def render_entry(board: Board, sub: Submission) -> str:
    suite = board.suites[sub.results.suite.name]
    results, card = sub.results, sub.card
    if not complete(sub):
        standing = "incomplete: not ranked, not averaged"
    elif board.standard(sub):
        ranking = [s.name for s in board.ranked(suite.name) if board.standard(s)]
        standing = f"ranked #{ranking.index(sub.name) + 1}"
    else:
        standing = "non-standard protocol: shown apart, not ranked"
    score = num(results.overall.score) if results.overall.score is not None else "incomplete"
    back = f"../index.html#suite-{anchor(suite.name)}"
    body = "\n".join(
        [
            f'<header><p><a href="{esc(back)}">← {esc(suite.title)} leaderboard</a></p>',
            f"<h1>{esc(card.name)}</h1>",
            f"<p>{esc(card.organisation)} · suite <code>{esc(suite.name)}</code> {esc(suite.version)} · "
            f"status {esc(results.status)} · {esc(standing)} · score <strong>{esc(score)}</strong></p>",
            "</header><main>",
            _card(sub),
            _recipe(sub),
            _intermediate(sub),
            _protocol(board, sub),
            _scores(sub, suite),
            _throughput(sub),
            _provenance(sub),
            "</main>",
        ]
    )
    return page(f"{card.name} ({suite.title}): leaderboard entry", body, depth=1)


def _rows(pairs: list[tuple[str, str]]) -> str:
    """A two-column fact table; values are already escaped HTML."""
    rows = "".join(f'<tr><th scope="row">{key}</th><td>{value}</td></tr>' for key, value in pairs)
    return f'<table class="facts">{rows}</table>'


def _card(sub: Submission) -> str:
    card = sub.card
    return (
        '<section id="card"><h2>Model card</h2>'
        + _rows(
            [
                ("name", esc(card.name)),
                ("organisation", esc(card.organisation)),
                ("link", link(card.link, card.link)),
                ("parameters", f"{card.parameters:,}"),
                ("base model", esc(card.base_model)),
                ("fine-tuning", esc(card.finetuning)),
                ("translate-train", "yes" if card.translate_train else "no (zero-shot)"),
                ("licence", esc(card.licence)),
                ("contact", link(card.contact, card.contact)),
            ]
        )
        + "</section>"
    )


def _pre(value: object) -> str:
    return f"<pre>{esc(json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False))}</pre>"


def _recipe(sub: Submission) -> str:
    results = sub.results
    run, model = results.run, results.model
    facts = [
        ("fine-tuning", esc(sub.card.finetuning) + (_pre(model.peft) if model.peft else "")),
        ("precision", f"{esc(run.precision)} (weights loaded as {esc(run.dtype)})"),
        ("command", f"<code>{esc(run.command)}</code>"),
        (
            "device",
            esc(", ".join(filter(None, [run.device, run.accelerator, f"{run.processes} process"]))),
        ),
        ("intermediate training", _pre(model.recipe) if model.recipe else "none (no harness-recipe.json)"),
    ]
    columns = [("text", "task"), *(("num", esc(h)) for h in _RECIPE)]
    columns += [("text", "selection"), ("text", "splits"), ("text", "seeds"), ("text", "overrides")]
    rows = []
    for name, task in results.tasks.items():
        hp = task.hyperparameters or {}
        cells = [f'<th scope="row">{esc(name)}</th>']
        cells += [f'<td class="num">{esc(hp[h]) if hp.get(h) is not None else "—"}</td>' for h in _RECIPE]
        cells.append(f"<td>{esc(_fields(task.selection or {}, ', '))}</td>")
        cells.append(f"<td>{esc(_fields(task.splits, '; '))}</td>")
        cells.append(f"<td>{esc(','.join(map(str, task.seeds)))}</td>")
        cells.append(f"<td>{esc(', '.join(f'{k}={v}' for k, v in task.overrides.items()) or 'none')}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    full = "".join(
        f"<details><summary>{esc(name)}: every hyperparameter</summary>{_pre(task.hyperparameters)}</details>"
        for name, task in results.tasks.items()
        if task.hyperparameters
    )
    return (
        f'<section id="recipe"><h2>Recipe</h2>{_rows(facts)}<h3>Fine-tuning per task</h3>'
        f"{table(columns, rows, cls='recipe')}{full}</section>"
    )


def _fields(record: dict[str, Any], sep: str) -> str:
    """A small record as "key value" pairs, lists joined by "+", absent values left out.

    >>> _fields({"train": ["siqa_train", "copa_train"], "dev": None, "test": "test"}, "; ")
    'train siqa_train+copa_train; test test'
    """
    shown = {k: "+".join(map(str, v)) if isinstance(v, list) else v for k, v in record.items()}
    return sep.join(f"{k} {v}" for k, v in shown.items() if v not in (None, "")) or "—"


def _intermediate(sub: Submission) -> str:
    tasks = sub.card.intermediate_tasks
    items = "".join(f"<li>{esc(t.name)}: {esc(t.data)}</li>" for t in tasks)
    none = "<p>None: fine-tuned on the suite's English training data only.</p>"
    listed = f"<ul>{items}</ul>" if tasks else none
    return f'<section id="intermediate"><h2>Intermediate tasks</h2>{listed}</section>'


def _protocol(board: Board, sub: Submission) -> str:
    notes = board.notes.get(sub.name, [])
    said = "".join(f"<li>{esc(n)}</li>" for n in notes) if notes else "<li>The suite's protocol.</li>"
    rows = [
        f"<tr><td>{esc(name)}</td><td>{esc(d.split)}</td><td>{esc(d.language)}</td><td>{esc(d.note)}</td></tr>"
        for name, task in sub.results.tasks.items()
        for d in task.divergences
    ]
    columns = [("text", "task"), ("text", "split"), ("text", "language"), ("text", "difference")]
    divergences = (
        f"<details><summary>{len(rows)} data divergence(s) from the reference's data (docs/data.md)</summary>"
        f"{table(columns, rows, cls='divergences')}</details>"
        if rows
        else "<p>No data divergence recorded.</p>"
    )
    return f'<section id="protocol"><h2>Protocol notes</h2><ul>{said}</ul>{divergences}</section>'


def _scores(sub: Submission, suite: Suite) -> str:
    results = sub.results
    columns = [("text", "task"), ("text", "status"), ("num", "score"), ("text", "averages (95% interval)")]
    columns += [("text", "seeds"), ("text", "selected step (dev)")]
    rows = []
    for name, task in results.tasks.items():
        averages = "; ".join(
            f"{m} {num(v)} ({interval(task.average_spread.get(m))})" for m, v in task.averages.items()
        )
        chosen = "; ".join(
            f"seed {run.seed}: step {run.selected_step if run.selected_step is not None else 'last'}"
            + (f" ({', '.join(f'{k} {num(v)}' for k, v in run.dev.items())})" if run.dev else "")
            for run in task.runs
        )
        rows.append(
            f'<tr><th scope="row">{esc(name)}</th><td>{esc(task.status)}</td>{number_cell(task.score)}'
            f"<td>{esc(averages or '—')}</td><td>{esc(','.join(map(str, task.seeds)))}</td>"
            f"<td>{esc(chosen or '—')}</td></tr>"
        )
    groups = "".join(
        f'<tr><th scope="row">{esc(c)}</th>{number_cell(g.score, missing="incomplete")}</tr>'
        for c, g in results.categories.items()
    )
    overall = number_cell(results.overall.score, missing="incomplete")
    return (
        '<section id="scores"><h2>Scores</h2>'
        f'<table class="facts">{groups}<tr><th scope="row">overall</th>{overall}</tr></table>'
        f"<h3>Tasks, seeds and confidence intervals</h3>{table(columns, rows, cls='tasks')}"
        "<h3>Per language (main metric; hover for the 95% interval)</h3>"
        f"{_heatmap(results.tasks, suite)}</section>"
    )


def _heatmap(tasks: dict[str, TaskResult], suite: Suite) -> str:
    names = [t for t in suite.tasks if t in tasks]
    languages = list(dict.fromkeys(lang for t in names for lang in suite.tasks[t].languages))
    rows = []
    for name in names:
        task, metric = tasks[name], suite.tasks[name].metrics[0]
        cells = []
        for lang in languages:
            if lang not in suite.tasks[name].languages:
                cells.append(f'<td class="na" data-lang="{esc(lang)}"></td>')
                continue
            spread = task.spread.get(lang, {}).get(metric)
            note = f"{metric}; 95% interval {interval(spread)}" if spread and spread.ci95 else metric
            cells.append(heat_cell(task.scores.get(lang, {}).get(metric), lang, note))
        rows.append(f'<tr><th scope="row">{esc(name)} ({esc(metric)})</th>{"".join(cells)}</tr>')
    return table([("text", "task"), *(("num", esc(lang)) for lang in languages)], rows, cls="heatmap")


def _throughput(sub: Submission) -> str:
    rows = speed_rows(sub.results)
    if not rows:
        return '<section id="throughput"><h2>Throughput</h2><p>Not recorded.</p></section>'
    columns = [("text", esc(h)) if i < 2 else ("num", esc(h)) for i, h in enumerate(SPEED_HEADERS)]
    body = [
        f"<tr><td>{esc(r[0])}</td><td>{esc(r[1])}</td>"
        + "".join(f'<td class="num">{esc(c)}</td>' for c in r[2:])
        + "</tr>"
        for r in rows
    ]
    return f'<section id="throughput"><h2>Throughput</h2>{table(columns, body, cls="speed")}</section>'


def _sha256(sub: Submission, name: str) -> str:
    path = sub.folder / name
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "—"


def _code(value: str) -> str:
    return f"<code>{esc(value)}</code>"


def _provenance(sub: Submission) -> str:
    results = sub.results
    env, model = results.environment, results.model
    facts = [
        *((name, _code(_sha256(sub, name))) for name in ("results.json", "model.yaml", "predictions.zip")),
        ("model weights", f"{_code(model.weights_hash)} ({esc(', '.join(model.weight_files))})"),
        ("suite", f"{_code(results.suite.name)} {esc(results.suite.version)} {_code(results.suite.hash)}"),
        ("harness", f"{esc(env.harness)} at commit {_code(env.git_commit or '—')}"),
        ("python, platform", f"{esc(env.python)}, {esc(env.platform)}"),
        ("libraries", esc(", ".join(f"{k} {v}" for k, v in sorted(env.libraries.items())))),
        ("run", f"{esc(results.created_at)} to {esc(results.updated_at)}"),
    ]
    rows = [
        "<tr>"
        + "".join(
            f"<td>{esc(getattr(item, k) if getattr(item, k, None) is not None else '—')}</td>"
            for k in ("task", "split", "language", "dataset", "revision_used", "examples")
        )
        + "</tr>"
        for task in results.tasks.values()
        for item in task.data
    ]
    columns = [("text", c) for c in ("task", "split", "language", "dataset", "revision used")]
    columns.append(("num", "examples"))
    data = (
        f"<details><summary>{len(rows)} data file(s) read, with their revisions</summary>"
        f"{table(columns, rows, cls='data')}</details>"
        if rows
        else ""
    )
    return f'<section id="provenance"><h2>Provenance</h2>{_rows(facts)}{data}</section>'
