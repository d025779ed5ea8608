"""`shortened`: text that fits is kept whole; longer text is cut to the limit, ellipsis included."""

from domain.wording import shortened


def test_text_that_fits_is_kept_whole():
    assert shortened("zumba", 5) == "zumba"


def test_longer_text_is_cut_to_the_limit_with_an_ellipsis():
    cut = shortened("neglect champions network", 12)
    assert cut == "neglect cha…" and len(cut) == 12


def test_a_cut_drops_the_space_before_the_ellipsis():
    assert shortened("neglect champions", 9) == "neglect…"
