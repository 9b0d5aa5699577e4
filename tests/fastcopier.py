"""Memoize steps that copier repeats for every render although their result cannot change.

Across renders in one process: parsing copier.yml (pure-Python YAML), asking git whether the
template path is a repository, and compiling the same Jinja sources. Within one render (answers are
final once files render): the answers-file path, the remembered answers, the Jinja context, and
git's core.fileMode, which copier recomputes once per file or string; path parts without Jinja are
not rendered at all. Output is unchanged: tests/test_fastcopier.py renders with
and without this and compares the trees byte for byte.
"""

from __future__ import annotations

import functools

import copier._main as copier_main
import copier._template as copier_template
import jinja2
from plumbum import ProcessExecutionError

_installed = False


def _env_key(env: jinja2.Environment) -> tuple:
    # Everything the lexer, parser and code generator read from the environment.
    return (
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        env.optimized,
        env.is_async,
        env.finalize is None,
        tuple(sorted(env.extensions)),
    )


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True

    load_config = copier_template.load_template_config

    @functools.lru_cache(maxsize=64)
    def _load_cached(path, quiet, stamp):
        return load_config(path, quiet)

    def load_template_config(conf_path, quiet=False):
        stat = conf_path.stat()
        return _load_cached(conf_path, quiet, (stat.st_mtime_ns, stat.st_size))

    copier_template.load_template_config = load_template_config
    # "Is this template path a git repo or bundle?" spawns three git processes per render; the
    # staged template is a plain folder that does not change during a run.
    copier_template.get_repo = functools.lru_cache(maxsize=64)(copier_template.get_repo)

    compile_template = jinja2.Environment.compile
    cache: dict = {}

    def compile_cached(self, source, name=None, filename=None, raw=False, defer_init=False):
        if isinstance(source, str):
            key = (source, name, filename, raw, defer_init, _env_key(self))
            if key not in cache:
                cache[key] = compile_template(self, source, name, filename, raw, defer_init)
            return cache[key]
        return compile_template(self, source, name, filename, raw, defer_init)

    jinja2.Environment.compile = compile_cached
    _memoize_per_render(copier_main.Worker)


# Per-render constants, keyed by id(worker) while that worker's _render_template runs.
_rendering: dict[int, dict] = {}


def _memoize_per_render(worker_class) -> None:
    """Answers are final once files render; copier still recomputes these for every file."""
    render_template = worker_class._render_template
    render_context = worker_class._render_context
    render_string = worker_class._render_string
    answers_relpath = worker_class.answers_relpath.fget
    answers_to_remember = worker_class._answers_to_remember
    sync_exec_bit = worker_class._sync_git_index_executable_bit

    def _render_template(self):
        _rendering[id(self)] = {}
        try:
            return render_template(self)
        finally:
            _rendering.pop(id(self), None)

    def _once(self, name, compute):
        memo = _rendering.get(id(self))
        if memo is None:
            return compute()
        if name not in memo:
            memo[name] = compute()
        return memo[name]

    def cached_render_context(self):
        # Built from the final answers for every string and file: once per render. Callers
        # change the copy they get, and `_copier_conf` inside it (answers_relpath blanks
        # `answers_file`), so both are copied.
        context = dict(_once(self, "context", lambda: render_context(self)))
        conf = context["_copier_conf"]
        fresh = type(conf)()
        fresh._pending, fresh._done = dict(conf._pending), dict(conf._done)
        context["_copier_conf"] = fresh
        return context

    def plain_render_string(self, string, extra_context=None):
        # Most path parts ("src", "tests", ...) hold no Jinja at all: they render to themselves.
        if isinstance(string, str) and "{" not in string and id(self) in _rendering:
            return string
        return render_string(self, string, extra_context)

    def cached_answers_relpath(self):
        return _once(self, "answers_relpath", lambda: answers_relpath(self))

    def cached_answers_to_remember(self):
        return dict(_once(self, "remember", lambda: answers_to_remember(self)))

    def file_mode(self) -> str:
        # The same lookup the original method starts with: git's core.fileMode for the project.
        git = copier_main.get_git(context_dir=self.subproject.local_abspath)
        try:
            return git("config", "--type=bool", "--get", "core.fileMode").strip()
        except ProcessExecutionError:
            return "unset"

    def cached_sync_exec_bit(self, dst_relpath, src_mode):
        # Only core.fileMode=false needs the git index touched; ask git once per render.
        if _once(self, "file_mode", lambda: file_mode(self)) != "false":
            return None
        return sync_exec_bit(self, dst_relpath, src_mode)

    worker_class._render_template = _render_template
    worker_class._render_context = cached_render_context
    worker_class._render_string = plain_render_string
    worker_class.answers_relpath = property(cached_answers_relpath)
    worker_class._answers_to_remember = cached_answers_to_remember
    worker_class._sync_git_index_executable_bit = cached_sync_exec_bit
