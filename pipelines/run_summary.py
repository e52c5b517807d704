"""What one run did, in the words a person acts on: what `impetus` prints after every run.

Built from the run's Dagster events only (no warehouse access, no printing here):

* per domain, the files loaded, unchanged (or kept out, withdrawn) and the rows quarantined by
  rule, from the raw assets' materialization metadata;
* every refused file with its row, column, value, reason and the fix, from the ``LoadError``
  of the failed load step;
* every failed and warned asset check (blocking first) with its top example rows (file, row,
  column, value), from the check's metadata (``pipelines/validation/outcome.py``);
* the steps that failed for another reason, and the ones not run because of a failure;
* a last line with the outcome, ``<job>: succeeded|FAILED, N assets materialized … (run id)``.

:class:`StepProgress` turns the same events, as they happen, into one line per step.
"""

from __future__ import annotations

import ast
import re
import socket
import textwrap
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import dagster as dg

from pipelines.terminal import printable

EXAMPLES_PER_CHECK = 5  # example rows shown per check; the rest are counted
PROBLEMS_PER_FILE = 5  # problems shown per refused file; the rest are counted
LINE_WIDTH = 110  # an example row wraps here ...
EXAMPLE_LINES = 2  # ... onto at most this many lines
VALUE_WIDTH = 40  # a long text value in an example row is cut here

LOAD_ERROR = "LoadError"
# What SIGINT/SIGTERM leaves in a step's error chain: Dagster's own error, or, when the signal
# arrived inside a DuckDB statement or plain Python, DuckDB's interrupt or KeyboardInterrupt.
INTERRUPTED = frozenset(
    {"DagsterExecutionInterruptedError", "InterruptException", "KeyboardInterrupt"}
)
_LOAD_HEADER = re.compile(r"load refused, (?P<total>\d+) problem")
_QUOTED = r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""
# How pipelines.warehouse.loads.Problem reads: "file, row 3, column 'c', value 'v': reason".
_PROBLEM = re.compile(
    rf"^(?P<file>.+?)(?:, row (?P<row>\d+))?(?:, column (?P<column>{_QUOTED}))?"
    rf"(?:, value (?P<value>{_QUOTED}))?: (?P<reason>.*)$"
)
# Advice a reader's message already gives ("… (re-save a GBK export as UTF-8)", "Add a line …").
_ADVICE = re.compile(
    r"(?:^|[(;.:]\s*)(?P<advice>(?:add|re-save|open it|put this|save it|rename|use) .*)",
    re.IGNORECASE,
)
# Fixes for the refusals whose message says none, by a phrase of the reason.
_FIXES = (
    ("empty file", "the file is empty: copy or export it again, or remove it"),
    (
        "truncated",
        "the file is cut off or has a row with the wrong number of fields: copy or export it again",
    ),
    (
        "malformed",
        "the file is cut off or has a row with the wrong number of fields: copy or export it again",
    ),
    (
        "required column missing",
        "add the column {column} to the header (the contract: data/reference/micro_columns.csv)",
    ),
    ("appears twice", "rename or remove one of the two columns {column}"),
    ("expected one of", "rename the column to one of the names listed"),
    ("cannot decrypt", "open it in Excel, enter the password and save it without one"),
    ("cannot open", "the file is damaged or not what its suffix says: export it again"),
    ("cannot read", "the file is damaged or not what its suffix says: export it again"),
    ("cannot decode", "save the file as UTF-8 (or as the NBS export it came as) and load it again"),
    (
        "metric",
        "name the metric in the file (指标：…) or map the file name in"
        " data/reference/nbs_file_metrics.csv",
    ),
)
_DEFAULT_FIX = "correct the file, or move it out of the source folders, and run again"
_NEVER_BUILT = "does not exist"


# --- what a run did ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RefusedProblem:
    """One problem of a refused file, as the load named it."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str

    @property
    def fix(self) -> str:
        advice = _ADVICE.search(self.reason)
        if advice:
            return _balanced(advice["advice"]).rstrip(" .;")
        lowered = self.reason.lower()
        for phrase, fix in _FIXES:
            if phrase in lowered:
                return fix.replace("{column}", repr(self.column) if self.column else "").strip()
        return _DEFAULT_FIX

    @property
    def where(self) -> str:
        parts = []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        if self.value is not None:
            parts.append(f"value {self.value!r}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Refusal:
    """A load refused (one transaction: nothing of the domain was loaded)."""

    domain: str
    problems: list[RefusedProblem]
    total: int  # problems in all, the message lists at most ten


@dataclass(frozen=True)
class DomainLoad:
    """What one raw asset's load did."""

    domain: str
    files: dict[str, int]  # status (loaded, unchanged, kept_out, withdrawn, …) -> files
    rows_loaded: int = 0
    rows_quarantined: int = 0
    quarantined_by_rule: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # path -> why it was not read


@dataclass(frozen=True)
class Finding:
    """One failed expectation (or the whole result of a check that is not a GX suite)."""

    description: str
    count: int | None
    column: str | None = None
    examples: list[Any] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class CheckResult:
    asset: str
    check: str
    passed: bool
    severity: str  # "ERROR" or "WARN"
    blocking: bool
    findings: list[Finding] = field(default_factory=list)

    @property
    def kind(self) -> str:
        if self.passed:
            return "passed"
        if self.severity == "WARN":
            return "warned"
        return "blocking" if self.blocking else "failed"


@dataclass(frozen=True)
class StepFailure:
    step: str
    message: str


@dataclass
class RunFacts:
    job: str
    run_id: str
    success: bool
    materialized: list[str] = field(default_factory=list)
    loads: list[DomainLoad] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    failures: list[StepFailure] = field(default_factory=list)  # other than refusals and checks
    not_run: list[str] = field(default_factory=list)
    checks_planned: int | None = None  # checks the run was to evaluate
    seconds: float | None = None
    interrupted: bool = False  # SIGINT/SIGTERM stopped it: nothing else went wrong


# --- from Dagster events ----------------------------------------------------------------------


def facts_from_result(result: dg.ExecuteInProcessResult, seconds: float | None = None) -> RunFacts:
    return facts_from_events(
        result.all_events,
        result.job_def.name,
        result.run_id,
        result.success,
        seconds,
        planned=planned_assets(result.job_def),
        checks_planned=len(result.job_def.asset_layer.asset_graph.asset_check_keys),
    )


def planned_assets(job: dg.JobDefinition) -> list[str]:
    """The assets a run of ``job`` builds, upstream first."""
    selected = job.asset_layer.selected_asset_keys
    ordered = job.asset_layer.asset_graph.toposorted_asset_keys
    return [key.to_user_string() for key in ordered if key in selected]


def facts_from_events(
    events: Iterable[dg.DagsterEvent],
    job: str,
    run_id: str,
    success: bool,
    seconds: float | None = None,
    planned: Sequence[str] = (),
    checks_planned: int | None = None,
) -> RunFacts:
    """``planned``: the assets the run was to build; those it did not are listed as not run
    (Dagster logs the steps it skips after a failure, it sends no event for them)."""
    facts = RunFacts(
        job=job, run_id=run_id, success=success, seconds=seconds, checks_planned=checks_planned
    )
    failed_steps: set[str] = set()
    for event in events:
        kind = event.event_type
        if kind == dg.DagsterEventType.ASSET_MATERIALIZATION:
            key = event.asset_key
            facts.materialized.append(key.to_user_string())
            metadata = event.event_specific_data.materialization.metadata
            if key.path[0] == "raw" and len(key.path) == 2:
                facts.loads.append(load_from_metadata(key.path[1], metadata))
        elif kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            facts.checks.append(check_from_evaluation(event.event_specific_data))
        elif kind == dg.DagsterEventType.STEP_FAILURE:
            error = _failure_error(event)
            step = step_label(event.step_key)
            failed_steps.add(step)
            refusal = refusal_from_error(event.step_key, error)
            if _was_interrupted(error):
                facts.interrupted = True  # said once, in the outcome line
            elif refusal is not None:
                facts.refusals.append(refusal)
            elif not _is_check_failure(error):
                facts.failures.append(StepFailure(step, error_summary(error)))
    built = set(facts.materialized)
    facts.not_run = [key for key in planned if key not in built and key not in failed_steps]
    return facts


def _failure_error(event: dg.DagsterEvent) -> Any:
    """The error a STEP_FAILURE event carries (a ``SerializableErrorInfo``), else None."""
    if event.event_type != dg.DagsterEventType.STEP_FAILURE:
        return None
    data = event.event_specific_data
    return getattr(data, "error", None)


def step_label(step_key: str | None) -> str:
    """``raw__province_year`` -> ``raw/province_year`` (asset steps are named after the key)."""
    return (step_key or "run").replace("__", "/")


def load_from_metadata(domain: str, metadata: Mapping[str, Any]) -> DomainLoad:
    """A raw asset's materialization metadata (``pipelines/defs/table_metadata.py``)."""
    values = {name: _plain(value) for name, value in metadata.items()}
    per_file = values.get("files") or {}
    statuses: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    if isinstance(per_file, dict) and per_file:
        for report in per_file.values():
            statuses[report.get("status", "?")] += 1
            if report.get("status") == "loaded":
                rules.update(report.get("quarantine_reasons") or {})
    else:
        for name, value in values.items():
            if name.startswith("files_") and isinstance(value, int) and value:
                statuses[name.removeprefix("files_")] = value
    return DomainLoad(
        domain=domain,
        files=dict(statuses),
        rows_loaded=int(values.get("rows_loaded") or 0),
        rows_quarantined=int(values.get("rows_quarantined") or 0),
        quarantined_by_rule=dict(rules.most_common()),
        skipped=dict(values.get("files_skipped") or {}),
    )


def check_from_evaluation(evaluation: dg.AssetCheckEvaluation) -> CheckResult:
    return check_from_parts(
        asset=evaluation.asset_key.to_user_string(),
        check=evaluation.check_name,
        passed=evaluation.passed,
        severity=evaluation.severity.value,
        blocking=bool(evaluation.blocking),
        metadata=evaluation.metadata,
        description=evaluation.description,
    )


def check_from_parts(
    asset: str,
    check: str,
    passed: bool,
    severity: str,
    blocking: bool,
    metadata: Mapping[str, Any],
    description: str | None = None,
) -> CheckResult:
    """A check's result from its metadata: the GX suites' ``failures`` (one entry per failed
    expectation, ``pipelines/validation/outcome.py``), else its ``examples`` and counts."""
    values = {name: _plain(value) for name, value in metadata.items()}
    findings: list[Finding] = []
    if not passed:
        failures = values.get("failures")
        if isinstance(failures, list):
            findings = [
                Finding(
                    description=_readable(
                        str(entry.get("description") or ""), entry.get("expectation_type")
                    ),
                    count=entry.get("unexpected_count"),
                    column=entry.get("column"),
                    examples=list(entry.get("examples") or []),
                    error=entry.get("error"),
                )
                for entry in failures
            ]
        else:
            counts = ", ".join(
                f"{name} {value}"
                for name, value in values.items()
                if isinstance(value, int) and not isinstance(value, bool) and value
            )
            examples = next((v for v in values.values() if isinstance(v, list) and v), [])
            findings = [
                Finding(
                    description=counts or (description or "failed"),
                    count=None,
                    examples=list(examples),
                )
            ]
    return CheckResult(asset, check, passed, severity, blocking, findings)


_GX_CONDITION = re.compile(
    r"row_condition=\{'column': \{'name': '(?P<column>[^']+)'\}, 'operator': '(?P<op>[^']+)',"
    r" 'parameter': (?P<value>.+?), 'type': '[a-z_]+'\}"
)


def _readable(description: str, expectation_type: str | None) -> str:
    """A suite's own check name as it is; GX's generated one (``row_condition={…},
    min_value=0.0, …``) as the expectation's words and its arguments, shortened."""
    if not expectation_type or (description and "=" not in description):
        return description or "failed"
    words = expectation_type.removeprefix("expect_").replace("_", " ")
    if not description:
        return words
    arguments = _GX_CONDITION.sub(
        lambda m: f"where {m['column']} {m['op'].lower()} {m['value']}", description
    )
    return f"{words} ({_cut(arguments, 90)})"


def refusal_from_error(step_key: str | None, error: Any) -> Refusal | None:
    """The ``LoadError`` a raw asset's step failed with, read back from its message."""
    load_error = next((e for e in _error_chain(error) if e.cls_name == LOAD_ERROR), None)
    if load_error is None:
        return None
    problems, total = parse_load_error(_own_message(load_error))
    label = step_label(step_key)
    domain = label.split("/", 1)[1] if label.startswith("raw/") else label
    return Refusal(domain=domain, problems=problems, total=total)


def parse_load_error(message: str) -> tuple[list[RefusedProblem], int]:
    """``load refused, N problem(s); …:`` then one ``file, row r, column 'c', value 'v':
    reason`` a line (``pipelines.warehouse.loads.LoadError``)."""
    lines = message.strip().splitlines()
    header = _LOAD_HEADER.search(lines[0]) if lines else None
    problems = []
    for line in lines[1:]:
        text = line.strip()
        if not text or text.startswith("…"):
            continue
        problems.append(_problem(text))
    total = int(header["total"]) if header else len(problems)
    return problems, max(total, len(problems))


def _problem(text: str) -> RefusedProblem:
    found = _PROBLEM.match(text)
    if found is None:
        return RefusedProblem(file="?", row=None, column=None, value=None, reason=text)
    return RefusedProblem(
        file=found["file"],
        row=int(found["row"]) if found["row"] else None,
        column=_unquote(found["column"]),
        value=_unquote(found["value"]),
        reason=found["reason"],
    )


def _unquote(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return str(ast.literal_eval(text))
    except (ValueError, SyntaxError):
        return text.strip("'\"")


def _error_chain(error: Any) -> list[Any]:
    chain = []
    while error is not None and len(chain) < 20:
        chain.append(error)
        error = getattr(error, "cause", None) or getattr(error, "context", None)
    return chain


def _was_interrupted(error: Any) -> bool:
    return any(getattr(e, "cls_name", None) in INTERRUPTED for e in _error_chain(error))


def _own_message(error: Any) -> str:
    """The exception's own text, without the ``module.Class: `` prefix Dagster keeps."""
    message = (getattr(error, "message", "") or "").strip()
    cls_name = getattr(error, "cls_name", "") or ""
    return re.sub(rf"^[\w.]*{re.escape(cls_name)}: ", "", message) if cls_name else message


def _is_check_failure(error: Any) -> bool:
    return any(
        (e.cls_name or "") == "DagsterAssetCheckFailedError"
        or "blocking asset check" in (e.message or "")
        for e in _error_chain(error)
    )


def error_summary(error: Any) -> str:
    """The first line of the innermost error the code raised (not Dagster's wrapper); a full
    disk or a read-only folder as :func:`storage_failure` words it."""
    chain = _error_chain(error)
    if not chain:
        return "failed"
    own = [e for e in chain if not (e.cls_name or "").startswith("Dagster")]
    chosen = own[0] if own else chain[0]
    for link in chain:
        if storage := storage_failure(_own_message(link)):
            return storage
    first = _own_message(chosen).splitlines()
    return first[0] if first else chosen.cls_name or "failed"


# What the operating system said, as DuckDB passes it on (IOException, TransactionException).
_STORAGE_CAUSES = (
    ("No space left on device", "no space left on device (the disk is full)"),
    ("Disk quota exceeded", "disk quota exceeded"),
    ("Read-only file system", "read-only file system"),
)
_QUOTED_PATH = re.compile(r'"(?P<path>/[^"]+)"|\'(?P<quoted>/[^\']+)\'')


def storage_failure(message: str) -> str | None:
    """One line for an error that is the disk's, not the data's: ``cannot write <path>: no
    space left on device (the disk is full); free space there or move the warehouse
    (IMPETUS_WAREHOUSE)``. None for any other error."""
    cause = next((words for said, words in _STORAGE_CAUSES if said in message), None)
    if cause is None:
        return None
    found = _QUOTED_PATH.search(message)
    path = (found["path"] or found["quoted"]) if found else "the warehouse"
    advice = (
        "free space there or move the warehouse (IMPETUS_WAREHOUSE)"
        if "space" in cause or "quota" in cause
        else "make the folder writable or move the warehouse (IMPETUS_WAREHOUSE)"
    )
    return f"cannot write {path}: {cause}; {advice}; the step's open transaction was rolled back"


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, dg.MetadataValue) else value


def _balanced(text: str) -> str:
    """Drop a closing parenthesis the advice has no opening one for: "(re-save …)"."""
    depth, out = 0, []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                break
            depth -= 1
        out.append(char)
    return "".join(out)


# --- progress, one line per step --------------------------------------------------------------


class StepProgress:
    """Feed it the run's events as they happen; it returns a line when a step ends:
    ``  ✓ raw/province_year  2.1 s`` or ``  ✗ checks of staging/…: blocking check failed``."""

    def __init__(self) -> None:
        self._started: dict[str, float] = {}
        self._assets: dict[str, list[str]] = defaultdict(list)
        self._checks: dict[str, list[CheckResult]] = defaultdict(list)

    def on_event(self, event: dg.DagsterEvent, timestamp: float) -> str | None:
        step = event.step_key
        kind = event.event_type
        if step is None:
            return None
        if kind == dg.DagsterEventType.STEP_START:
            self._started[step] = timestamp
        elif kind == dg.DagsterEventType.ASSET_MATERIALIZATION:
            self._assets[step].append(event.asset_key.to_user_string())
        elif kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            self._checks[step].append(check_from_evaluation(event.event_specific_data))
        elif kind in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
            seconds = timestamp - self._started.get(step, timestamp)
            error = _failure_error(event)
            return self.line(step, kind == dg.DagsterEventType.STEP_SUCCESS, seconds, error)
        return None

    def line(self, step: str, ok: bool, seconds: float, error: Any = None) -> str:
        checks = self._checks.get(step, [])
        assets = self._assets.get(step, [])
        if assets:
            label = ", ".join(assets)
        elif len(checks) == 1:
            label = f"check {checks[0].asset} {checks[0].check}"
        elif checks:
            label = "checks of " + ", ".join(dict.fromkeys(c.asset for c in checks))
        else:
            label = step_label(step)
        kinds = Counter(check.kind for check in checks)
        if not ok:
            if _was_interrupted(error):
                note = "interrupted (SIGINT/SIGTERM); what it had not committed was rolled back"
                label = step_label(step)
            elif kinds["blocking"] or _is_check_failure(error):
                note = "blocking check failed"
            elif refusal := refusal_from_error(step, error):
                files = len({p.file for p in refusal.problems})
                note = f"load refused ({files} file{'s' if files != 1 else ''}; see below)"
            else:
                note = _cut(error_summary(error), 100)
            return printable(f"  ✗ {label}: {note}")
        notes = [
            f"{kinds[k]} {word}"
            for k, word in (("failed", "failed"), ("warned", "warned"))
            if kinds[k]
        ]
        mark = "!" if notes else "✓"
        tail = f"  ({', '.join(notes)})" if notes else ""
        return f"  {mark} {label}  {seconds:.1f} s{tail}"

    def waiting(self, step: str, pool: str, holders: Sequence[Any]) -> str:
        """``  … raw/patents: waiting for pool duckdb_warehouse, held by run <id> (<job>, step
        <step>, pid <pid>)``: what a step waits for, and on which run (``pipelines.runs``'
        ``SlotHolder``s; none when the slot is free and other steps are queued first)."""
        head = f"  … {step_label(step)}: waiting for pool {pool}"
        if not holders:
            return f"{head} (other steps are queued for it first)"
        return f"{head}, held by " + "; ".join(_holder(holder) for holder in holders)

    def released(self, run: Any) -> str:
        """A dead run (``pipelines.runs.DeadRun``) whose slots were freed."""
        steps = f", step {', '.join(run.steps)}" if run.steps else ""
        pid = f", pid {run.pid}" if run.pid is not None else ""
        if run.marked_failed:
            why = "its process is gone: marked failed, its pool slots freed"
        else:
            why = f"it had ended ({run.status}) without freeing its pool slots: freed"
        return f"  ! run {run.run_id} ({run.job}{steps}{pid}): {why}"


def _holder(holder: Any) -> str:
    where = f", pid {holder.pid}" if holder.pid is not None else ""
    if holder.host and holder.host != socket.gethostname():
        where += f" on {holder.host}"
    launched = ", launched by the daemon or the UI" if holder.launched else ""
    return f"run {holder.run_id} ({holder.job}, step {holder.step}{where}{launched})"


# --- the text ---------------------------------------------------------------------------------


def render(facts: RunFacts, published: str | None = None) -> str:
    """The summary printed after a run; its last line is the outcome."""
    out: list[str] = []
    _files_section(facts, out)
    _refusals_section(facts, out)
    _checks_section(facts, out)
    _failures_section(facts, out)
    if published and "published_copy" in facts.materialized:
        out.append(f"Published copy for queries: {published}")
    out.append(outcome_line(facts))
    return printable("\n".join(out))


def summarize(
    result: dg.ExecuteInProcessResult, seconds: float | None = None, published: str | None = None
) -> str:
    return render(facts_from_result(result, seconds), published)


def _files_section(facts: RunFacts, out: list[str]) -> None:
    refused = {refusal.domain for refusal in facts.refusals}
    if not facts.loads and not refused:
        return
    out.append("Files")
    width = max(len(d) for d in [*(load.domain for load in facts.loads), *refused]) + 2
    for load in facts.loads:
        counts = (
            ", ".join(
                f"{count} {status.replace('_', ' ')}" for status, count in _ordered(load.files)
            )
            or "no files"
        )
        if load.skipped:
            counts += f", {len(load.skipped)} not read yet"
        rows = ""
        if load.files.get("loaded"):
            rows = f"; {_n(load.rows_loaded, 'row')} loaded, {load.rows_quarantined:,} quarantined"
        out.append(f"  {load.domain:<{width}}{counts}{rows}")
    for domain in sorted(refused - {load.domain for load in facts.loads}):
        out.append(
            f"  {domain:<{width}}refused: nothing of {domain} was loaded (one transaction;"
            " the warehouse is as it was)"
        )
    skipped = [
        (load.domain, path, why) for load in facts.loads for path, why in load.skipped.items()
    ]
    if skipped:
        out.append("Files not read (a file still being written is read by a later run)")
        for domain, path, why in skipped:
            out.extend(_wrapped(f"{domain}: {path}: {why}", "  "))
    quarantined = [load for load in facts.loads if load.quarantined_by_rule]
    if quarantined:
        out.append("Rows quarantined, by rule (quarantine.<domain>; the rest of each file loaded)")
        for load in quarantined:
            rules = ", ".join(f"{rule} {n:,}" for rule, n in load.quarantined_by_rule.items())
            out.append(f"  {load.domain:<{width}}{rules}")


def _ordered(statuses: Mapping[str, int]) -> list[tuple[str, int]]:
    order = ["loaded", "unchanged", "kept_out", "withdrawn"]
    known = [(s, statuses[s]) for s in order if statuses.get(s)]
    return known + sorted((s, n) for s, n in statuses.items() if s not in order and n)


def _refusals_section(facts: RunFacts, out: list[str]) -> None:
    if not facts.refusals:
        return
    out.append("Refused files (fix each one; nothing of its domain was loaded)")
    for refusal in facts.refusals:
        by_file: dict[str, list[RefusedProblem]] = defaultdict(list)
        for problem in refusal.problems:
            by_file[problem.file].append(problem)
        for file, problems in by_file.items():
            out.append(f"  {file}")
            for problem in problems[:PROBLEMS_PER_FILE]:
                where = f"{problem.where}: " if problem.where else ""
                out.append(f"    {where}{problem.reason}")
                out.append(f"      fix: {problem.fix}")
            if len(problems) > PROBLEMS_PER_FILE:
                out.append(f"    … and {len(problems) - PROBLEMS_PER_FILE} more problems")
        unnamed = refusal.total - len(refusal.problems)
        if unnamed > 0:
            out.append(f"  … and {unnamed} more problems in {refusal.domain}")


def _checks_section(facts: RunFacts, out: list[str]) -> None:
    order = {"blocking": 0, "failed": 1, "warned": 2}
    # blocking first; otherwise in the order the run checked them (upstream first)
    flagged = sorted(
        (check for check in facts.checks if not check.passed), key=lambda c: order[c.kind]
    )
    blocking = [check for check in flagged if check.kind == "blocking"]
    failed = [check for check in flagged if check.kind == "failed"]
    warned = [check for check in flagged if check.kind == "warned"]
    if blocking:
        out.append("Blocking checks failed (what is built from their tables was not built)")
        for check in blocking:
            _check_lines(check, "✗", out)
        if blocking:
            out.append(
                "  fix: correct the rows named above in their files and run again, or take the file"
                " out: remove it from data/landing/ or `impetus unload FILE`; until then the"
                " marts and the published copy stay as they were"
            )
    if failed:
        out.append("Checks failed, not blocking (e.g. data late by the release calendar)")
        for check in failed:
            _check_lines(check, "✗", out)
    if warned:
        out.append("Warnings (nothing was stopped; read them)")
        for check in warned:
            _check_lines(check, "!", out)
    if facts.checks or facts.checks_planned:
        kinds = Counter(check.kind for check in facts.checks)
        parts = [f"{kinds['passed']} passed"]
        parts += [f"{kinds[k]} {k}" for k in ("blocking", "failed", "warned") if kinds[k]]
        if facts.checks_planned and facts.checks_planned > len(facts.checks):
            parts.append(f"{facts.checks_planned - len(facts.checks)} not run")
        out.append("Checks: " + ", ".join(parts).replace("blocking", "failed (blocking)"))


def _check_lines(check: CheckResult, mark: str, out: list[str]) -> None:
    blocking = " (blocking)" if check.kind == "blocking" else ""
    findings = check.findings or [Finding(description="failed", count=None)]
    if len(findings) == 1:
        out.append(f"  {mark} {check.asset} {check.check}{blocking}: {_finding_head(findings[0])}")
        heads = [None]
    else:
        out.append(f"  {mark} {check.asset} {check.check}{blocking}: {len(findings)} failed")
        heads = [_finding_head(finding) for finding in findings]
    shown = _share(findings, EXAMPLES_PER_CHECK)
    for finding, head, take in zip(findings, heads, shown, strict=True):
        indent = "      "
        if head is not None:
            out.append(f"      {head}")
            indent = "        "
        if finding.error:
            out.append(f"{indent}GX could not evaluate it: {_cut(finding.error, 120)}")
        for example in finding.examples[:take]:
            out.extend(_wrapped(format_example(example, finding.column), indent))
            out.extend(_fix_lines(example, indent))
        total = finding.count if isinstance(finding.count, int) else len(finding.examples)
        if total > take and (take or finding.examples):
            out.append(f"{indent}… and {total - take:,} more")


# Example columns that are instructions to the user: printed whole, on their own line, so the
# line to paste is not cut (the uncatalogued-metric check gives the metrics.csv line).
FIX_COLUMNS = {"metrics_csv_line": "add to data/reference/metrics.csv:"}


def _fix_lines(example: Any, indent: str) -> list[str]:
    if not isinstance(example, dict):
        return []
    return [
        f"{indent}  {label} {example[column]}"
        for column, label in FIX_COLUMNS.items()
        if example.get(column)
    ]


def _finding_head(finding: Finding) -> str:
    column = f" [{finding.column}]" if finding.column else ""
    if finding.count is None:
        return f"{finding.description}{column}"
    rows = "row" if finding.count == 1 else "rows"
    return f"{finding.description}{column}: {finding.count:,} {rows}"


def _share(findings: Sequence[Finding], budget: int) -> list[int]:
    """Example rows shown per finding: ``budget`` in all, round-robin, so each gets one first."""
    taken = [0] * len(findings)
    while budget > 0:
        progressed = False
        for i, finding in enumerate(findings):
            if budget and taken[i] < len(finding.examples):
                taken[i] += 1
                budget -= 1
                progressed = True
        if not progressed:
            break
    return taken


def format_example(example: Any, column: str | None = None) -> str:
    """``file row 7: value = 12.5, province_code=210000, …``: where first, then what."""
    if not isinstance(example, dict):
        return ", ".join(map(str, example)) if isinstance(example, list | tuple) else str(example)
    rest = {name: value for name, value in example.items() if name not in FIX_COLUMNS}
    file = rest.pop("source_file", None)
    row = rest.pop("source_row", None)
    parts = []
    for name in [c.strip() for c in (column or "").replace(">=", ",").split(",") if c.strip()]:
        if name in rest:
            parts.append(f"{name} = {_value(rest.pop(name))}")
    parts += [f"{name}={_value(value)}" for name, value in rest.items()]
    where = " ".join(str(p) for p in (file, f"row {row}" if row is not None else None) if p)
    return f"{where}: {', '.join(parts)}" if where else ", ".join(parts)


def _value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return _cut(printable(str(value)), VALUE_WIDTH)


def _wrapped(text: str, indent: str) -> list[str]:
    lines = textwrap.wrap(
        text,
        width=LINE_WIDTH,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_on_hyphens=False,
        max_lines=EXAMPLE_LINES,
        placeholder=" …",
    )
    return lines or [indent]


def _failures_section(facts: RunFacts, out: list[str]) -> None:
    for failure in facts.failures:
        out.append(f"Step failed: {failure.step}: {failure.message}")
        if _NEVER_BUILT in failure.message:
            out.append(
                "  a table it reads was never built: run `impetus materialize` (every domain)"
                " once, then this again"
            )
    if facts.not_run:
        names = ", ".join(facts.not_run)
        why = "the run was stopped" if facts.interrupted else "a step before them failed"
        out.append(f"Not run because {why} ({len(facts.not_run)}): " + _cut(names, 400))


def outcome_line(facts: RunFacts) -> str:
    assets = len(dict.fromkeys(facts.materialized))
    took = f" in {facts.seconds:.0f} s" if facts.seconds is not None else ""
    kinds = Counter(check.kind for check in facts.checks)
    parts = [f"{_n(assets, 'asset')} materialized{took}"]
    if facts.refusals:
        files = len({p.file for r in facts.refusals for p in r.problems}) or len(facts.refusals)
        parts.append(f"{_n(files, 'file')} refused")
    if kinds["blocking"] or kinds["failed"]:
        parts.append(f"{_n(kinds['blocking'] + kinds['failed'], 'check')} failed")
    if kinds["warned"]:
        parts.append(f"{_n(kinds['warned'], 'check')} warned")
    if facts.failures:
        parts.append(f"{_n(len(facts.failures), 'step')} failed")
    if not facts.success:
        parts.append("nothing published" if "published_copy" not in facts.materialized else "")
        if facts.failures:
            parts.append("--verbose shows the traceback")
    if facts.interrupted:
        status = "STOPPED by SIGINT/SIGTERM"
    else:
        status = "succeeded" if facts.success else "FAILED"
    return f"{facts.job}: {status}, {', '.join(p for p in parts if p)} (run {facts.run_id})"


def _n(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _cut(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"
