"""`links.addresses`: one page's address for each record of a long list, reversed once."""

from __future__ import annotations

from django.urls import reverse, set_script_prefix

from nextsteps.links import PLACEHOLDER, addresses


def test_each_key_gets_the_address_reverse_would_give() -> None:
    keys = [1, 42, PLACEHOLDER + 1, 10**12]
    assert addresses("casework:case", keys) == {key: reverse("casework:case", args=[key]) for key in keys}
    assert addresses("records:person-detail", [7]) == {7: reverse("records:person-detail", args=[7])}


def test_it_keeps_the_prefix_of_a_site_served_below_the_root() -> None:
    set_script_prefix("/nextsteps/")
    try:
        address = addresses("casework:case", [5])[5]
        assert address == reverse("casework:case", args=[5])
        assert address.startswith("/nextsteps/")
    finally:
        set_script_prefix("/")
