"""``python -m codegen``: regenerate ``generated/``; ``--check`` only reports drift."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .errors import CodegenError
from .render import GENERATED, TEMPLATES, check, generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail with a diff when the output is stale or edited")
    parser.add_argument("--out", type=Path, default=GENERATED, help="the generated tree (default: %(default)s)")
    parser.add_argument("--templates", type=Path, default=TEMPLATES, help="the templates (default: %(default)s)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        if args.check:
            diff = check(args.out, args.templates)
            if diff:
                sys.stdout.writelines(diff)
                print(f"\n{args.out} is stale or was edited by hand: run `nox -s codegen` and commit the result.")
                return 1
            print(f"{args.out} is up to date ({time.perf_counter() - started:.1f} s)")
            return 0
        generate(args.out, args.templates)
    except CodegenError as exc:
        print(f"codegen: {exc}", file=sys.stderr)
        return 2
    print(f"regenerated {args.out} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
