"""Mutation testing of chosen lines: does the test suite notice a plausible one-line bug?

Each mutation replaces one exact fragment of one file (it must occur exactly
once) and runs the tests listed with it (``pytest -x -q``). A mutation is
*killed* when those tests fail and *survived* when they pass. The mutations are
listed in TOML files (``benchmarks/mutations/*.toml`` by default)::

    [[mutation]]
    name = "cox-ci-10pct-wider"
    file = "src/cohorts/survival/cox.py"
    original = "zc = stats.norm.ppf(1.0 - self.alpha / 2.0)"
    replacement = "zc = 1.1 * stats.norm.ppf(1.0 - self.alpha / 2.0)"
    tests = ["tests/survival/test_cox_reference.py"]
    description = "Cox hazard-ratio intervals 10% too wide"

The repository is never modified: the tracked and untracked-but-not-ignored
files of the working tree are copied once into a temporary folder, each
mutation is applied there and undone (try/finally) before the next, and the
tests run in that copy with its ``src`` first on ``PYTHONPATH`` and without
bytecode caches (so an edited module is always recompiled). Before the
mutations, the listed tests are run once unmutated: they must pass.

Usage (from the repository root; not run in CI)::

    .venv/bin/python benchmarks/mutation.py                      # all lists
    .venv/bin/python benchmarks/mutation.py benchmarks/mutations/survival_norms.toml -k cox
    .venv/bin/python benchmarks/mutation.py --check              # only validate the lists

Exit status: 0 if every mutation was killed, 1 if one survived or could not be
run, 2 for an invalid list (e.g. a fragment that does not occur exactly once).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_GLOB = "benchmarks/mutations/*.toml"
FIELDS = ("name", "file", "original", "replacement", "tests", "description")
TIMEOUT = 900  # seconds per test run


class MutationError(ValueError):
    """An invalid mutation list or a mutation that cannot be applied."""


@dataclass(frozen=True)
class Mutation:
    """One replacement of an exact fragment in one file, with the tests that should notice it."""

    name: str
    file: str
    original: str
    replacement: str
    tests: tuple[str, ...]
    description: str
    source: str  # the TOML file it came from


def load_mutations(path: Path) -> list[Mutation]:
    """Read and check the ``[[mutation]]`` entries of one TOML file.

    Raises
    ------
    MutationError
        Unreadable TOML, no entries, a missing or empty field, an unknown field,
        ``tests`` not a non-empty list of strings, a replacement equal to the
        original, or a name used twice.
    """
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise MutationError(f"{path}: cannot read the mutation list: {exc}") from exc
    entries = data.get("mutation")
    if not isinstance(entries, list) or not entries:
        raise MutationError(f"{path}: no [[mutation]] entries")
    out: list[Mutation] = []
    seen: set[str] = set()
    for k, e in enumerate(entries, start=1):
        where = f"{path}: mutation {k} ({e.get('name', '?')!r})"
        unknown = sorted(set(e) - set(FIELDS))
        if unknown:
            raise MutationError(f"{where}: unknown field(s) {unknown}")
        for f in FIELDS:
            if f not in e or e[f] in ("", []):
                raise MutationError(f"{where}: field {f!r} is missing or empty")
        for f in ("name", "file", "original", "replacement", "description"):
            if not isinstance(e[f], str):
                raise MutationError(f"{where}: field {f!r} must be a string")
        tests = e["tests"]
        if not isinstance(tests, list) or not all(isinstance(t, str) and t for t in tests):
            raise MutationError(f"{where}: field 'tests' must be a list of test paths")
        if e["original"] == e["replacement"]:
            raise MutationError(f"{where}: the replacement equals the original")
        if e["name"] in seen:
            raise MutationError(f"{where}: name {e['name']!r} is used twice")
        seen.add(e["name"])
        out.append(Mutation(e["name"], e["file"], e["original"], e["replacement"], tuple(tests),
                            e["description"], str(path)))
    return out


def mutate_text(text: str, m: Mutation) -> str:
    """The text with the mutation applied; the fragment must occur exactly once."""
    n = text.count(m.original)
    if n != 1:
        what = "not found" if n == 0 else f"found {n} times (must be unique)"
        raise MutationError(f"{m.source}: mutation {m.name!r}: fragment {m.original!r} {what} in {m.file}")
    return text.replace(m.original, m.replacement, 1)


def check_mutations(root: Path, mutations: list[Mutation]) -> list[str]:
    """Problems that would stop the given mutations from being applied in ``root`` (empty if none)."""
    problems: list[str] = []
    names: dict[str, str] = {}
    for m in mutations:
        if m.name in names:
            problems.append(f"{m.source}: name {m.name!r} also used in {names[m.name]}")
        names[m.name] = m.source
        target = root / m.file
        if not target.is_file():
            problems.append(f"{m.source}: mutation {m.name!r}: file {m.file} does not exist")
            continue
        try:
            mutate_text(target.read_text(encoding="utf-8"), m)
        except MutationError as exc:
            problems.append(str(exc))
        for t in m.tests:
            if not (root / t.split("::", 1)[0]).exists():
                problems.append(f"{m.source}: mutation {m.name!r}: test path {t} does not exist")
    return problems


def _project_files(root: Path) -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=root, check=True, capture_output=True,
    ).stdout.decode()
    return [f for f in out.split("\0") if f and (root / f).is_file()]


def copy_project(root: Path, dest: Path) -> None:
    """Copy the working tree's tracked and non-ignored files (not .git, .venv or caches) into ``dest``."""
    for f in _project_files(root):
        target = dest / f
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / f, target)


def _env(copy: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(copy / "src"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run_tests(copy: Path, tests: tuple[str, ...], *, python: str) -> tuple[int, float, str]:
    """Run ``pytest -x -q`` on ``tests`` in ``copy``; return (exit code, seconds, output tail)."""
    t0 = time.perf_counter()
    try:
        p = subprocess.run(
            [python, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
            cwd=copy, env=_env(copy), capture_output=True, text=True, timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return -1, time.perf_counter() - t0, "timeout"
    tail = "\n".join((p.stdout + p.stderr).strip().splitlines()[-3:])
    return p.returncode, time.perf_counter() - t0, tail


def verdict(code: int) -> str:
    """``killed`` for failing tests (1) or a collection/import error (2), ``survived`` for 0, else ``error``."""
    if code == 0:
        return "survived"
    if code in (1, 2):
        return "killed"
    if code == -1:
        return "killed (timeout)"
    return "error"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("lists", nargs="*", type=Path, help=f"TOML mutation lists (default {DEFAULT_GLOB})")
    ap.add_argument("-k", dest="keyword", default=None, help="run only mutations whose name contains this")
    ap.add_argument("--check", action="store_true", help="only validate the lists against the tree")
    ap.add_argument("--root", type=Path, default=ROOT, help="repository root (default: this checkout)")
    ap.add_argument("--python", default=sys.executable, help="interpreter that runs pytest")
    ap.add_argument("--no-baseline", action="store_true", help="skip the unmutated run of the tests")
    args = ap.parse_args(argv)
    root = args.root.resolve()
    lists = args.lists or sorted(root.glob(DEFAULT_GLOB))
    try:
        mutations = [m for p in lists for m in load_mutations(p)]
    except MutationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.keyword:
        mutations = [m for m in mutations if args.keyword in m.name]
    problems = check_mutations(root, mutations)
    if problems:
        for p in problems:
            print(f"error: {p}", file=sys.stderr)
        return 2
    if not mutations:
        print("error: no mutations selected", file=sys.stderr)
        return 2
    if args.check:
        print(f"{len(mutations)} mutation(s) valid")
        return 0

    results: list[tuple[Mutation, str, float]] = []
    with tempfile.TemporaryDirectory(prefix="cohorts-mutation-") as tmp:
        copy = Path(tmp)
        copy_project(root, copy)
        probe = subprocess.run([args.python, "-c", "import cohorts; print(cohorts.__file__)"],
                               cwd=copy, env=_env(copy), capture_output=True, text=True)
        if not probe.stdout.strip().startswith(str(copy)):
            print(f"error: the copy's package is not the one imported ({probe.stdout.strip() or probe.stderr})",
                  file=sys.stderr)
            return 1
        if not args.no_baseline:
            all_tests = tuple(dict.fromkeys(t for m in mutations for t in m.tests))
            code, secs, tail = run_tests(copy, all_tests, python=args.python)
            print(f"baseline: {len(all_tests)} test path(s) unmutated: exit {code} in {secs:.0f} s", flush=True)
            if code != 0:
                print(f"error: the listed tests fail without any mutation:\n{tail}", file=sys.stderr)
                return 1
        for m in mutations:
            target = copy / m.file
            original = target.read_bytes()
            try:
                target.write_text(mutate_text(original.decode("utf-8"), m), encoding="utf-8")
                code, secs, tail = run_tests(copy, m.tests, python=args.python)
            finally:
                target.write_bytes(original)
            v = verdict(code)
            results.append((m, v, secs))
            print(f"{v:>16}  {secs:6.1f} s  {m.name}", flush=True)
            if v == "error":
                print(f"    {tail}", flush=True)

    width = max(len(m.name) for m, _, _ in results)
    print()
    print(f"{'mutation':<{width}}  {'result':<16}  {'seconds':>7}  file: description")
    for m, v, secs in results:
        print(f"{m.name:<{width}}  {v:<16}  {secs:7.1f}  {m.file}: {m.description}")
    survived = [m.name for m, v, _ in results if v in ("survived", "error")]
    killed = len(results) - len(survived)
    print(f"\n{killed} of {len(results)} killed" + (f"; survived or failed to run: {survived}" if survived else ""))
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
