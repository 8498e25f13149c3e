"""The signing keys from SSM Parameter Store, read once at a function's cold start.

In AWS the template sets ``TINGSHENG_SECRETS_PATH`` (``/tingsheng/<stage>``)
and the operator stores one SecureString per key under it, named after its
environment variable (``/tingsheng/prod/TINGSHENG_TOKEN_KEY``). CloudFormation
cannot put a SecureString into a Lambda environment variable, so the function
reads them itself. Locally nothing is read: the environment has the keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from chalicelib.config import ConfigurationError

if TYPE_CHECKING:  # boto3's client types: a development dependency, never loaded in Lambda
    from mypy_boto3_ssm.client import SSMClient

SECRET_NAMES = ("TINGSHENG_TOKEN_KEY", "TINGSHENG_QR_KEY")
PATH_VARIABLE = "TINGSHENG_SECRETS_PATH"


def with_parameter_store_secrets(env: Mapping[str, str], ssm_client: SSMClient) -> dict[str, str]:
    """``env`` plus the keys it lacks, read from the parameters under its secrets path."""
    path = env.get(PATH_VARIABLE, "").rstrip("/")
    missing = [name for name in SECRET_NAMES if not env.get(name)]
    if not path or not missing:
        return dict(env)
    wanted = {f"{path}/{name}": name for name in missing}
    answer = ssm_client.get_parameters(Names=list(wanted), WithDecryption=True)
    if answer.get("InvalidParameters"):
        raise ConfigurationError(
            f"SSM Parameter Store lacks {', '.join(sorted(answer['InvalidParameters']))}: see docs/deploy.md"
        )
    return {**env, **{wanted[p["Name"]]: p["Value"] for p in answer["Parameters"]}}
