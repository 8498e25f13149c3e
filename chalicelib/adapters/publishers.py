"""Delivering stored notifications: SNS in AWS, a log line locally."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger

from chalicelib.domain.notifications import Notification

if TYPE_CHECKING:  # boto3's client types: a development dependency, never loaded in Lambda
    from mypy_boto3_sns.client import SNSClient

logger = Logger(service="tingsheng", child=True)


class SnsPublisher:
    def __init__(self, client: SNSClient, topic_arn: str) -> None:
        self.client = client
        self.topic_arn = topic_arn

    def publish(self, notification: Notification) -> None:
        self.client.publish(
            TopicArn=self.topic_arn,
            Subject=notification.subject[:100],
            Message=json.dumps(notification.model_dump(mode="json"), ensure_ascii=False),
            MessageAttributes={
                "hall_code": {"DataType": "String", "StringValue": notification.hall_code},
                "audiences": {"DataType": "String.Array", "StringValue": json.dumps(list(notification.audiences))},
                "kind": {"DataType": "String", "StringValue": notification.kind},
            },
        )


class LogPublisher:
    """Locally the outbox item is the record; delivery is a log line saying who would hear what."""

    def publish(self, notification: Notification) -> None:
        logger.info(
            "notification",
            extra={
                "notification_id": notification.id,
                "kind": notification.kind,
                "hall_code": notification.hall_code,
                "audiences": list(notification.audiences),
                "subject": notification.subject,
            },
        )
