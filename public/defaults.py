"""The topics and first consent statement every installation starts with (loaded by a data migration; demo and
tests call `ensure_defaults` after a transactional test flushed them)."""

TOPICS = [
    ("knife-wands", "Knife wands for schools", "Take-up, deliveries and guidance on screening.", 10),
    ("safer-schools-officers", "Safer Schools Officers", "Named police contacts for schools.", 20),
    ("stepping-stones", "Stepping Stones", "The Year 6 to Year 7 transition programme.", 30),
    ("toolkit", "London Needs You Alive toolkit", "New lesson plans, assemblies and campaign materials.", 40),
    ("funding-and-events", "Funding and events", "Grants, training and events from the VRU.", 50),
]

CONSENT_TEXT_V1 = (
    "I agree that the Mayor of London's Violence Reduction Unit (VRU) may email me updates about the topics I have "
    "chosen. The VRU keeps my email address, my topics and the time I agreed, and uses them for nothing else. I can "
    "unsubscribe at any time with the link in every email, and the VRU will then never email me again."
)


def ensure_defaults(topic_model, statement_model) -> None:
    for slug, name, description, order in TOPICS:
        topic_model.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "order": order}
        )
    if not statement_model.objects.exists():
        statement_model.objects.create(version=1, text=CONSENT_TEXT_V1)
