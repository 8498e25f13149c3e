"""The deployable package, built once per session as `make package STAGE=prod` builds it:
cfn-lint finds nothing, the zip fits Lambda and renders a page from an unzipped copy,
the stream and schedules are wired, IAM is least privilege and partition-neutral."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devstack import server, tables
from devstack.dynamodb_local import ROOT
from infra import package

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

ROLES = {
    "APIHandler": "ApiRole",
    "TableChanges": "StreamRole",
    "CallbackClocks": "JobsRole",
    "SuggestionDigest": "JobsRole",
    "PhoneRetention": "JobsRole",
    "OutreachReminder": "JobsRole",
    "AlertChecks": "JobsRole",
    "ExportJobs": "ExportRole",
    "ExportSweep": "JobsRole",
    "TicketClocks": "JobsRole",
}
CFN_LINT = str(Path(sys.executable).parent / "cfn-lint")
TABLE_ACTIONS = {
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
    "dynamodb:BatchGetItem",  # a device's presses are read a minute per item (adapters/dynamodb/presses.py)
    "dynamodb:ConditionCheckItem",  # a transaction's unchanged press minutes are checked, not written
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("package") / "prod"
    package.build("prod", out)
    return out


@pytest.fixture(scope="module")
def template(built: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((built / "sam.json").read_text())
    return loaded


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def statements(template: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for resource in template["Resources"].values():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::ManagedPolicy":
            yield from props["PolicyDocument"]["Statement"]
        for policy in props.get("Policies", []) if resource["Type"] == "AWS::IAM::Role" else []:
            yield from policy["PolicyDocument"]["Statement"]


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def test_cfn_lint_finds_nothing_in_the_template_for_aws_and_aws_china(built: Path):
    result = subprocess.run(
        [CFN_LINT, "--regions", "cn-north-1", "cn-northwest-1", "us-east-1", "--", str(built / "sam.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_function_runs_on_the_python_that_built_the_package(template: dict[str, Any]):
    functions = resources(template, "AWS::Serverless::Function")
    assert set(functions) == set(ROLES)
    runtimes = {f["Properties"]["Runtime"] for f in functions.values()}
    assert runtimes == {f"python{sys.version_info.major}.{sys.version_info.minor}"}
    assert runtimes <= {"python3.13", "python3.12"}


def test_the_zip_is_well_under_lambdas_size_limits(built: Path):
    zipped = (built / "deployment.zip").stat().st_size
    with zipfile.ZipFile(built / "deployment.zip") as z:
        unzipped = sum(i.file_size for i in z.infolist())
    assert zipped < 25 * 2**20  # limit 50 MB zipped
    assert unzipped < 125 * 2**20  # limit 250 MB unzipped


def test_the_package_ships_templates_and_renders_a_page_from_an_unzipped_copy(built: Path, tmp_path: Path):
    unzipped = tmp_path / "unzipped"
    with zipfile.ZipFile(built / "deployment.zip") as z:
        names = set(z.namelist())
        z.extractall(unzipped)
    assert {"app.py", "templates/base.html", "templates/home.html"} <= names
    assert not any(n.startswith(("tests/", "devstack/", "infra/", "node_modules/")) for n in names)

    result = subprocess.run(
        [sys.executable, "-I", "-c", RENDER, str(unzipped)],
        cwd=tmp_path,
        env={"PATH": os.environ["PATH"], "TINGSHENG_STAGE": "prod"},
        check=True,
        capture_output=True,
        text=True,
    )
    rendered = json.loads(result.stdout.strip().splitlines()[-1])
    assert rendered["file"].startswith(str(unzipped))
    assert rendered["status"] == 200
    assert "厅声" in rendered["body"]


def test_the_stream_handler_reads_the_tables_stream_and_reports_partial_batch_failures(template: dict[str, Any]):
    source = template["Resources"]["TableChanges"]["Properties"]["Events"]["TableChangesDynamodbEventSource"]
    props = source["Properties"]
    assert source["Type"] == "DynamoDB"
    assert props["Stream"] == {"Fn::GetAtt": ["Table", "StreamArn"]}
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["BisectBatchOnFunctionError"] is True
    assert 0 < props["MaximumRetryAttempts"] <= 10
    assert props["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["StreamDeadLetters", "Arn"]}
    assert template["Resources"]["StreamDeadLetters"]["Type"] == "AWS::SQS::Queue"


def test_the_schedules_run_at_their_utc_times(template: dict[str, Any]):
    schedules = {
        logical_id: event["Properties"]["Schedule"]
        for logical_id, f in resources(template, "AWS::Serverless::Function").items()
        for event in f["Properties"].get("Events", {}).values()
        if event["Type"] == "Schedule"
    }
    assert schedules == {
        "CallbackClocks": "cron(5 * * * ? *)",
        "SuggestionDigest": "cron(30 0 * * ? *)",  # 08:30 Asia/Shanghai
        "PhoneRetention": "cron(0 19 * * ? *)",  # 03:00 Asia/Shanghai
        "OutreachReminder": "cron(0 1 * * ? *)",  # 09:00 Asia/Shanghai
        "AlertChecks": "cron(0/5 * * * ? *)",  # every five minutes
        "ExportSweep": "rate(5 minutes)",
        "TicketClocks": "cron(10 * * * ? *)",
    }


def test_the_api_is_regional_and_answers_before_api_gateways_29_seconds(template: dict[str, Any]):
    assert template["Resources"]["RestAPI"]["Properties"]["EndpointConfiguration"] == "REGIONAL"
    assert template["Resources"]["APIHandler"]["Properties"]["Timeout"] < 29


def test_each_function_runs_as_its_own_role_with_no_wildcard_on_the_table(template: dict[str, Any]):
    functions = resources(template, "AWS::Serverless::Function")
    assert {k: f["Properties"]["Role"] for k, f in functions.items()} == {
        k: {"Fn::GetAtt": [role, "Arn"]} for k, role in ROLES.items()
    }
    assert "DefaultRole" not in template["Resources"]
    dynamodb = [s for s in statements(template) if any(a.startswith("dynamodb:") for a in s["Action"])]
    assert dynamodb
    for statement in dynamodb:
        assert "*" not in statement["Resource"] and statement["Resource"] != "*"
        assert not any("*" in action for action in statement["Action"])
    table = [s for s in dynamodb if s["Sid"] == "Table"]
    assert len(table) == 1 and set(table[0]["Action"]) == TABLE_ACTIONS


def test_the_table_policy_allows_every_call_the_adapters_make():
    """A new boto3 call in an adapter fails here before it fails in AWS with AccessDenied."""
    source = "\n".join(p.read_text() for p in (ROOT / "chalicelib" / "adapters" / "dynamodb").glob("*.py"))
    calls = set(re.findall(r"client\.([a-z_]+)\(", source)) | set(re.findall(r'get_paginator\("([a-z_]+)"\)', source))
    calls -= {"get_paginator", "transact_write_items"}  # a transaction needs the actions of its parts
    if "ConditionCheck" in source:  # a transaction's ConditionCheck needs its own action
        calls.add("condition_check_item")
    needed = {"dynamodb:" + "".join(w.title() for w in call.split("_")) for call in calls}
    assert needed <= TABLE_ACTIONS, needed - TABLE_ACTIONS


def test_only_the_stream_handler_may_publish_notifications_and_dead_letters(template: dict[str, Any]):
    roles = resources(template, "AWS::IAM::Role")
    actions = {
        logical_id: {
            a
            for p in r["Properties"].get("Policies", [])
            for s in p["PolicyDocument"]["Statement"]
            for a in s["Action"]
        }
        for logical_id, r in roles.items()
    }
    assert {"sns:Publish", "sqs:SendMessage"} <= actions["StreamRole"]
    assert actions["ApiRole"] == actions["JobsRole"] == set()


def test_every_arn_names_its_partition_so_aws_china_works(template: dict[str, Any]):
    text = list(strings(template))
    assert not [s for s in text if s.startswith("arn:aws")]  # a literal ARN would pin one partition
    subs = [s for s in text if s.startswith("arn:")]
    assert subs and all("${AWS::Partition}" in s for s in subs)


def test_the_table_keeps_its_data_in_prod(template: dict[str, Any]):
    table = template["Resources"]["Table"]
    props = table["Properties"]
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"
    assert template["Parameters"]["Stage"]["Default"] == "prod"
    assert props["DeletionProtectionEnabled"] == {"Fn::If": ["IsProd", True, False]}
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert props["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert {i["IndexName"] for i in props["GlobalSecondaryIndexes"]} == {"gsi1", "gsi2"}


def test_the_functions_find_the_table_topic_and_signing_keys_through_the_template(template: dict[str, Any]):
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["TINGSHENG_TABLE"] == {"Ref": "Table"}
    assert variables["TINGSHENG_NOTIFY_TOPIC_ARN"] == {"Ref": "NotifyTopic"}
    assert variables["TINGSHENG_SECRETS_PATH"] == {"Fn::Sub": "/tingsheng/${Stage}"}
    for f in resources(template, "AWS::Serverless::Function").values():
        own = f["Properties"]["Environment"]["Variables"]
        assert own["TINGSHENG_STAGE"] == "prod"
        assert not {"TINGSHENG_TABLE", "TINGSHENG_TOKEN_KEY", "TINGSHENG_QR_KEY"} & set(own)  # would override


def test_alarms_watch_throttles_function_errors_the_api_and_dead_letters(template: dict[str, Any]):
    watched = {
        (a["Properties"]["Namespace"], a["Properties"]["MetricName"])
        for a in resources(template, "AWS::CloudWatch::Alarm").values()
    }
    assert {
        ("AWS/DynamoDB", "ReadThrottleEvents"),
        ("AWS/DynamoDB", "WriteThrottleEvents"),
        ("AWS/Lambda", "Errors"),
        ("AWS/Lambda", "IteratorAge"),
        ("AWS/ApiGateway", "5XXError"),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
    } <= watched
    errors = [
        a["Properties"]["Dimensions"][0]["Value"]
        for a in resources(template, "AWS::CloudWatch::Alarm").values()
        if a["Properties"]["MetricName"] == "Errors"
    ]
    assert sorted(e["Ref"] for e in errors) == sorted(ROLES)


def test_local_start_up_still_reads_the_table_and_gateway_response_from_the_same_file():
    kwargs = tables.create_table_kwargs("tingsheng")
    assert "DeletionProtectionEnabled" not in kwargs
    assert kwargs["KeySchema"][0] == {"AttributeName": "pk", "KeyType": "HASH"}
    assert server._gateway_response("MISSING_AUTHENTICATION_TOKEN")[0] == 404


def test_packaging_refuses_a_merge_that_patches_a_function_chalice_no_longer_makes():
    template = {
        "Parameters": {"Stage": {"Type": "String", "AllowedValues": ["dev", "prod"]}},
        "Resources": {
            "APIHandler": {"Type": "AWS::Serverless::Function", "Properties": {"Handler": "app.app"}},
            "TableChanges": {"Type": "AWS::Serverless::Function", "Properties": {"Role": "x"}},
        },
    }
    with pytest.raises(package.PackageError, match="TableChanges"):
        package.finish(template, "prod")


def test_export_files_go_to_an_encrypted_private_bucket_that_forgets_them_after_7_days(template: dict[str, Any]):
    bucket = template["Resources"]["ExportBucket"]["Properties"]
    rule = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"  # SSE-S3: in aws-cn too
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    (lifecycle,) = bucket["LifecycleConfiguration"]["Rules"]
    assert lifecycle["ExpirationInDays"] == 7 and lifecycle["Prefix"] == "exports/"
    assert template["Globals"]["Function"]["Environment"]["Variables"]["TINGSHENG_EXPORT_BUCKET"] == {
        "Ref": "ExportBucket"
    }
    (deny,) = template["Resources"]["ExportBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    links = template["Resources"]["ExportLinksPolicy"]["Properties"]
    assert links["Roles"] == [{"Ref": "ApiRole"}]  # presigned links are signed by the API's role


def test_the_export_function_runs_queued_jobs_from_the_stream_with_room_to_work(template: dict[str, Any]):
    function = template["Resources"]["ExportJobs"]["Properties"]
    # 1,769 MB is one vCPU: an XLSX of 5,000,000 kept rows is written in about 10 minutes (bench/export_resume.py).
    assert function["Timeout"] == 900 and function["MemorySize"] >= 1769
    assert function["EphemeralStorage"]["Size"] >= 2048  # an XLSX is written to /tmp, then uploaded
    source = function["Events"]["ExportJobsDynamodbEventSource"]
    assert source["Type"] == "DynamoDB" and source["Properties"]["Stream"] == {"Fn::GetAtt": ["Table", "StreamArn"]}
    assert source["Properties"]["BatchSize"] == 1
    (pattern,) = source["Properties"]["FilterCriteria"]["Filters"]
    assert json.loads(pattern["Pattern"])["dynamodb"]["NewImage"]["status"] == {"S": ["queued"]}
    writes = {
        a
        for p in template["Resources"]["ExportRole"]["Properties"]["Policies"]
        for st in p["PolicyDocument"]["Statement"]
        for a in st["Action"]
    }
    # Multipart uploads continued across runs, an XLSX's kept rows read back and removed.
    assert {"s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload", "s3:DeleteObject"} <= writes


def test_the_stream_function_is_invoked_only_for_the_records_it_acts_on(template: dict[str, Any]):
    source = template["Resources"]["TableChanges"]["Properties"]["Events"]["TableChangesDynamodbEventSource"]
    assert (
        source["Properties"]["FilterCriteria"]
        == json.loads((ROOT / "infra" / "resources.json").read_text())["Resources"]["TableChanges"]["Properties"][
            "Events"
        ]["TableChangesDynamodbEventSource"]["Properties"]["FilterCriteria"]
    )


def test_the_package_ships_unchecked_compiled_modules_for_the_runtime(built: Path):
    """Lambda's /var/task is read-only: without .pyc files every cold start compiles again."""
    tag = sys.implementation.cache_tag
    with zipfile.ZipFile(built / "deployment.zip") as z:
        names = set(z.namelist())
        app_pyc = z.read(f"__pycache__/app.{tag}.pyc")
    sources = {n for n in names if n.endswith(".py") and n.startswith(("chalicelib/", "pydantic/", "jinja2/"))}
    compiled = {f"{n.rsplit('/', 1)[0]}/__pycache__/{n.rsplit('/', 1)[1][:-3]}.{tag}.pyc" for n in sources}
    assert sources and compiled <= names
    assert int.from_bytes(app_pyc[4:8], "little") == 0b01  # PEP 552: hash-based, never checked against the source


def test_only_the_api_function_loads_the_routes(template: dict[str, Any]):
    for logical_id, f in resources(template, "AWS::Serverless::Function").items():
        own = f["Properties"]["Environment"]["Variables"]
        assert own.get("TINGSHENG_FUNCTION") == (None if logical_id == "APIHandler" else "events"), logical_id
