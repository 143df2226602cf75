"""The one base class for problems a user can act on.

The CLI prints these as one line naming the thing and the reason (no traceback unless
--verbose); the app shows them in one message box. Anything else is a bug and is
logged with its traceback.
"""


class CopilotError(Exception):
    """A file, device, model or setting the user can fix; the message says which and why."""
