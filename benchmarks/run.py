"""Run oflbib's benchmarks side by side with pandoc and print Markdown tables.

    python benchmarks/run.py                              # 10k and 100k entries, 3 runs
    python benchmarks/run.py --sizes 1000 --runs 1        # a quick look
    python benchmarks/run.py --sizes 10000 --resolve-cmd \
        '{python} benchmarks/resolve/run.py --catalog {catalog}'

Start-up: hyperfine runs `oflbib export --format bibtex` on the shipped catalog (again on
an unchanged catalog, and rendering: its output cache emptied before each run) and
`pandoc -f csljson -t bibtex bib/refs.json` in one session, and `python -X importtime`
lists the packages the export imports. Scale: every command runs under GNU
`/usr/bin/time` (wall time, peak resident memory) on synthetic catalogs from `synth.py`;
the figure is the median of the runs. Exports and checks read a warm compiled cache (the
case of a Makefile calling oflbib again and again) and exports render (their output cache
emptied before each run), except `export bibtex (repeat)`, an unchanged catalog exported
again; `export (cold cache)` starts from an empty cache, `import markdown` and `build`
from an empty folder each run.

Python's bytecode goes to WORK/pycache (as an installed package has it precompiled),
the compiled catalog cache to WORK/cache; nothing is written elsewhere. A tool that is
missing (hyperfine, pandoc) only removes its rows.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import synth

REPO = Path(__file__).resolve().parent.parent
FORMATS = ["bibtex", "biblatex", "csljson", "ris", "markdown"]
GIB = 1024 ** 3
GROWTH_LIMIT = 12  # the 100k run within 12x the 10k run
# Packages an export must never import: the HTTP stack, the resolvers' clients, YAML
# and schema libraries (the compiled cache answers), rich.
HEAVY = {"habanero", "arxiv", "requests", "httpx", "urllib3", "rich", "yaml", "ruamel",
         "jsonschema", "bibtexparser", "rapidfuzz", "ftfy"}


@dataclass
class Measure:
    label: str
    size: int
    walls: list[float] = field(default_factory=list)  # seconds
    cpus: list[float] = field(default_factory=list)  # user + system seconds
    peaks: list[int] = field(default_factory=list)  # bytes

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)

    @property
    def peak(self) -> float:
        return statistics.median(self.peaks)


def oflbib_command() -> list[str]:
    """The console script next to this Python, as users run it."""
    script = Path(sys.executable).with_name("oflbib")
    return [str(script)] if script.exists() else [sys.executable, "-m", "oflbib"]


def bench_env(work: Path, cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONDONTWRITEBYTECODE", "OFLBIB_CATALOG")}
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    env["OFLBIB_CACHE_DIR"] = str(cache)
    return env


def time_once(argv: list[str], env: dict[str, str],
              stdout: Path | None = None) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak resident bytes) of one run under GNU time. CPU
    time is reported too because a shared machine's load stretches wall time."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        with open(stdout or os.devnull, "wb") as out:
            done = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", report.name,
                                   *argv],
                                  env=env, stdout=out, stderr=subprocess.PIPE, cwd=REPO)
        if done.returncode != 0:
            raise RuntimeError(f"{shlex.join(argv)} failed:\n{done.stderr.decode()[-2000:]}")
        wall, user, system, peak_kib = report.read().split()[-4:]
    return float(wall), float(user) + float(system), int(peak_kib) * 1024


def measure(label: str, size: int, argv: list[str], env: dict[str, str], runs: int,
            prepare: Callable[[], None] = lambda: None, stdout: Path | None = None) -> Measure:
    result = Measure(label, size)
    for _ in range(runs):
        prepare()
        wall, cpu, peak = time_once(argv, env, stdout)
        result.walls.append(wall)
        result.cpus.append(cpu)
        result.peaks.append(peak)
    print(f"  {label:<28} {size:>7}  {result.wall:8.2f} s  {result.cpu:8.2f} s CPU  "
          f"{result.peak / 2**20:7.0f} MiB",
          file=sys.stderr)
    return result


def fresh(path: Path) -> Callable[[], None]:
    """A `prepare` step: remove `path`, so the run starts from nothing there."""
    return lambda: shutil.rmtree(path, ignore_errors=True)


# ---- scale ------------------------------------------------------------------------------

def dataset(work: Path, size: int) -> Path:
    """WORK/SIZE with catalog/ and list.md, generated once (deterministic)."""
    folder = work / str(size)
    if not (folder / "complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        synth.write(size, folder)
        (folder / "complete").touch()
    return folder


def scale(work: Path, size: int, runs: int, pandoc: str | None) -> list[Measure]:
    data = dataset(work, size)
    oflbib = [*oflbib_command(), "--catalog", str(data / "catalog")]
    warm = bench_env(work, work / "cache")
    cold_cache = work / "cold-cache"
    cold = bench_env(work, cold_cache)
    scratch = work / "scratch"
    scratch.mkdir(exist_ok=True)
    out = scratch / "out"  # every export and conversion writes its stdout here
    # Pandoc's inputs: the same items, as oflbib writes them (also warms the cache).
    time_once([*oflbib, "export", "--format", "csljson"], warm, data / "refs.json")
    time_once([*oflbib, "export", "--format", "bibtex"], warm, data / "refs.bib")
    # Exports render: the rendered-output cache is emptied before each run (as after an
    # edit of the catalog); `(repeat)` is an unchanged catalog exported again.
    rendered = fresh(work / "cache" / "export")
    rows = [measure(f"export {fmt}", size, [*oflbib, "export", "--format", fmt], warm, runs,
                    rendered, stdout=out) for fmt in FORMATS]
    time_once([*oflbib, "export", "--format", "bibtex"], warm, out)  # stores the output
    rows += [
        measure("export bibtex (repeat)", size, [*oflbib, "export", "--format", "bibtex"],
                warm, runs, stdout=out),
        measure("export bibtex (cold cache)", size, [*oflbib, "export", "--format", "bibtex"],
                cold, runs, fresh(cold_cache), stdout=out),
        measure("check", size, [*oflbib, "check", "--quiet"], warm, runs),
        measure("build", size, [*oflbib, "build", "--out", str(scratch / "bib")], warm, runs,
                fresh(scratch / "bib")),
        measure("build --check", size, [*oflbib, "build", "--check", "--out",
                                        str(scratch / "bib")], warm, runs),
        measure("import markdown", size,
                [*oflbib_command(), "--catalog", str(scratch / "imported"), "import",
                 "markdown", str(data / "list.md")], warm, runs, fresh(scratch / "imported")),
    ]
    if pandoc:
        rows += [
            measure("pandoc csljson -> bibtex", size,
                    [pandoc, "-f", "csljson", "-t", "bibtex", str(data / "refs.json")],
                    warm, runs, stdout=out),
            measure("pandoc bibtex -> csljson", size,
                    [pandoc, "-f", "bibtex", "-t", "csljson", str(data / "refs.bib")],
                    warm, runs, stdout=out),
        ]
    return rows


def resolve_hook(work: Path, size: int, runs: int, template: str) -> Measure:
    """Time the resolve benchmark (benchmarks/resolve/) or any command on a fresh copy of
    a synthetic catalog. TEMPLATE is a shell-free command line; `{catalog}` becomes the
    copy's folder and `{python}` this Python. Its output goes to WORK/resolve-hook.txt."""
    source = dataset(work, size) / "catalog"
    copy = work / "scratch" / "resolve-catalog"

    def prepare() -> None:
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(source, copy)

    argv = [part.replace("{catalog}", str(copy)).replace("{python}", sys.executable)
            for part in shlex.split(template)]
    return measure("resolve (hook)", size, argv, bench_env(work, work / "cache"), runs,
                   prepare, stdout=work / "resolve-hook.txt")


# ---- start-up ---------------------------------------------------------------------------

def catalog_option(shipped: Path) -> list[str]:
    """`--catalog` for a copy of the repository's catalog/ (SHIPPED/catalog), or none."""
    return [] if shipped == REPO else ["--catalog", str(shipped / "catalog")]


def imported_packages(work: Path, shipped: Path = REPO) -> list[str]:
    """Top-level non-standard-library packages `oflbib export` imports when it renders
    from a warm compiled cache (as every run after the first does)."""
    env = bench_env(work, work / "cache")
    export = ["-m", "oflbib", *catalog_option(shipped), "export", "--format", "bibtex"]
    # Warm the compiled catalog cache here rather than count on the start-up runs (which
    # need hyperfine): a cold cache parses YAML, which a Makefile's next run does not.
    subprocess.run([sys.executable, *export], env=env, cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL)
    shutil.rmtree(work / "cache" / "export", ignore_errors=True)
    done = subprocess.run([sys.executable, "-X", "importtime", *export], env=env,
                          cwd=REPO, capture_output=True, text=True, check=True)
    names = {line.split("|")[-1].strip().split(".")[0]
             for line in done.stderr.splitlines() if line.startswith("import time:")}
    # importtime also lists attempts that failed (the standard library probes for Jython's
    # `org`) and the interpreter's own hooks.
    return sorted(name for name in names - {"imported package", "oflbib", "sitecustomize",
                                            "usercustomize"}
                  if name not in sys.stdlib_module_names and not name.startswith("_")
                  and importlib.util.find_spec(name) is not None)


def startup(work: Path, runs: int, pandoc: str | None,
            shipped: Path = REPO) -> dict[str, dict[str, float]]:
    """hyperfine's statistics for the export and pandoc, measured in one session."""
    hyperfine = shutil.which("hyperfine")
    if hyperfine is None:
        print("hyperfine not found: start-up skipped (apt-get install hyperfine)",
              file=sys.stderr)
        return {}
    export = shlex.join([*oflbib_command(), *catalog_option(shipped), "export", "--format",
                         "bibtex"])
    # The same export twice: as a Makefile runs it again on an unchanged catalog (the
    # rendered-output cache answers), and rendering (that cache emptied before each run).
    commands = [export, export]
    prepare = ["true", shlex.join(["rm", "-rf", str(work / "cache" / "export")])]
    if pandoc:
        commands.append(shlex.join([pandoc, "-f", "csljson", "-t", "bibtex",
                                    str(shipped / "bib" / "refs.json")]))
        prepare.append("true")
    with tempfile.NamedTemporaryFile("r", suffix=".json") as report:
        subprocess.run([hyperfine, "-N", "--warmup", "5", "--runs", str(max(runs, 2)),
                        "--export-json", report.name,
                        *(arg for command in prepare for arg in ("--prepare", command)),
                        *commands],
                       env=bench_env(work, work / "cache"), cwd=REPO, check=True,
                       stdout=subprocess.DEVNULL)
        results = json.load(report)["results"]
    return {label: {k: r[k] for k in ("median", "mean", "stddev", "user", "system")}
            for label, r in zip(STARTUP_LABELS, results)}


# ---- report -----------------------------------------------------------------------------

def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    memory = next(int(line.split()[1]) * 1024 for line in
                  Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    pandoc = shutil.which("pandoc")
    version = subprocess.run([pandoc, "--version"], capture_output=True, text=True
                             ).stdout.split("\n")[0] if pandoc else "no pandoc"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{cpu}, {os.cpu_count()} CPUs, {memory / GIB:.0f} GiB RAM; {platform.platform()}; "
            f"Python {platform.python_version()}; {version}; load average {load}")


STARTUP_LABELS = ("oflbib export --format bibtex", "oflbib export --format bibtex (rendered)",
                  "pandoc -f csljson -t bibtex bib/refs.json")
VERSUS = [("export bibtex", "pandoc csljson -> bibtex"),
          ("export csljson", "pandoc bibtex -> csljson")]


def startup_table(started: dict[str, dict[str, float]]) -> list[str]:
    lines = ["| start-up, shipped catalog (103 entries) | median | mean ± σ | user + sys |",
             "|---|---:|---:|---:|"]
    for label, stats in started.items():
        lines.append(f"| `{label}` | {stats['median'] * 1000:.1f} ms | {stats['mean'] * 1000:.1f}"
                     f" ± {stats['stddev'] * 1000:.1f} ms | "
                     f"{(stats['user'] + stats['system']) * 1000:.1f} ms |")
    if len(started) == 3:
        repeat, rendered, theirs = (started[label]["median"] for label in STARTUP_LABELS)
        lines.append(f"| **oflbib / pandoc** | **{repeat / theirs:.2f}** "
                     f"(rendered: {rendered / theirs:.2f}) | | |")
    return lines


def ratio(larger: float, smaller: float) -> str:
    return f"{larger / smaller:.1f}" if smaller else "-"  # GNU time counts in 10 ms


def scale_table(rows: list[Measure], sizes: list[int]) -> list[str]:
    by_label: dict[str, dict[int, Measure]] = {}
    for row in rows:
        by_label.setdefault(row.label, {})[row.size] = row
    growth = sizes[-2:] if len(sizes) > 1 else []
    header = "".join(f" {size:,}: wall | CPU | peak |" for size in sizes)
    lines = [f"| command |{header}" + (f" {growth[1] // growth[0]}x entries: wall x | CPU x |"
                                        if growth else ""),
             "|---|" + "---:|---:|---:|" * len(sizes) + ("---:|---:|" if growth else "")]
    for label, measured in by_label.items():
        cells = "".join(f" {m.wall:.2f} s | {m.cpu:.2f} s | {m.peak / 2**20:,.0f} MiB |"
                        if m else " - | - | - |" for m in (measured.get(size) for size in sizes))
        if growth:
            small, large = (measured.get(size) for size in growth)
            cells += (f" {ratio(large.wall, small.wall)} | {ratio(large.cpu, small.cpu)} |"
                      if small and large else " | |")
        lines.append(f"| {label} |{cells}")
    lines.append("")
    for size in sizes:
        for ours, theirs in VERSUS:
            a, b = by_label.get(ours, {}).get(size), by_label.get(theirs, {}).get(size)
            if a and b:
                lines.append(f"- {size:,} entries: `{ours}` {a.wall:.2f} s, "
                             f"{a.peak / 2**20:,.0f} MiB; `{theirs}` {b.wall:.2f} s, "
                             f"{b.peak / 2**20:,.0f} MiB: time ratio {a.wall / b.wall:.2f}")
    return lines


def report(started: dict[str, dict[str, float]], packages: list[str], rows: list[Measure],
           sizes: list[int]) -> str:
    heavy = sorted(set(packages) & HEAVY)
    lines = [f"Machine: {machine()}", ""]
    if started:
        lines += startup_table(started) + [""]
    lines += [f"`oflbib export --format bibtex` imports {', '.join(packages)} besides the "
              "standard library" + (f"; **also {', '.join(heavy)}**" if heavy else
                                    f"; none of {', '.join(sorted(HEAVY))}") + ".", ""]
    return "\n".join(lines + scale_table(rows, sizes)) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3, help="runs per command (median)")
    parser.add_argument("--startup-runs", type=int, default=30, help="hyperfine runs")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "oflbib-bench",
                        help="data, caches and scratch files [default: %(default)s]")
    parser.add_argument("--json", type=Path, help="also write every measurement here")
    parser.add_argument("--resolve-cmd", metavar="TEMPLATE",
                        help="a command to time on a fresh copy of a synthetic catalog, "
                             "with {catalog} and {python}, e.g. '{python} "
                             "benchmarks/resolve/run.py --catalog {catalog}'")
    parser.add_argument("--shipped", type=Path, default=REPO,
                        help="a folder with catalog/ and bib/refs.json for the start-up "
                             "figures, e.g. a snapshot of the repository's [default: %(default)s]")
    parser.add_argument("--resolve-size", type=int, default=1000)
    parser.add_argument("--resolve-runs", type=int, default=1)
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    pandoc = shutil.which("pandoc")
    print("start-up ...", file=sys.stderr)
    started = startup(args.work, args.startup_runs, pandoc, args.shipped.resolve())
    packages = imported_packages(args.work, args.shipped.resolve())
    rows: list[Measure] = []
    for size in args.sizes:
        print(f"{size} entries ...", file=sys.stderr)
        rows += scale(args.work, size, args.runs, pandoc)
    if args.resolve_cmd:
        rows.append(resolve_hook(args.work, args.resolve_size, args.resolve_runs,
                                 args.resolve_cmd))
    sizes = sorted({row.size for row in rows})
    print(report(started, packages, rows, sizes))
    if args.json:
        args.json.write_text(json.dumps({"startup": started, "imports": packages,
                                         "rows": [vars(r) for r in rows]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
