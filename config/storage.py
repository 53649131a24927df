"""Static files in production: whitenoise's compressed, content-hashed storage,
tolerant of one thing it cannot fix.

viewflow's bundled Roboto stylesheet refers to font files viewflow does not
ship; the hashing pass would refuse the whole ``collectstatic`` for them. A
reference to a missing file is left as written (the browser gets a 404 for
that one font weight, as it does today) and every file that exists is hashed.

Files are compressed with gzip only, whether or not a ``brotli`` module
happens to be installed (the load benchmark's locust brings one): brotli at
whitenoise's quality 11 took minutes over viewflow's bundle on two cores,
which made ``collectstatic``, and so every deploy and ``make serve``,
depend on an unrelated package. Every browser accepts gzip.
"""

from __future__ import annotations

from typing import Any

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    def create_compressor(self, **kwargs: Any) -> Compressor:
        return Compressor(**{**kwargs, "use_brotli": False})

    def hashed_name(self, name: str, content: Any = None, filename: str | None = None) -> str:
        try:
            return str(super().hashed_name(name, content, filename))
        except ValueError:  # whitenoise's MissingFileError: a reference to no file
            return name
