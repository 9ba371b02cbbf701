"""Fuzz ``load_run`` with mutated real payloads (Hypothesis).

Each input starts from a real payload (``make_run`` or a file of ``tests/data``) and gets a
few mutations: a value of another type anywhere (NaN, infinity and huge numbers included),
nesting thousands of levels deep anywhere, a task wrapped in lists, lone surrogates, control
characters and BOMs inside strings, a duplicated key, a BOM before the text, bytes that are not
UTF-8; it is then given as a dict, JSON text, bytes or a file. Whatever happens, ``load_run``
returns a :class:`Run` holding every task of the input that can be read as one (an object
with a readable ``task_id``: text, or a finite number; other ``task_id`` values are kept as
NA), or raises a documented error: :class:`SchemaError` when no task can be read at all,
:class:`ApiError` for a saved error answer. A JSON text cut short loads or is a
:class:`SchemaError`. Every table can be written as UTF-8 and problem messages stay short.

The oracle (:func:`expected_tasks`) reads the mutated payload by the documented rules, not by
the loader's code. ``FUZZ_EXAMPLES`` sets the number of inputs per property (a long run by
hand: ``FUZZ_EXAMPLES=20000 pytest tests/test_fuzz.py``).
"""

from __future__ import annotations

import copy
import json
import math
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.datasets import make_run
from analytics.errors import ApiError, SchemaError
from analytics.load import Run, load_run
from analytics.load.parse import valid_text
from analytics.load.sources import MAX_NESTING, parse_json
from analytics.schema import NULL_LITERALS

DATA = Path(__file__).parent / "data"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

BASES = [
    make_run(3, random_state=1),
    make_run(5, random_state=7),
    {"data": [json.loads(p.read_text()) for p in sorted(DATA.glob("task_*.json"))]},
    [json.loads(p.read_text()) for p in sorted(DATA.glob("task_*.json"))],
    *(json.loads(p.read_text()) for p in sorted(DATA.glob("answer_*.json"))),
]


@dataclass(frozen=True)
class Deep:
    """A value nested ``depth`` levels deep (lists or objects), built late: JSON text for
    the text forms, Python objects (without recursion) for the dict form."""

    depth: int
    kind: str

    def text(self) -> str:
        if self.kind == "list":
            return "[" * self.depth + "]" * self.depth
        return '{"a":' * (self.depth - 1) + "{}" + "}" * (self.depth - 1)

    def value(self) -> Any:
        value: Any = [] if self.kind == "list" else {}
        for _ in range(self.depth - 1):
            value = [value] if self.kind == "list" else {"a": value}
        return value

    def step(self) -> Any:
        """One level down: what the outermost container holds."""
        inner = Deep(self.depth - 1, self.kind) if self.depth > 1 else None
        if self.kind == "list":
            return [inner] if inner else []
        return {"a": inner} if inner else {}


@dataclass(frozen=True)
class Twice:
    """A key written twice in the JSON text: first ``first``, then ``then`` (which wins, as
    both msgspec and Python's reader keep the last)."""

    first: Any
    then: Any


def effective(node: Any) -> Any:
    """What a reader sees at this node: the later of a duplicated key, one level of a Deep."""
    while isinstance(node, (Twice, Deep)):
        node = node.then if isinstance(node, Twice) else node.step()
    return node


# --- values -----------------------------------------------------------------------------------

odd_char = st.one_of(
    st.characters(),
    st.characters(categories=["Cs"]),  # lone surrogates
    st.sampled_from('\x00\x01\x1f\x7f\u2028\u2029\ufeff\ufffd\U0001f600"\\{['),
)
odd_text = st.text(odd_char, max_size=12)
number = st.one_of(
    st.integers(-(10**6), 10**6),
    st.integers(2**53, 2**300),
    st.floats(),
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, 0.0, -0.0, 10**400]),
)
long_text = st.sampled_from(["x" * 5_000, "/" * 300, ".", "", " [", "{", "\ufeff["])
scalar = st.one_of(st.none(), st.booleans(), number, odd_text, long_text)
json_value = st.recursive(
    scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(odd_text, inner, max_size=3),
    max_leaves=6,
)


# --- mutations --------------------------------------------------------------------------------


def paths(root: Any) -> list[tuple]:
    """Every path into ``root``'s lists and objects (without recursion), shortest first."""
    found, todo = [], [((), root)]
    while todo:
        path, node = todo.pop()
        found.append(path)
        if isinstance(node, dict):
            todo += [((*path, k), v) for k, v in node.items()]
        elif isinstance(node, list):
            todo += [((*path, i), v) for i, v in enumerate(node)]
    return sorted(found, key=len)


def get(root: Any, path: tuple) -> Any:
    for key in path:
        root = root[key]
    return root


def put(root: Any, path: tuple, value: Any) -> Any:
    """``root`` with the value at ``path`` replaced (``value`` itself when ``path`` is ``()``)."""
    if not path:
        return value
    get(root, path[:-1])[path[-1]] = value
    return root


def draw_path(payload: Any, draw, *, texts: bool) -> tuple:
    """A random path: the root only now and then; a text's path when ``texts`` (if any)."""
    where = paths(payload)
    strings = [p for p in where if isinstance(get(payload, p), str)] if texts else []
    if strings:
        return draw(st.sampled_from(strings))
    if draw(st.integers(0, 24)) == 0:
        return ()
    return draw(st.sampled_from(where[1:] or where))


def inserted(value: Any, draw, extra: str) -> Any:
    """``extra`` inserted at a random place of ``value`` when it is a text."""
    if not isinstance(value, str):
        return value
    at = draw(st.integers(0, len(value)))
    return value[:at] + extra + value[at:]


def wrapped(value: Any, draw) -> Any:
    for _ in range(draw(st.integers(1, 40))):
        value = [value]
    return value


def mutate(payload: Any, draw, form: str) -> Any:
    """One to four random mutations of ``payload`` (which is changed in place)."""
    kinds = ["swap", "swap", "deep", "wrap", "text", "surrogate", "twice"]
    kinds += ["bad_byte"] if form in ("bytes", "file") else []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(kinds))
        path = draw_path(payload, draw, texts=kind in ("text", "surrogate", "bad_byte"))
        old = get(payload, path)
        if kind == "surrogate":
            new = inserted(old, draw, draw(st.characters(categories=["Cs"])))
        elif kind == "swap":
            new = draw(json_value)
        elif kind == "deep":
            new = Deep(draw(st.integers(2, 3_000)), draw(st.sampled_from(["list", "object"])))
        elif kind == "wrap":
            new = wrapped(old, draw)
        elif kind == "text":
            new = inserted(old, draw, draw(odd_text))
        elif kind == "bad_byte":
            new = inserted(old, draw, "\ue000")  # written as the byte 0xff: not UTF-8
        else:
            new = Twice(old, draw(json_value)) if path and isinstance(path[-1], str) else old
        payload = put(payload, path, new)
    return payload


# --- rendering --------------------------------------------------------------------------------


def python_value(node: Any) -> Any:
    """The payload as a Python source: each Deep built, each duplicated key its later value."""
    if isinstance(node, Deep):
        return node.value()
    if isinstance(node, Twice):
        return python_value(node.then)
    if isinstance(node, list):
        return [python_value(v) for v in node]
    if isinstance(node, dict):
        return {k: python_value(v) for k, v in node.items()}
    return node


def json_text(node: Any, *, ascii_only: bool) -> str:
    """The payload as JSON text: each Deep as deep text, a duplicated key written twice,
    NaN and infinity as Python writes them."""
    if isinstance(node, Deep):
        return node.text()
    if isinstance(node, list):
        return "[" + ", ".join(json_text(v, ascii_only=ascii_only) for v in node) + "]"
    if isinstance(node, dict):
        items = []
        for key, value in node.items():
            name = json.dumps(key, ensure_ascii=ascii_only)
            if isinstance(value, Twice):
                items.append(f"{name}: {json_text(value.first, ascii_only=ascii_only)}")
                value = value.then
            items.append(f"{name}: {json_text(value, ascii_only=ascii_only)}")
        return "{" + ", ".join(items) + "}"
    if isinstance(node, Twice):
        return json_text(node.then, ascii_only=ascii_only)
    return json.dumps(node, ensure_ascii=ascii_only)


def render(payload: Any, form: str, draw) -> Any:
    """The payload in one source form (a ``file`` is written to a temporary path)."""
    if form == "dict":
        return python_value(payload)
    text = json_text(payload, ascii_only=form != "text" or draw(st.booleans()))
    if draw(st.integers(0, 9)) == 0:
        text = "\ufeff" + text
    if form == "text":
        return text
    raw = text.encode("utf-8").replace(b"\\ue000", b"\xff")
    if form == "bytes":
        return raw
    handle, name = tempfile.mkstemp(suffix=".json")
    with os.fdopen(handle, "wb") as file:
        file.write(raw)
    return Path(name)


# --- the oracle -------------------------------------------------------------------------------


class NoRun(Exception):
    """The oracle's SchemaError: nothing in the input can be read as a task."""


class AnApiAnswer(Exception):
    """The oracle's ApiError: the input is a saved error answer."""


def expected_tasks(payload: Any, form: str) -> list[Any] | str:
    """The raw ``task_id`` of every task the documented rules read from ``payload``, or the
    error they name: ``"schema"`` or ``"api"``."""
    try:
        return [effective(t.get("task_id")) for t in _tasks(payload, form, 0, root=True)]
    except NoRun:
        return "schema"
    except AnApiAnswer:
        return "api"


def _tasks(node: Any, form: str, depth: int, *, root: bool = False) -> list[dict]:
    node = effective(node)
    if isinstance(node, dict):
        return _from_object(node)
    if isinstance(node, list):
        return _from_list(node, form, depth)
    json_like = isinstance(node, str) and node.lstrip("\ufeff \t\r\n")[:1] in ("{", "[")
    if json_like and not (root and form == "text"):
        try:
            return _tasks(parse_json(node), form, depth)
        except SchemaError:
            raise NoRun from None
    raise NoRun


def _from_object(node: dict) -> list[dict]:
    if "task_id" in node:
        return [node]
    if "data" not in node:
        raise NoRun
    status = effective(node.get("status_code"))
    if type(status) is int and (status == 206 or status >= 400):
        raise AnApiAnswer
    data = effective(node["data"])
    if not isinstance(data, list):
        raise NoRun
    tasks = [effective(item) for item in data if isinstance(effective(item), dict)]
    if data and not tasks:
        raise NoRun
    return tasks


def _from_list(items: list, form: str, depth: int) -> list[dict]:
    items = [effective(item) for item in items]
    if items and not any(isinstance(i, (dict, list, str)) for i in items):
        raise NoRun
    tasks, failed = [], False
    for item in items:
        if isinstance(item, (list, str)) or (
            isinstance(item, dict) and "data" in item and "task_id" not in item
        ):
            try:
                if depth + 1 > MAX_NESTING:
                    raise NoRun
                tasks += _tasks(item, form, depth + 1)
            except NoRun:
                failed = True
        elif isinstance(item, dict):
            tasks.append(item)
    if failed and not tasks:
        raise NoRun
    return tasks


def spelled_id(raw: Any, form: str) -> str | None:
    """A raw ``task_id`` as ``tasks.task_id`` spells it; None for NA."""
    if isinstance(raw, str):
        text = valid_text(raw.replace("\ue000", "\ufffd") if form in ("bytes", "file") else raw)
        trimmed = pc.utf8_trim_whitespace(pa.array([text]))[0].as_py()
        return None if trimmed.lower() in NULL_LITERALS else text
    if type(raw) is int:
        return str(raw)
    if type(raw) is float and math.isfinite(raw):
        return str(raw)
    return None


# --- the properties ---------------------------------------------------------------------------


def outcome(source: Any) -> Run | str:
    """``load_run(source)`` with warnings as errors; a documented error as its name."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return load_run(source)
    except SchemaError:
        return "schema"
    except ApiError:
        return "api"
    finally:
        if isinstance(source, Path):
            source.unlink()


def lost_tasks(run: Run | str, expected: list[Any] | str, form: str) -> list[Any]:
    """The task ids the oracle expects that the run does not hold (and a mismatch of the
    error, or of the count of tasks kept without an id, as one item)."""
    if isinstance(expected, str) or isinstance(run, str):
        return [] if run == expected else [f"got {run!r}, expected {expected!r}"]
    ids = [spelled_id(raw, form) for raw in expected]
    kept = set(run.tasks["task_id"].dropna())
    lost = sorted({i for i in ids if i is not None} - kept)
    extra = sorted(kept - set(ids))
    n_na = sum(i is None for i in ids)
    if extra or run.tasks["task_id"].isna().sum() != n_na:
        lost.append(f"{len(run.tasks)} tasks, extra {extra[:3]}, expected {n_na} without id")
    return lost


def assert_well_formed(run: Run) -> None:
    """Every table writes as UTF-8; problem messages are short and plain."""
    for name in ("tasks", "calls", "turns", "problems"):
        getattr(run, name).to_csv(index=False).encode("utf-8")
    messages = run.problems["problem"]
    too_long = messages[messages.str.len() >= 500]
    assert too_long.empty, too_long.tolist()[:1]
    for numpy_repr in ("array(", "np."):
        assert not messages.str.contains(numpy_repr, regex=False).any()


@st.composite
def mutated_source(draw) -> tuple[Any, list[Any] | str, str]:
    form = draw(st.sampled_from(["dict", "text", "bytes", "file"]))
    payload = mutate(copy.deepcopy(draw(st.sampled_from(BASES))), draw, form)
    return render(payload, form, draw), expected_tasks(payload, form), form


@FUZZ
@given(mutated_source())
def test_mutated_payloads_load_every_readable_task_or_raise_a_documented_error(case):
    source, expected, form = case
    run = outcome(source)
    assert not lost_tasks(run, expected, form), lost_tasks(run, expected, form)
    if isinstance(run, Run):
        assert_well_formed(run)


@st.composite
def cut_text(draw) -> Any:
    form = draw(st.sampled_from(["text", "bytes"]))
    payload = mutate(copy.deepcopy(draw(st.sampled_from(BASES))), draw, form)
    text = render(payload, form, draw)
    return text[: draw(st.integers(0, max(len(text) - 1, 0)))]


@FUZZ
@given(cut_text())
def test_json_cut_short_loads_or_is_a_schema_error(source):
    run = outcome(source)
    assert isinstance(run, Run) or run in ("schema", "api")
    if isinstance(run, Run):
        assert_well_formed(run)


def tally(n: int) -> dict[str, Any]:
    """By hand: ``n`` inputs per property, counted, not stopped at the first failure.

    ``python -c "import sys; sys.path[:0] = ['tests']; import test_fuzz as f;
    print(f.tally(20000))"``
    """
    counts: dict[str, Any] = dict.fromkeys(
        ("inputs", "crashes", "tasks_lost", "inputs_losing", "leaks"), 0
    )
    counts["first"] = []  # the first few findings, for a look

    @settings(FUZZ, max_examples=n, database=None)
    @given(st.one_of(mutated_source(), cut_text().map(lambda s: (s, None, "cut"))))
    def one(case):
        source, expected, form = case
        counts["inputs"] += 1
        try:
            run = outcome(source)
        except Exception as err:  # a crash is what is counted here
            counts["crashes"] += 1
            counts["first"] = [*counts["first"], (form, repr(err)[:300])][:5]
            return
        lost = [] if expected is None else lost_tasks(run, expected, form)
        counts["tasks_lost"] += len(lost)
        counts["inputs_losing"] += bool(lost)
        if lost:
            counts["first"] = [*counts["first"], (form, str(lost)[:300])][:5]
        try:
            if isinstance(run, Run):
                assert_well_formed(run)
        except (AssertionError, UnicodeError) as err:
            counts["leaks"] += 1
            counts["first"] = [*counts["first"], (form, repr(err)[:300])][:5]

    one()
    return counts
