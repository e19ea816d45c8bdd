"""Stratus configuration: one home for every setting (see settings.py)."""
from stratus.config.settings import Settings, get_settings, is_rabbitmq, reset_settings

__all__ = ["Settings", "get_settings", "is_rabbitmq", "reset_settings"]
