"""Run the benchmarks: `python bench/run.py [NAME]` (what `make bench [BENCH=NAME]` calls).

Every `bench/bench_<name>.py` with a `main()` is a benchmark called <name>. With a name,
that one runs in this process; with none, each runs in a process of its own (each sets
Django up its own way), one after the other. An unknown name lists the known ones and
exits with status 2. Each benchmark ends by printing one line
`bench: <name> ratio=... <key>=<value> ...`.
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def discover() -> dict[str, Path]:
    """{name: file} of the benchmarks in bench/, by name."""
    return {path.stem.removeprefix("bench_"): path
            for path in sorted(BENCH_DIR.glob("bench_*.py"))}


def run_one(name: str, path: Path) -> int:
    """Import bench_<name>.py and call its main(); its return value is the exit status."""
    if str(BENCH_DIR) not in sys.path:
        sys.path.insert(0, str(BENCH_DIR))  # benchmarks import their helpers from bench/
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    if spec is None or spec.loader is None:
        print(f"bench {name}: cannot load {path}", file=sys.stderr)
        return 1
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    main = getattr(module, "main", None)
    if not callable(main):
        print(f"bench {name}: {path.name} has no main()", file=sys.stderr)
        return 1
    result = main()
    return result if isinstance(result, int) else 0


def run_all(benches: dict[str, Path]) -> int:
    failed = []
    for name in benches:
        print(f"== bench {name}", flush=True)
        if subprocess.call([sys.executable, str(Path(__file__).resolve()), name]) != 0:
            failed.append(name)
    if failed:
        print(f"failed benchmarks: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    benches = discover()
    known = ", ".join(benches) or "(none)"
    if args and args[0] in {"-h", "--help"}:
        print(f"usage: python bench/run.py [NAME]\nbenchmarks: {known}")
        return 0
    if len(args) > 1:
        print(f"usage: python bench/run.py [NAME]\nbenchmarks: {known}", file=sys.stderr)
        return 2
    if not args:
        return run_all(benches)
    name = args[0]
    if name not in benches:
        print(f"unknown benchmark {name!r}; available: {known}", file=sys.stderr)
        return 2
    return run_one(name, benches[name])


if __name__ == "__main__":
    sys.exit(main())
