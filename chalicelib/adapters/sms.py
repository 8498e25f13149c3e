"""Sending an SMS (survey invitations): SNS where it sends SMS, a log line locally.

AWS China regions send no SMS through SNS; there production plugs in an HTTP
adapter for a domestic SMS gateway behind the same port (SPEC §3.1). The log
line never holds the full number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger

from chalicelib.domain.privacy import mask_phone

if TYPE_CHECKING:  # boto3's client types: a development dependency, never loaded in Lambda
    from mypy_boto3_sns.client import SNSClient

logger = Logger(service="tingsheng", child=True)


class SnsSms:
    def __init__(self, client: SNSClient) -> None:
        self.client = client

    def send(self, phone: str, text: str) -> None:
        self.client.publish(
            PhoneNumber=f"+86{phone}",
            Message=text,
            MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
        )


class LogSms:
    """Locally an SMS is a log line: who (masked) would receive what."""

    def send(self, phone: str, text: str) -> None:
        logger.info("sms", extra={"phone": mask_phone(phone), "text": text})
