"""Time `import markdown --dry-run` on the list shapes that used to cost quadratic time.

    python benchmarks/markdown_shapes.py          # a Markdown table: each shape at 1x and 2x

Each shape is written at two sizes; linear parsing takes about twice as long for twice the
input (the "2x input: time x" column), a quadratic step about four times. Wall time of the
whole command (start-up included), best of three runs.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

OFLBIB = [sys.executable, "-c", "from oflbib.cli import main; main()"]
ITEM = "- [A Paper Title: On Things](https://example.org/p) NSDI'23\n"

# shape name -> (size at 1x, writer of a list of that size)
SHAPES: dict[str, tuple[int, Callable[[int], str]]] = {
    "heading with a run of spaces (characters)":
        (40_000, lambda n: "# L\n## a" + " " * n + "b\n" + ITEM),
    "one item with continuation lines (lines)":
        (160_000, lambda n: "# L\n" + ITEM + "  more text of the item\n" * n + "\n" + ITEM),
    "author text with a run of spaces (characters)":
        (40_000, lambda n: "# L\n- A Paper Title. Ada" + " " * n + "Lovelace. ICML 2020.\n"),
    "table cells with a run of spaces (characters)":
        (40_000, lambda n: "# L\n| Title | Authors |\n|---|---|\n| A Paper Title | A" + " " * n
         + "B |\n"),
}


def best_of_three(path: Path, folder: Path) -> float:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        done = subprocess.run([*OFLBIB, "--catalog", str(folder / "cat"), "import", "markdown",
                               "--dry-run", str(path)], capture_output=True, check=False)
        if done.returncode not in (0, 1):
            raise SystemExit(done.stderr.decode(errors="replace"))
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    print("| shape | size | time | 2x input: time x |\n|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, (size, write) in SHAPES.items():
            measured = []
            for factor in (1, 2):
                path = folder / f"list{factor}.md"
                path.write_text(write(size * factor), encoding="utf-8")
                measured.append(best_of_three(path, folder))
            print(f"| {name} | {size:,} | {measured[0]:.2f} s | {measured[1] / measured[0]:.1f} |")


if __name__ == "__main__":
    main()
