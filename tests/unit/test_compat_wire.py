"""The wire model documents exactly the compatibility levels the core knows."""

from __future__ import annotations

import typing

from schemareg.compat import Compatibility
from schemareg_api.models import EnvironmentConfig


def test_the_documented_levels_are_the_cores() -> None:
    hints = typing.get_type_hints(EnvironmentConfig)
    assert set(typing.get_args(hints["compatibility"])) == {level.value for level in Compatibility}
