"""``python -m codegen``: regenerate ``generated/`` and report what changed; ``--check`` only reports drift.

The schema comes from the pinned viam-sdk package (the default), from a directory of .proto files (``--protos``),
or from a FileDescriptorSet file (``--descriptor-set``, as ``buf build -o`` or ``protoc --descriptor_set_out``
write it).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .errors import CodegenError
from .render import GENERATED, TEMPLATES, BreakingChangeError, check, generate
from .schema import ROOT_PROTO_FILES, Schema, load_descriptor_set, load_schema, pinned_version


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail with a diff when the output is stale or edited")
    parser.add_argument("--out", type=Path, default=GENERATED, help="the generated tree (default: %(default)s)")
    parser.add_argument("--templates", type=Path, default=TEMPLATES, help="the templates (default: %(default)s)")
    source = parser.add_argument_group("schema input (default: the pinned viam-sdk package)")
    inputs = source.add_mutually_exclusive_group()
    inputs.add_argument("--protos", type=Path, metavar="DIR", help="a directory of .proto files, compiled with protoc")
    inputs.add_argument("--descriptor-set", type=Path, metavar="FILE", help="a FileDescriptorSet with source info")
    source.add_argument(
        "-I", "--include", type=Path, action="append", default=[], metavar="DIR",
        help="with --protos: another directory imports are looked up in (repeatable)",
    )  # fmt: skip
    source.add_argument(
        "--root", action="append", default=[], metavar="FILE",
        help=f"a proto file whose services are generated (repeatable; default: {', '.join(ROOT_PROTO_FILES)})",
    )  # fmt: skip
    source.add_argument(
        "--schema-version", metavar="VERSION",
        help="the schema version the generated files name (default: the pinned package's, so the same schema gives "
        "the same output from any input; name yours when it differs)",
    )  # fmt: skip
    source.add_argument(
        "--without-source-info", action="store_true",
        help="accept a descriptor set without source info (and so without documentation)",
    )  # fmt: skip
    report = parser.add_argument_group("the report of what changed")
    report.add_argument("--report-json", type=Path, metavar="FILE", help="also write the report as JSON to FILE")
    report.add_argument(
        "--allow-breaking", action="store_true",
        help="regenerate even when the handwritten code uses fields the new schema removes or renumbers",
    )  # fmt: skip
    return parser


def load(args: argparse.Namespace) -> Schema:
    """The schema the arguments name."""
    from .protoc import load_protos  # only this input needs grpcio-tools

    roots = tuple(args.root) or ROOT_PROTO_FILES
    if args.protos is None and args.descriptor_set is None:
        if args.include or args.without_source_info or args.schema_version:
            raise CodegenError("-I, --without-source-info and --schema-version apply to --protos/--descriptor-set")
        return load_schema(roots)
    version = args.schema_version or pinned_version()
    if args.protos is not None:
        return load_protos(args.protos, args.include, roots, version)
    return load_descriptor_set(args.descriptor_set, roots, version, require_source_info=not args.without_source_info)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    try:
        schema = load(args)
        if args.check:
            diff = check(args.out, args.templates, schema=schema)
            if diff:
                sys.stdout.writelines(diff)
                print(f"\n{args.out} is stale or was edited by hand: run `nox -s codegen` and commit the result.")
                return 1
            print(f"{args.out} is up to date ({time.perf_counter() - started:.1f} s)")
            return 0
        report = generate(args.out, args.templates, schema=schema, allow_breaking=args.allow_breaking)
    except BreakingChangeError as exc:
        sys.stdout.write(exc.report.text())
        if args.report_json is not None:
            args.report_json.write_text(exc.report.to_json())
        print(f"codegen: {exc}", file=sys.stderr)
        return 3
    except CodegenError as exc:
        print(f"codegen: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(report.text())
    if args.report_json is not None:
        args.report_json.write_text(report.to_json())
    print(f"regenerated {args.out} from {schema.label} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
