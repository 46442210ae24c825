"""The one list of intents and their subtypes."""

INTENTS = ("promise_to_pay", "hardship", "plan_request", "hesitation", "refusal", "dispute",
           "complaint", "other")
SUBTYPES = {"hardship": ("job_loss", "illness", "business_failure", "family"),
            "dispute": ("already_paid", "not_my_loan", "wrong_amount")}
