"""A build that has work to do, step by step: read the sources (or take the last
build's model), assemble the model and make its photos, plan and fingerprint the pages,
render those whose inputs changed, write what changed, and keep what the next build
starts from. Each step lives in a module of its own; see docs/incremental.md for how a
build reuses the last one."""

from __future__ import annotations

from ..config import Config
from ..incremental.cache import OutputRecord
from ..incremental.collector import long_lived
from .context import BuildContext, open_context, theme_inputs
from .finish import (
    remember_build,
    remember_in_memory,
    result,
    save_model,
    save_state,
    settle_assembly,
    settle_sources,
    summarize,
)
from .modelstage import make_model
from .options import BuildOptions, BuildResult, Started, check_strict
from .output import open_writer, shard_of, write_discovery, write_files, write_pages
from .planning import plan_site
from .templatestage import template_build
from .write import read_build_id


def run(config: Config, options: BuildOptions, begun: Started) -> BuildResult:
    ctx = open_context(config, options, begun)
    theme = theme_inputs(ctx)
    record = _output_record(ctx)
    # Templates alone changed: their pages rendered from the saved model's rows by chunks.
    chunked = template_build(ctx, theme, record)
    if chunked is not None:
        return chunked
    # Every file is read and validated before anything is written: all errors at once.
    # The model made up to the fingerprints lives until the build ends (`collector`).
    ctx.progress.stage("reading")
    with long_lived():
        model = make_model(ctx, theme, record)
        model.content_warnings = tuple(ctx.problems.warnings)  # catalogs report theirs anew
        settle_sources(ctx, model)  # the sources as read: dropped before planning
        plan = plan_site(ctx, theme, model)
        check_strict(options, ctx.problems.warnings)  # every warning is known by now
    settle_assembly(ctx, model, plan)
    writer = open_writer(ctx, record)
    try:
        write_pages(ctx, theme, plan, writer)
        write_discovery(ctx, theme, model, plan, writer)
        write_files(theme, model, begun.linker, writer)
        ctx.progress.stage("commit")
        writer.commit()
    except BaseException:
        writer.staged.discard()
        raise
    finally:
        ctx.progress.done()
    cache_written = remember_build(ctx, theme, model, plan, writer)
    summary = summarize(ctx, model, plan)
    remember_in_memory(ctx, theme, model, plan, summary)
    save_model(ctx, theme, model, plan, writer.build_id, summary)
    save_state(ctx, writer, plan, summary, cache_written)
    if options.session is None and ctx.cache.store is not None:
        # The last connection's close folds the WAL into the store file: a command-line
        # build leaves one file (reopened if anything reads a body later).
        ctx.cache.store.close()
    return result(ctx, model, plan, writer, summary)


def _output_record(ctx: BuildContext) -> OutputRecord | None:
    """What the cache remembers of the output folder, when the folder is still that."""
    output = ctx.begun.output
    record = None if ctx.options.clean else ctx.cache.output(output)
    if record is not None and (not output.is_dir() or read_build_id(output) != record.build_id):
        return None  # the folder is not what the cache remembers: build it afresh
    if record is not None and shard_of(record) != ",".join(ctx.options.shard):
        return None  # it holds other languages' files: their groups cannot be kept
    return record
