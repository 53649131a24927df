"""The API's JSON parser: DRF's, made safe for any bytes a client can send."""

from __future__ import annotations

import json
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing with 400 two inputs that otherwise end in a 500.

    * Nesting deeper than Python's recursion limit (``[[[[...]]]]``): the decoder
      raises RecursionError, which DRF does not catch.
    * Unpaired surrogate escapes (``"\\ud800"``): Python decodes them, but they
      cannot be encoded as UTF-8, so echoing one back (an unknown field's name,
      a wrong choice) fails while rendering the answer.
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except RecursionError as exc:
            raise ParseError("JSON parse error - the body is nested too deeply.") from exc
        except UnicodeEncodeError as exc:
            raise ParseError(
                "JSON parse error - the body has an unpaired surrogate escape (not Unicode)."
            ) from exc
        return data
