"""Notification channels: plug-in modules behind one interface (``base.Channel``).

Each module named in ``FTP_NOTIFICATION_CHANNELS`` exposes ``CHANNEL``, an
object with a ``name`` (a ``Channel`` value), ``accepts(user)`` and
``send(notification, delivery)``. Tests swap the setting to swap channels.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import import_module

from django.conf import settings

from .base import ChannelPlugin


@lru_cache(maxsize=8)
def _load(paths: tuple[str, ...]) -> dict[str, ChannelPlugin]:
    loaded: dict[str, ChannelPlugin] = {}
    for path in paths:
        plugin: ChannelPlugin = import_module(path).CHANNEL
        loaded[plugin.name] = plugin
    return loaded


def enabled_channels() -> dict[str, ChannelPlugin]:
    """The configured channels by name, in the order the setting lists them."""
    return _load(tuple(settings.FTP_NOTIFICATION_CHANNELS))


def channel_for(name: str) -> ChannelPlugin:
    """The plug-in for ``name``; a channel no longer configured raises KeyError."""
    return enabled_channels()[name]
