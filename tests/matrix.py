"""Answer combinations computed from copier.yml itself.

Choice, bool and multiselect questions are branched over; free-text questions take their defaults.
`when` conditions and validators are evaluated with the template's own Jinja filters, so a new
question (or a new choice) joins the matrix without touching the tests.
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from jinja2 import Environment, StrictUndefined

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "extensions"))
from wrap import WrapFilters  # noqa: E402

from context import DesktopDjangoFilters  # noqa: E402

_ENV = Environment(undefined=StrictUndefined, extensions=[DesktopDjangoFilters, WrapFilters])
# What copier's questions see of `_copier_conf` while the matrix is computed: no destination
# (renders go to empty folders, where the wrap validators have nothing to look at).
_CONF = {"dst_path": "", "src_path": str(ROOT)}
# Free-text answers with no default outside a real project: the matrix answers them as a user
# would (tests/fixtures/existing/flat is laid out like this).
REQUIRED_ANSWERS = {"django_settings_module": "mysite.settings"}


@dataclass(frozen=True)
class Combination:
    """The answers a user chose (`data`, passed to copier) plus every answer copier will derive."""

    data: dict
    context: dict = field(compare=False, hash=False)

    @property
    def id(self) -> str:
        return combination_id(self.data)


def load_questions(path: Path = ROOT / "copier.yml") -> dict:
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {name: spec for name, spec in config.items() if not name.startswith("_")}


def _render(value, context: dict):
    if isinstance(value, str) and ("{{" in value or "{%" in value):
        return _ENV.from_string(value).render(_copier_conf=_CONF, **context)
    return value


def _default(spec: dict, context: dict):
    """A question's default as copier computes it: rendered, then cast to the question's type."""
    value = _render(spec.get("default", ""), context)
    if spec.get("type") == "bool" and isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes", "y", "on"}
    return value


def _applies(spec: dict, context: dict) -> bool:
    when = spec.get("when", True)
    if isinstance(when, str):
        return _render(when, context).strip().lower() not in {"", "false", "0", "no", "none", "off"}
    return bool(when)


def _valid(name: str, spec: dict, value, context: dict) -> bool:
    validator = spec.get("validator")
    return not validator or not _render(validator, {**context, name: value}).strip()


def _choice_values(spec: dict) -> list:
    choices = spec["choices"]
    values = list(choices.values()) if isinstance(choices, dict) else list(choices)
    if spec.get("multiselect"):
        return [
            list(subset)
            for size in range(len(values) + 1)
            for subset in itertools.combinations(values, size)
        ]
    return values


def branch_values(name: str, spec: dict, context: dict) -> list | None:
    """The values the matrix tries for a question, or None for a free-text question."""
    if "choices" in spec:
        values = _choice_values(spec)
    elif spec.get("type") == "bool":
        # The default first: a representative render (the first of its group) is the common case.
        values = [True, False] if _default(spec, context) else [False, True]
    else:
        return None
    return [v for v in values if _valid(name, spec, v, context)]


def combinations(questions: dict | None = None) -> list[Combination]:
    questions = load_questions() if questions is None else questions
    partials: list[tuple[dict, dict]] = [({}, {})]
    for name, spec in questions.items():
        grown = []
        for data, context in partials:
            if not _applies(spec, context):
                # Copier still puts the default of a skipped question in the render context.
                grown.append((data, {**context, name: _default(spec, context)}))
                continue
            values = branch_values(name, spec, context)
            if values is None and not _default(spec, context) and name in REQUIRED_ANSWERS:
                value = REQUIRED_ANSWERS[name]
                grown.append(({**data, name: value}, {**context, name: value}))
            elif values is None:
                grown.append((data, {**context, name: _default(spec, context)}))
            else:
                grown.extend(({**data, name: v}, {**context, name: v}) for v in values)
        partials = grown
    return [Combination(data=data, context=context) for data, context in partials]


def default_combination(questions: dict | None = None) -> Combination:
    """The combination `copier copy --defaults` renders: every branched answer at its default."""
    questions = load_questions() if questions is None else questions
    for combo in combinations(questions):
        if all(
            value == _default(questions[name], combo.context)
            for name, value in combo.data.items()
            if name not in REQUIRED_ANSWERS
        ):
            return combo
    raise LookupError("no combination has every default answer")


def combination_id(data: dict) -> str:
    parts = []
    for name, value in data.items():
        if isinstance(value, bool):
            parts.append(name if value else f"no_{name}")
        elif isinstance(value, list):
            parts.append("+".join(value))
        else:
            parts.append(str(value))
    return ",".join(parts)
