"""A cold ``import app`` against a cold ``import boto3``, in the checkout and from the package.

Run: .venv/bin/python -m bench.cold_import [--runs 9] [--package build/dev]

Each import runs in a fresh interpreter (``-I``: no user site, no PYTHON* variables),
timed inside it around the import statement alone; the four kinds are interleaved
run by run so that a busy machine slows them alike. ``--package`` names a
``make package`` output to unzip (default: build one now). From the package,
``sys.path`` holds the unzipped files first and then the venv's site-packages,
where boto3 stands for the Lambda runtime's own; the package's app is timed
as the API function imports it and as the stream and schedule functions do
(``TINGSHENG_FUNCTION=events``: no routes). Prints the medians and the ratios
app / boto3 (goal ≤ 1.25).

The app serves its routes from a table and loads a route's module on the route's
first request, so a cold ``import app`` leaves that work (and boto3) to the
first request. For the whole of it, the package's app is also timed with what
the first device batch loads before it touches storage: the boundary, the
batch route's module and boto3.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TIMED = """
import sys, time
sys.path[:0] = {paths!r}
began = time.perf_counter()
{statement}
print(time.perf_counter() - began)
"""
# What the first device batch loads before it touches storage (web.serving.LazyView).
FIRST_BATCH = (
    "import app, boto3, chalicelib.web.boundary; "
    'app.app.routes["/api/v1/device/ratings"]["POST"].view_function.loaded()'
)


def timed(statement: str, paths: list[str], cwd: Path, function: str = "api") -> float:
    code = TIMED.format(paths=paths, statement=statement)
    env = {"PATH": "/usr/bin:/bin", "TINGSHENG_STAGE": "prod", "AWS_DEFAULT_REGION": "cn-north-1"}
    if function == "events":
        env["TINGSHENG_FUNCTION"] = "events"  # as the template sets it for the stream and schedule functions
    answer = subprocess.run(
        [sys.executable, "-I", "-c", code],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(answer.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--package", type=Path, help="a make package output directory (default: build one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        built = args.package
        if built is None:
            from infra import package

            built = package.build("dev", Path(work) / "dev").parent
        unzipped = Path(work) / "unzipped"
        with zipfile.ZipFile(built / "deployment.zip") as z:
            z.extractall(unzipped)
        site = [p for p in sys.path if p.endswith("site-packages")]
        kinds = {
            "checkout: boto3": ("import boto3", [str(ROOT), *site], ROOT, "api"),
            "checkout: app": ("import app", [str(ROOT), *site], ROOT, "api"),
            "package: boto3": ("import boto3", [str(unzipped), *site], unzipped, "api"),
            "package: app": ("import app", [str(unzipped), *site], unzipped, "api"),
            "package: app (events)": ("import app", [str(unzipped), *site], unzipped, "events"),
            "package: first batch": (FIRST_BATCH, [str(unzipped), *site], unzipped, "api"),
        }
        times: dict[str, list[float]] = {k: [] for k in kinds}
        for _ in range(args.runs):
            for name, (module, paths, cwd, function) in kinds.items():
                times[name].append(timed(module, paths, cwd, function))
    medians = {k: statistics.median(v) for k, v in times.items()}
    print(f"cold imports, medians of {args.runs} interleaved runs (ms)\n")
    for name, value in medians.items():
        print(f"{name:<24}{value * 1000:>8.0f}")
    for where in ("checkout", "package"):
        ratio = medians[f"{where}: app"] / medians[f"{where}: boto3"]
        print(f"{where}: app / boto3 = {ratio:.2f}  (goal ≤ 1.25)")
    events = medians["package: app (events)"] / medians["package: boto3"]
    print(f"package, stream and schedule functions: app / boto3 = {events:.2f}")
    first = medians["package: first batch"] / medians["package: boto3"]
    print(f"package, app and what the first device batch loads: / boto3 = {first:.2f}")


if __name__ == "__main__":
    main()
