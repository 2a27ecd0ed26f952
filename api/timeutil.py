"""UTC timestamps: the API's one format is ISO 8601 with milliseconds and Z."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time in UTC, truncated to milliseconds (what the API can express)."""
    return to_millis(datetime.now(UTC))


def to_millis(value: datetime) -> datetime:
    """An aware datetime in UTC, truncated to whole milliseconds."""
    if value.tzinfo is None:
        raise ValueError("timestamp must carry a timezone")
    value = value.astimezone(UTC)
    return value.replace(microsecond=value.microsecond - value.microsecond % 1000)


def format_ts(value: datetime) -> str:
    """2025-03-10T12:05:00.000Z."""
    value = to_millis(value)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
