import pytest

from transfers.countries import in_sentence


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("United States of America", "the United States of America"),
        ("United Kingdom", "the United Kingdom"),
        ("Netherlands", "the Netherlands"),
        ("Cayman Islands", "the Cayman Islands"),
        ("United Arab Emirates", "the United Arab Emirates"),
        ("France", "France"),
        ("India", "India"),
        ("Switzerland", "Switzerland"),
    ],
)
def test_country_names_take_the_article_english_gives_them(name, text):
    assert in_sentence(name) == text
