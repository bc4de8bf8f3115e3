"""Errors that send a page to quarantine: each names the step that failed."""


class PageError(Exception):
    """A page that cannot become a report. ``step`` says where it failed."""

    step = "extract"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class DecodeError(PageError):
    step = "decode"


class NotAReportError(PageError):
    step = "extract"
