"""The failure e-mail of an automated import, with the file's log attached."""

from __future__ import annotations

import logging
from typing import Any

from footfall.settings import Settings
from footfall.transfer.mail import Attachment, MailError, mail_server, outbox_dir, send_mail

log = logging.getLogger(__name__)


async def notify_failure(settings: Settings, schedule: dict[str, Any], what: str,
                         file_name: str | None, log_csv: str | None) -> str | None:
    """Tell the schedule's notify address what failed; where the mail went (None: no address)."""
    address = schedule.get("notify_email")
    if not address:
        return None
    body = (f"The automated sales import {schedule['name']!r} did not import everything.\n\n"
            f"{what}\n\n"
            "Nothing of a file with errors is stored (unless the schedule imports valid rows "
            "only). The attached log lists every error: line, field, value, reason. Fix the file "
            "and put it in the folder again; it is picked up on the next run.\n")
    attachments = []
    if file_name and log_csv:
        attachments.append(Attachment(f"{file_name}.log.csv", log_csv.encode("utf-8"), "text/csv"))
    try:
        return await send_mail(mail_server(settings), outbox_dir(settings), [address],
                               f"footfall: sales import failed ({schedule['name']})", body, attachments)
    except MailError as error:
        log.warning("sales schedule %s: failure e-mail not sent: %s", schedule["id"], error)
        return None
