"""Stratus configuration: one home for every setting (see settings.py)."""
from config.settings import Settings, get_settings, reset_settings

__all__ = ["Settings", "get_settings", "reset_settings"]
