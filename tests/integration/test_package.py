"""The Lambda package: `chalice package` ships templates/ through vendor/ and the
app imports and renders a page from an unzipped copy, with nothing else on the path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from devstack.dynamodb_local import ROOT

RENDER = r"""
import json, sys
sys.path[:] = [p for p in sys.path if "site-packages" not in p and p != ""] + [sys.argv[1]]
import app
event = {
    "resource": "/", "path": "/", "httpMethod": "GET", "headers": {"Accept": "text/html"},
    "multiValueHeaders": {}, "queryStringParameters": None, "multiValueQueryStringParameters": None,
    "pathParameters": None, "stageVariables": None, "body": None, "isBase64Encoded": False,
    "requestContext": {"resourcePath": "/", "httpMethod": "GET", "path": "/api/", "requestId": "r1"},
}
class Context:
    function_name = "tingsheng"; aws_request_id = "r1"; memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws-cn:lambda:cn-north-1:123456789012:function:tingsheng"
answer = app.app(event, Context())
print(json.dumps({"status": answer["statusCode"], "body": answer["body"], "file": app.__file__}))
"""


def test_the_package_ships_templates_and_renders_a_page_from_an_unzipped_copy(tmp_path: Path):
    out = tmp_path / "package"
    env = {**os.environ, "AWS_DEFAULT_REGION": "cn-north-1"}
    subprocess.run(
        [str(Path(sys.executable).parent / "chalice"), "package", "--stage", "dev", str(out)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    sam = json.loads((out / "sam.json").read_text())
    runtimes = {r["Properties"].get("Runtime") for r in sam["Resources"].values() if "Runtime" in r["Properties"]}
    assert runtimes == {f"python{sys.version_info.major}.{sys.version_info.minor}"} and "python3.11" not in runtimes

    unzipped = tmp_path / "unzipped"
    with zipfile.ZipFile(out / "deployment.zip") as z:
        names = set(z.namelist())
        z.extractall(unzipped)
    assert {"app.py", "templates/base.html", "templates/home.html"} <= names
    assert not any(n.startswith(("tests/", "devstack/", "node_modules/")) for n in names)

    result = subprocess.run(
        [sys.executable, "-I", "-c", RENDER, str(unzipped)],
        cwd=tmp_path,
        env={"PATH": os.environ["PATH"], "TINGSHENG_STAGE": "dev"},
        check=True,
        capture_output=True,
        text=True,
    )
    rendered = json.loads(result.stdout.strip().splitlines()[-1])
    assert rendered["file"].startswith(str(unzipped))
    assert rendered["status"] == 200
    assert "厅声" in rendered["body"]
