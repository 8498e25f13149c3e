"""``make package STAGE=prod``: the deployable SAM template and zip under build/<stage>/.

Runs ``chalice package --merge-template infra/resources.json``: the merge
template adds the table, topics, dead-letter queue, roles, log groups and
alarms, and patches the functions chalice generates (their roles, names and
the stream event source) by their SAM logical ids. What a static merge cannot
do is done here, and only this:

- the template's ``Stage`` parameter defaults to the stage that was packaged,
  so a prod package deploys prod settings (deletion protection, log retention)
  without anyone passing ``Stage=prod``;
- the merge is checked: a function id in infra/resources.json that chalice no
  longer generates (a renamed handler) would otherwise become a half resource;
- the zip ships compiled ``.pyc`` files (``compile_package``): Lambda's
  ``/var/task`` is read-only, so without them every cold start compiles every
  module it imports again.

Run with the venv's Python 3.13 or 3.12: it builds the Lambda runtime.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MERGE_TEMPLATE = ROOT / "infra" / "resources.json"
STAGES = ("dev", "prod")
RUNTIMES = ("python3.13", "python3.12")  # Lambda no longer creates python3.11 functions


class PackageError(RuntimeError):
    pass


def build(stage: str, out: Path | None = None) -> Path:
    """Package ``stage`` into ``out`` (default build/<stage>); answers the template's path."""
    if stage not in STAGES:
        raise PackageError(f"stage must be one of {', '.join(STAGES)}, not {stage!r}")
    runtime = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if runtime not in RUNTIMES:
        raise PackageError(f"{runtime} would become the Lambda runtime; run with the venv's Python (3.13 or 3.12)")
    out = out or ROOT / "build" / stage
    shutil.rmtree(out, ignore_errors=True)
    # chalice needs a region to name service principals; the template itself is region-neutral.
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION") or "cn-north-1"}
    chalice = Path(sys.executable).parent / "chalice"
    command = [str(chalice), "package", "--stage", stage, "--merge-template", str(MERGE_TEMPLATE), str(out)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PackageError(f"chalice package failed:\n{result.stdout}{result.stderr}")
    compile_package(out / "deployment.zip")
    path = out / "sam.json"
    template = json.loads(path.read_text(encoding="utf-8"))
    finish(template, stage)
    path.write_text(json.dumps(template, indent=2) + "\n", encoding="utf-8")
    return path


def compile_package(zip_path: Path) -> None:
    """Add each module's ``__pycache__/*.pyc``, compiled by the Python that is the runtime.

    The files are unchecked-hash pycs (PEP 552): a zip keeps times to two seconds, so a
    timestamp pyc could look stale next to its unzipped source and be compiled again, in
    memory, on every cold start; the package never changes after it is built.
    """
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        with zipfile.ZipFile(zip_path) as z:
            entries = z.infolist()
            z.extractall(root)
        compileall.compile_dir(
            root, quiet=2, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH, workers=0
        )
        with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
            for entry in entries:
                z.writestr(entry, (root / entry.filename).read_bytes() if not entry.is_dir() else b"")
            kept = {e.filename for e in entries}
            for compiled in sorted(root.rglob("*.pyc")):
                name = compiled.relative_to(root).as_posix()
                if name not in kept:
                    z.write(compiled, name)


def finish(template: dict[str, Any], stage: str) -> None:
    """Set the stage and check the merge (see the module docstring)."""
    template["Parameters"]["Stage"]["Default"] = stage
    half = [
        logical_id
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function" and "Handler" not in resource["Properties"]
    ]
    if half:
        raise PackageError(
            f"infra/resources.json patches functions chalice no longer generates: {', '.join(half)}; "
            "rename them after the handlers in app.py"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stage", choices=STAGES)
    parser.add_argument("--out", type=Path, help="default: build/<stage>")
    args = parser.parse_args(argv)
    try:
        path = build(args.stage, args.out)
    except PackageError as error:
        sys.exit(str(error))
    print(f"Wrote {path} and {path.parent / 'deployment.zip'}")


if __name__ == "__main__":
    main()
