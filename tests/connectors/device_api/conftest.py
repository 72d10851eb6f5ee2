"""The API fixtures (an app over each backend, companies A and B) for the counter resource tests."""

from tests.api.conftest import a, b, client

__all__ = ["a", "b", "client"]
