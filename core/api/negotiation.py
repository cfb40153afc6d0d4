"""Content negotiation for the operations whose answer is a file (a zip, a document, a CSV)."""

from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation


class FileAnswer(DefaultContentNegotiation):
    """Never 406: a client that asks for the file's own type (Accept: application/zip, text/csv) gets the file, and
    an error is JSON as everywhere else. Request bodies are parsed as usual."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            return renderers[0], renderers[0].media_type
