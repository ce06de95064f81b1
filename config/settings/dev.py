"""The demo and local development: debug on, served by runserver on 127.0.0.1."""

from .base import *  # noqa: F403

DEBUG = True
