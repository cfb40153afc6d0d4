"""What each role gets from a GET of every public URL. The sign-up, its links and the open figures need no sign-in;
the sign-up's admin pages are for programme admins."""

from core.access import AccessRow

ANON = {"anonymous": 302}
ADMIN_ONLY = {**ANON, "default": 403, "programme_admin": 200}


ROWS = [
    AccessRow("public:home", {"default": 200}, notes="Signed in: your tasks first."),
    AccessRow("public:privacy", {"default": 200}),
    AccessRow("public:cookies", {"default": 200}),
    AccessRow("public:accessibility", {"default": 200}),
    AccessRow("public:figures", {"default": 200}),
    AccessRow("public:signup", {"default": 200}),
    AccessRow("public:feedback", {"default": 200}),
    AccessRow("public:signup_sent", {"default": 200}),
    AccessRow("public:signup_confirm", {"default": 200}, kwargs="public.confirm_token", notes="GET shows the button."),
    AccessRow("public:unsubscribe", {"default": 200}, kwargs="public.unsubscribe_token", notes="GET shows the button."),
    AccessRow(
        "public:unsubscribe_one_click",
        {"default": 200},
        kwargs="public.unsubscribe_token",
        notes="RFC 8058 address: a GET (mail scanner) only shows the button; the one-click POST unsubscribes.",
    ),
    AccessRow("public:updates_admin", ADMIN_ONLY),
    AccessRow("public:updates_export", ADMIN_ONLY),
    AccessRow("public:updates_send", ADMIN_ONLY),
    AccessRow("public:consent_statement_new", ADMIN_ONLY),
    AccessRow("public-api:figures", {"default": 200}, notes="Open data: no sign-in."),
    AccessRow("public-api:figures-csv", {"default": 200}, kwargs=lambda: {"dataset": "wands-take-up"}),
]
