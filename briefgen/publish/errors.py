"""PublishFailed: a one-line reason a publish did not happen (or stopped)."""


class PublishFailed(Exception):
    """What went wrong, for the user; never holds a credential."""
