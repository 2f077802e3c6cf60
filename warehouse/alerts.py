"""Alerts through Airflow's notifier interface.

``LogAlertNotifier`` always runs and writes one clear line; e-mail (SMTP provider) and
Slack (Slack provider, if installed) are added when configured:

- ``SMARTCITY_ALERT_EMAIL`` - comma-separated recipients (uses the ``smtp_default`` connection);
- ``SMARTCITY_ALERT_SLACK_CONN`` - an Airflow connection id for Slack's webhook notifier.

Only ``airflow.sdk`` is imported here, so DAG files can use it at parse time.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.sdk import BaseNotifier

from smartcity import settings

log = logging.getLogger("smartcity.alerts")


class LogAlertNotifier(BaseNotifier):
    """Writes the alert as one ERROR line that names the DAG, run, task and problem."""

    template_fields = ("message",)

    def __init__(self, message: str = "") -> None:
        super().__init__()
        self.message = message

    def notify(self, context: Any) -> None:
        log.error("SMARTCITY ALERT: %s", self.message or describe_failure(context))


def describe_failure(context: Any) -> str:
    ti = context.get("ti") or context.get("task_instance")
    run = context.get("run_id") or getattr(context.get("dag_run"), "run_id", "?")
    task = getattr(ti, "task_id", "?")
    error = context.get("exception")
    return f"smartcity_refresh run {run}: task {task} failed: {error}"


def notifiers(message: str = "") -> list[BaseNotifier]:
    """The log notifier plus any configured e-mail or Slack notifier."""
    found: list[BaseNotifier] = [LogAlertNotifier(message)]
    subject = "Smart City warehouse alert"
    body = message or "{{ ti.task_id }} failed in run {{ run_id }}: {{ exception }}"
    if recipients := settings.alert_email():
        try:
            from airflow.providers.smtp.notifications.smtp import SmtpNotifier
        except ImportError:
            log.warning("SMARTCITY_ALERT_EMAIL is set but the SMTP provider is not installed")
        else:
            found.append(SmtpNotifier(to=recipients, subject=subject, html_content=body))
    if slack_conn := settings.alert_slack_conn():
        try:
            from airflow.providers.slack.notifications.slack_webhook import SlackWebhookNotifier
        except ImportError:
            log.warning("SMARTCITY_ALERT_SLACK_CONN is set but the Slack provider is not installed")
        else:
            found.append(SlackWebhookNotifier(slack_webhook_conn_id=slack_conn, text=body))
    return found


def on_failure(context: Any) -> None:
    """Failure callback for the DAG's tasks."""
    for notifier in notifiers():
        notifier(context)


def alert(context: Any, message: str) -> None:
    """Send ``message`` through every configured notifier (e.g. a source gone stale)."""
    for notifier in notifiers(message):
        notifier(context)
