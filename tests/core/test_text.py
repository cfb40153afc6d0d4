"""core.text: the wording helpers."""


def test_counted_says_one_or_many_never_s_in_brackets():
    from core.text import counted

    assert counted(1, "request") == "1 request"
    assert counted(0, "request") == "0 requests"
    assert counted(2, "request") == "2 requests"
    assert counted(1_500, "school") == "1,500 schools"
    assert counted(3, "child", "children") == "3 children"


def test_uk_postcode_is_a_whole_postcode_written_as_royal_mail_writes_it():
    from core.text import uk_postcode

    for typed, kept in [("n165ag", "N16 5AG"), (" E8  1LP", "E8 1LP"), ("sw1a 1aa", "SW1A 1AA"), ("W1A0AX", "W1A 0AX")]:
        assert uk_postcode(typed) == kept
    for refused in ["N16", "London", "", None, "N16 5AGX", "123 456"]:
        assert uk_postcode(refused) is None


def test_uk_phone_has_10_to_13_digits_and_nothing_but_phone_characters():
    from core.text import uk_phone

    for typed in ["020 7946 0000", "+44 (0)20 7946 0000", "07700-900123", " 020  7946 0000 "]:
        assert uk_phone(typed) == " ".join(typed.split())
    for refused in ["call reception", "12345", "020 7946 0000 ext 12", "", None]:
        assert uk_phone(refused) is None
