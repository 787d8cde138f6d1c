"""Benchmark: 1,000 flowspec checks over a 200-key flow context against bare lookups.

Baseline, measured in the same run: the same 1,000 JSONPath lookups done by jsonpath-ng
alone, with every expression parsed in advance (``compiled.find(context)``, values
taken). The checks are a mix a scenario writes: equals on leaves, markers, contains,
contains only, each, count, regex, comparisons and a filter, all passing, as most checks
of a green run do. Target (issue 4): the checks cost at most 2x the lookups. Each side
runs ``--repeat`` times; the median is reported.

    python bench/expect_checks.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from flowspec.expect import (
    check_compare,
    check_count,
    check_each,
    check_match,
    check_regex,
    compile_path,
    rooted,
)

CHECKS = 1000
# Custom attributes fill the context up to 200 keys, counted at every depth.
ATTRIBUTES = 33
TARGET = 2.0


def context() -> dict[str, Any]:
    """A completed run's context: flow, screen, user, form, claims and output."""
    return {
        "flow": {
            "id": "sign-in",
            "status": "completed",
            "executionId": "x-1",
            "path": [{"id": f"t{i}", "name": f"Task {i}"} for i in range(8)],
        },
        "screen": {"id": "s1", "name": "Welcome", "inputs": {f"in{i}": "" for i in range(6)}},
        "user": {
            "loggedIn": True,
            "userId": "U2abc",
            "email": "ada@acme.test",
            "name": "Ada Lovelace",
            "roles": ["admin", "viewer", "editor"],
            "customAttributes": {f"attr{i}": f"value {i}" for i in range(ATTRIBUTES)},
        },
        "form": {f"field{i}": i for i in range(50)},
        "jwtClaims": {"sub": "U2abc", "amr": ["pwd"], "roles": ["admin"], "exp": 1_900_000_000},
        "authInfo": {
            "sessionJwt": {
                "sub": "U2abc",
                "iss": "P2bench",
                "amr": ["pwd", "otp"],
                "roles": ["admin"],
                "exp": 1_900_000_000,
                "tenants": {"T1": {"roles": ["admin"], "permissions": ["read", "write"]}},
            },
        },
        "output": {f"out{i}": {"ok": True, "n": i} for i in range(20)},
        "error": None,
    }


def count_keys(value: Any) -> int:
    if isinstance(value, dict):
        return len(value) + sum(count_keys(item) for item in value.values())
    if isinstance(value, list):
        return sum(count_keys(item) for item in value)
    return 0


Check = tuple[str, Callable[[Any, str], None]]


def checks() -> list[Check]:
    """1,000 checks cycling through about a hundred distinct paths."""
    kinds: list[Check] = [
        ("$.flow.status", lambda doc, path: check_match(doc, path, "completed")),
        ("$.user.loggedIn", lambda doc, path: check_match(doc, path, True)),
        ("$.user.email", lambda doc, path: check_match(doc, path, "#email")),
        ("$.user.roles", lambda doc, path: check_match(doc, path, "admin", mode="contains")),
        (
            "$.authInfo.sessionJwt.amr",
            lambda doc, path: check_match(doc, path, ["otp", "pwd"], mode="contains only"),
        ),
        (
            "$.flow.path",
            lambda doc, path: check_each(doc, path, {"id": "#string", "name": "#string"}),
        ),
        ("$.user.roles", lambda doc, path: check_count(doc, path, 3)),
        ("$.user.userId", lambda doc, path: check_regex(doc, path, "^U2")),
        ("$.authInfo.sessionJwt.exp", lambda doc, path: check_compare(doc, path, ">", 1e9)),
        (
            "$.flow.path[?(@.id == 't3')].name",
            lambda doc, path: check_match(doc, path, "Task 3"),
        ),
        (
            "$.authInfo.sessionJwt.tenants.T1.permissions",
            lambda doc, path: check_match(doc, path, "write", mode="contains"),
        ),
    ]
    leaves: list[Check] = [
        (f"$.form.field{i}", lambda doc, path, i=i: check_match(doc, path, i)) for i in range(50)
    ]
    leaves += [
        (f"$.user.customAttributes.attr{i}", lambda doc, path: check_match(doc, path, "#string"))
        for i in range(ATTRIBUTES)
    ]
    pool = kinds + leaves
    return [pool[i % len(pool)] for i in range(CHECKS)]


def run_checks(document: Any, planned: list[Check]) -> float:
    start = time.perf_counter()
    for path, check in planned:
        check(document, path)
    return time.perf_counter() - start


def run_lookups(document: Any, compiled: list[Any]) -> float:
    start = time.perf_counter()
    for path in compiled:
        [match.value for match in path.find(document)]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    repeat = parser.parse_args().repeat
    document = context()
    planned = checks()
    # compile_path returns jsonpath-ng's own parsed expression: the baseline is its find.
    compiled = [compile_path(rooted(path)) for path, _ in planned]
    assert count_keys(document) == 200
    run_checks(document, planned)  # warm the caches the checks rely on
    run_lookups(document, compiled)
    lookups = statistics.median(run_lookups(document, compiled) for _ in range(repeat))
    flowspec = statistics.median(run_checks(document, planned) for _ in range(repeat))
    ratio = flowspec / lookups
    print(f"context: {count_keys(document)} keys; {CHECKS} checks; median of {repeat} runs")
    print(f"{'measure':<48}{'total':>10}{'per check':>12}")
    for name, seconds in (
        ("jsonpath-ng lookups, parsed in advance (baseline)", lookups),
        ("flowspec checks", flowspec),
    ):
        print(f"{name:<48}{seconds * 1e3:>8.2f} ms{seconds / CHECKS * 1e6:>9.2f} us")
    print(f"ratio checks / lookups: {ratio:.2f}x; target: at most {TARGET:.0f}x")
    print("verdict:", "within target" if ratio <= TARGET else "OVER TARGET")


if __name__ == "__main__":
    main()
