"""The words and agent profiles of the synthetic runs made by :mod:`analytics.datasets`.

Constant tables only, no logic: how each agent behaves (:data:`ASSIGNEE_PROFILES`), how
often callers say each kind of phrase by outcome (:data:`PHRASE_RATES`), and the phrase banks,
names, summaries, scores and error texts the generator draws from. Changing any of them
changes what ``make_run`` returns (and so the committed sample run).

Examples
--------
>>> sorted(p["name"] for p in ASSIGNEE_PROFILES.values())
['Aria', 'Bolt', 'Cleo', 'Dex']
>>> sorted(PHRASE_RATES) == sorted(PHRASES)
True
"""

from __future__ import annotations

from typing import TypedDict

SELLER = "Acme Cloud"


class Profile(TypedDict):
    """One agent's behaviour in :data:`ASSIGNEE_PROFILES` (the keys are described there)."""

    name: str
    share: float
    exchanges: float
    agent_sentences: float
    question_rate: float
    monologue_rate: float
    latency_median_s: float
    latency_sigma: float
    outcomes: dict[str, float]


# fmt: off
ASSIGNEE_PROFILES: dict[str, Profile] = {
    "space-agent-aria": {
        "name": "Aria", "share": 0.30, "exchanges": 7.0, "agent_sentences": 1.15,
        "question_rate": 0.55, "monologue_rate": 0.06, "latency_median_s": 0.9,
        "latency_sigma": 0.35,
        "outcomes": {"Interested": 0.24, "Call Back": 0.18, "Send Details": 0.12,
                     "Not Interested": 0.30, "Not Connected": 0.08, "Abandoned": 0.08},
    },
    "space-agent-bolt": {
        "name": "Bolt", "share": 0.25, "exchanges": 7.0, "agent_sentences": 2.2,
        "question_rate": 0.3, "monologue_rate": 0.4, "latency_median_s": 1.1,
        "latency_sigma": 0.4,
        "outcomes": {"Interested": 0.17, "Call Back": 0.20, "Send Details": 0.13,
                     "Not Interested": 0.34, "Not Connected": 0.07, "Abandoned": 0.09},
    },
    "space-agent-cleo": {
        "name": "Cleo", "share": 0.25, "exchanges": 8.0, "agent_sentences": 1.1,
        "question_rate": 0.75, "monologue_rate": 0.03, "latency_median_s": 0.7,
        "latency_sigma": 0.3,
        "outcomes": {"Interested": 0.40, "Call Back": 0.16, "Send Details": 0.13,
                     "Not Interested": 0.18, "Not Connected": 0.07, "Abandoned": 0.06},
    },
    "space-agent-dex": {
        "name": "Dex", "share": 0.20, "exchanges": 5.5, "agent_sentences": 1.15,
        "question_rate": 0.5, "monologue_rate": 0.05, "latency_median_s": 3.0,
        "latency_sigma": 0.5,
        "outcomes": {"Interested": 0.11, "Call Back": 0.17, "Send Details": 0.10,
                     "Not Interested": 0.38, "Not Connected": 0.09, "Abandoned": 0.15},
    },
}
# fmt: on
"""What each agent does differently: ``share`` of the tasks; ``exchanges`` mean user/agent
exchanges per call (scaled by :data:`OUTCOME_LENGTH`); ``agent_sentences`` mean sentences per
agent turn; ``question_rate`` chance an agent turn ends in a question; ``monologue_rate`` chance
a turn grows into a monologue with user backchannels; ``latency_*`` lognormal user->agent gap;
``outcomes`` the outcome probabilities of a connected call (``Dropped`` comes from
:data:`analytics.datasets.SCENARIOS`)."""

OUTCOME_LENGTH = {"Interested": 1.1, "Send Details": 1.0, "Call Back": 0.8, "Not Interested": 0.75}

# fmt: off
PHRASE_RATES: dict[str, dict[str, float]] = {
    "price": {"Interested": 0.65, "Send Details": 0.2, "*": 0.09},
    "callback": {"Call Back": 0.92, "*": 0.04},
    "not_interested": {"Not Interested": 0.9, "*": 0.03},
    "send_details": {"Send Details": 0.9, "*": 0.04},
    "human": {"Not Interested": 0.12, "*": 0.05},
    "wrong_number": {"Not Interested": 0.08, "*": 0.01},
}
"""Chance that the caller says a phrase of each kind in a call with a given outcome
(``"*"``: any other outcome with a conversation)."""

# --- phrase banks -----------------------------------------------------------------------------

OPENERS = (
    "Hi {first}, this is {agent} from {seller}. Is this a good time to talk?",
    "Hello, am I speaking with {first}? This is {agent} from {seller}.",
    "Good day {first}! {agent} here from {seller}. Do you have two minutes?",
)
INBOUND_OPENERS = ("Thank you for calling {seller}, this is {agent}. How can I help you?",)
PITCH = (
    "I'm calling about the demo you requested last week.",
    "We help teams automate their follow-up calls.",
    "Our agents book meetings and update your CRM.",
    "Teams like yours save about ten hours a week.",
    "The setup takes about a day and we do most of it.",
    "We support Hindi, Tamil and Spanish too.",
    "Every call is recorded, transcribed and summarised.",
    "You can start with a free two week pilot.",
    "Several clinics in your city already use it.",
    "The agent hands over to your team when needed.",
)
AGENT_QUESTIONS = (
    "How do you handle follow-up calls today?",
    "How many customers do you call each week?",
    "Would a short demo next week help?",
    "Are you the right person to talk to about this?",
    "Which CRM does your team use?",
    "Would Tuesday or Thursday work better for you?",
    "Is this still the best email to reach you?",
    "What would you automate first?",
)
ACKS = ("Got it, thank you.", "That makes sense.", "Sure, I understand.", "Great, thanks.")
ANSWERS = {
    "price": ("The starter plan is 49 dollars per seat per month.",
              "Plans start at 399 dollars a month for ten agents.",
              "It is about six cents a minute, with no setup fee."),
    "human": ("Of course, a colleague will call you today.",),
    "wrong_number": ("I'm sorry about that, I will update our records.",),
}
CLOSINGS = {
    "Interested": ("Wonderful! I'll send the invite right after this call.",
                   "Great, the demo is booked. Have a great day!"),
    "Call Back": ("No problem, I'll reach you at a better time.", "Sure, noted. Thank you!"),
    "Send Details": ("Sure, I'll email you the brochure right away.",),
    "Not Interested": ("I understand. Thank you for your time.",
                       "Noted, we won't bother you again. Goodbye."),
}
SILENT = ("Hello? Am I audible?", "Hello? I can't hear you.",
          "The line is not clear. I'll try again later, goodbye.")
INBOUND_REASONS = ("Hi, I saw your ad and wanted to know more.",
                   "I got a missed call from this number.",
                   "I'm calling about the email you sent me.")
USER_NEUTRAL = (
    "Yes, go ahead.", "Okay, sure.", "Yes, this is {first}.", "We mostly use spreadsheets.",
    "We call maybe two hundred customers a week.", "We use Zoho at the moment.",
    "I'd have to check with my manager.", "Sorry, which company?", "Okay, I'm listening.",
    "It depends on the season really.",
)
USER_SHORT = ("Okay.", "Hmm.", "Right.", "Yes.", "I see.", "Fine.")
USER_KEEN = (
    "That sounds really useful for us.", "We have been looking for something like this.",
    "Yes, a demo next week would be great.", "Tuesday afternoon works for me.",
    "Follow-ups are our biggest problem.", "My manager would want to see this.",
)
USER_QUESTIONS = (
    "Does it work with Salesforce?", "How long does the setup take?",
    "Can it handle calls in Hindi?", "Is there a free trial?",
    "Can we use our own phone numbers?", "What if a customer asks something odd?",
)
PHRASES = {
    "price": ("How much does it cost?", "What's the price for a team of ten?",
              "Can you tell me about the pricing?", "Is the pricing per user or per minute?"),
    "callback": ("I'm driving, can you call me back later?",
                 "Call back later please, I'm in a meeting.",
                 "Not a good time, call me back tomorrow."),
    "not_interested": ("I'm not interested, thank you.", "Please stop calling me.",
                       "Remove me from your list.", "We have a vendor, so not interested."),
    "send_details": ("Just send me the details on email.", "Can you email me a brochure?",
                     "Send the details on WhatsApp."),
    "human": ("Can I talk to a real person?", "I'd like to speak to a human, please."),
    "wrong_number": ("Sorry, you have the wrong number.",
                     "There is no {first} here, wrong number."),
}
ABANDON = ("Who is this?", "Sorry, I can't talk now.", "What is this about?")
BACKCHANNELS = ("ok", "mm-hmm", "yes", "uh-huh", "right")
BYES = ("Okay, thank you. Bye.", "Thanks, bye.", "Alright, bye.")
FIRST_NAMES = (
    "Asha", "Ravi", "Priya", "Arjun", "Meera", "Karan", "Neha", "Vikram", "Sara", "John",
    "Fatima", "Diego", "Anita", "Rahul", "Pooja", "Sanjay", "Leela", "Omar", "Nisha", "Dev",
)
LAST_NAMES = (
    "Rao", "Sharma", "Iyer", "Patel", "Nair", "Gupta", "Khan", "Das", "Mehta", "Singh",
    "Fernandes", "Reddy", "Joshi", "Menon", "Kapoor",
)
COMPANIES = (
    "Acme Dental", "Sunrise Realty", "BlueLeaf Clinics", "Metro Motors", "Orbit Logistics",
    "GreenBasket", "Nova Insurance", "Pixel Studios", "Harbor Hotels", "Zen Fitness",
)
CONTEXTS = ("Downloaded brochure", "Requested a demo", "Webinar attendee", "Trade show lead",
            "Renewal due")
SUMMARIES = {
    "Interested": "{agent} explained the product to {name}, who asked questions and agreed "
                  "to a demo.",
    "Call Back": "{name} was busy and asked {agent} to call back at a better time.",
    "Send Details": "{name} asked for the product details by email before deciding.",
    "Not Interested": "{name} said they were not interested and the call ended politely.",
    "Not Connected": "The call connected but nobody answered the agent.",
    "Abandoned": "{name} ended the call shortly after the introduction.",
    "Dropped": "The call dropped before {agent} could finish the conversation.",
}
PROFILE_SUMMARIES = {  # tone, engagement, interest level, outcome, next action, short text
    "Interested": ("Friendly", "High", "Very Interested", "Connected", "Send calendar invite",
                   "Engaged lead, demo booked."),
    "Call Back": ("Professional", "Medium", "Maybe", "Callback Requested", "Call back later",
                  "Busy, wants a call back."),
    "Send Details": ("Neutral", "Medium", "Interested", "Information Sent", "Email details",
                     "Wants details by email."),
    "Not Interested": ("Neutral", "Low", "Not Interested", "Not Interested", "Close the lead",
                       "Declined the offer."),
    "Not Connected": ("Neutral", "Low", "Maybe", "Follow-up Needed", "Retry the call",
                      "No answer on the line."),
    "Abandoned": ("Frustrated", "Low", "Maybe", "Follow-up Needed", "Retry later",
                  "Hung up early."),
    "Dropped": ("Neutral", "Medium", "Maybe", "Follow-up Needed", "Retry the call",
                "Call dropped."),
}
SCORES = {  # success_evaluator range (inclusive) by outcome
    "Interested": (7, 10), "Send Details": (5, 8), "Call Back": (4, 7), "Not Interested": (2, 5),
    "Not Connected": (1, 2), "Abandoned": (1, 3), "Dropped": (1, 4),
}
FAILED_ERRORS = {
    "notConnected": "Call not answered", "busy": "User busy (SIP 486)",
    "failed": "SIP trunk error 503", "voicemail": "Reached voicemail",
    "cancelled": "Cancelled by user",
}
# fmt: on
