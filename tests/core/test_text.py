"""core.text: the wording helpers."""


def test_counted_says_one_or_many_never_s_in_brackets():
    from core.text import counted

    assert counted(1, "request") == "1 request"
    assert counted(0, "request") == "0 requests"
    assert counted(2, "request") == "2 requests"
    assert counted(1_500, "school") == "1,500 schools"
    assert counted(3, "child", "children") == "3 children"
