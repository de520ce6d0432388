"""briefgen: turn a folder of clippings and YAML summaries into a briefing site and PDF."""

__version__ = "0.1.0"
