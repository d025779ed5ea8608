"""The aliases cell of a course or group (domain.aliases)."""

from domain.aliases import alias_problem, format_aliases, parse_aliases


def test_aliases_are_split_on_semicolons_or_commas_trimmed_and_kept_once():
    assert parse_aliases(" GCP2 ;graded  care profile, gcp2 ;; ") == ("GCP2", "graded care profile")
    assert parse_aliases(None) == ()
    assert format_aliases(("GCP2", "GCP")) == "GCP2; GCP"


def test_a_long_alias_or_too_many_are_a_problem_to_report():
    assert alias_problem("GCP2; GCP") == ""
    assert "longer than 60" in alias_problem("x" * 61)
    assert "500" in alias_problem("; ".join(f"alias {n:03}" for n in range(60)))
