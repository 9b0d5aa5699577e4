"""Memoize two pure steps that copier repeats for every render in one process.

copier re-parses copier.yml (pure-Python YAML), asks git whether the template is a repository,
and recompiles the same Jinja sources for every
render. Both are pure functions of their input, so rendering 1,000+ combinations can reuse the
results. Output is unchanged: tests/test_fastcopier.py renders with and without this and compares.
"""

from __future__ import annotations

import functools

import copier._template as copier_template
import jinja2

_installed = False


def _env_key(env: jinja2.Environment) -> tuple:
    # Everything the lexer, parser and code generator read from the environment.
    return (
        env.block_start_string, env.block_end_string, env.variable_start_string,
        env.variable_end_string, env.comment_start_string, env.comment_end_string,
        env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks, env.lstrip_blocks,
        env.newline_sequence, env.keep_trailing_newline, env.optimized, env.is_async,
        env.finalize is None, tuple(sorted(env.extensions)),
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
