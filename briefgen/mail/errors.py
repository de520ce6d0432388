"""The one error of the email stack that is not about the briefing's content."""

from __future__ import annotations


class EmailFailed(Exception):
    """A one-line reason the briefing could not be addressed, composed or sent."""
