"""Borrower messages during delinquency, in Chinese and English, with their intent.

Intent follows the collections segment: negligent borrowers promise to pay,
borrowers unable to pay plead hardship, wilful defaulters refuse (or promise and
do not pay); anyone may complain. Texts are filled from templates with the
installment amount and a promised date.
"""
from __future__ import annotations

import numpy as np
import polars as pl

from riskrules.sim.arrays import expand
from riskrules.sim.episodes import Episodes
from riskrules.sim.nesting import DATETIME, as_series
from riskrules.sim.rand import stream
from riskrules.sim.strings import digit_matrix, prefixed
from riskrules.sim.timeline import BEIJING, DAY, HOUR

INTENTS = ("promise_to_pay", "hardship", "refusal", "complaint")
LANGUAGES = ("zh", "en")
ENGLISH_SHARE = 0.15
# Intent weights per segment (negligence, inability, wilful).
INTENT_WEIGHTS = np.array([
    [0.80, 0.05, 0.00, 0.15],
    [0.25, 0.60, 0.00, 0.15],
    [0.15, 0.00, 0.60, 0.25],
])
MESSAGES_PER_EPISODE = np.array([0.8, 1.5, 0.7])

TEMPLATES = {
    ("zh", "promise_to_pay"): (
        "不好意思，忘记还款了，{date}之前一定把{amount}元还上。",
        "工资{date}到账，到时候马上还{amount}元，请不要再打电话了。",
        "我会在{date}还清本期{amount}元，麻烦再宽限几天。",
        "今天手头有点紧，{date}前保证还款{amount}元。",
    ),
    ("zh", "hardship"): (
        "最近失业了，实在拿不出{amount}元，能不能申请延期还款？",
        "家里有人住院，开销很大，{amount}元暂时还不上，可以分期吗？",
        "生意亏了，收入没有着落，希望能减免一些利息，{date}以后再还。",
        "公司拖欠工资，本期{amount}元实在还不了，请帮我申请还款计划。",
    ),
    ("zh", "refusal"): (
        "这钱我不会还的，你们爱怎么样就怎么样。",
        "别再打电话了，{amount}元我一分都不会还。",
        "利息太高了，我不认这笔账，不还。",
        "钱已经花完了，没钱还，你们去起诉吧。",
    ),
    ("zh", "complaint"): (
        "你们一天打好几次电话，严重影响我的生活，我要投诉！",
        "为什么给我的紧急联系人打电话？我要向银保监会投诉你们。",
        "催收员态度恶劣，说话威胁人，我要投诉。",
        "我{date}已经还了{amount}元，为什么还在催？请核实。",
    ),
    ("en", "promise_to_pay"): (
        "Sorry, I forgot the due date. I will pay the {amount} CNY by {date}.",
        "My salary arrives on {date}; I will repay {amount} CNY right away.",
        "Please give me a few more days, I will clear {amount} CNY by {date}.",
        "I promise to pay {amount} CNY before {date}.",
    ),
    ("en", "hardship"): (
        "I lost my job last month and cannot pay {amount} CNY now. Can I defer the payment?",
        "A family member is in hospital and I cannot afford {amount} CNY. Is an installment plan possible?",
        "My business is failing and I have no income. Could you reduce the interest? I can pay after {date}.",
        "My employer has not paid wages for two months; I need a repayment plan for {amount} CNY.",
    ),
    ("en", "refusal"): (
        "I am not going to pay this. Do what you want.",
        "Stop calling me. I will not pay a single yuan of the {amount} CNY.",
        "The interest is illegal, I refuse to repay.",
        "The money is gone. Sue me if you like.",
    ),
    ("en", "complaint"): (
        "You call me several times a day. This is harassment and I will file a complaint.",
        "Why did you call my emergency contact? I am reporting this to the regulator.",
        "Your collector threatened me on the phone. I want to file a complaint.",
        "I already paid {amount} CNY on {date}, why are you still chasing me?",
    ),
}


def messages_frame(seed: int, ep: Episodes, segment: np.ndarray, ids: dict, end_s: int) -> pl.DataFrame:
    rng = stream(seed, "messages")
    seg = np.maximum(segment[ep.loan], 0)
    count = rng.poisson(MESSAGES_PER_EPISODE[seg])
    ep_idx, _ = expand(count)
    loan = ep.loan[ep_idx]
    m = loan.size
    span = np.maximum(np.minimum(ep.end[ep_idx], end_s) - ep.start[ep_idx] - DAY, HOUR)
    at = ep.start[ep_idx] + 1 + (rng.random(m) * span).astype(np.int64)
    # Messages are written while awake: move the time of day to 07:00-23:59 local.
    local_midnight = (at + BEIJING) // DAY * DAY - BEIJING
    at = local_midnight + rng.integers(7 * HOUR, 24 * HOUR, m)
    keep = at < end_s
    ep_idx, loan, at = ep_idx[keep], loan[keep], at[keep]
    m = loan.size
    order = np.lexsort((at, loan))
    ep_idx, loan, at = ep_idx[order], loan[order], at[order]

    english = rng.random(ep.loan.size) < ENGLISH_SHARE  # a borrower keeps one language
    language = english[ep_idx].astype(np.int64)
    intent = (rng.random(m)[:, None] > np.cumsum(INTENT_WEIGHTS, axis=1)[seg[ep_idx]]).sum(axis=1)
    intent = np.minimum(intent, len(INTENTS) - 1)
    keys = [(lang, it) for lang in LANGUAGES for it in INTENTS]
    flat = [t for key in keys for t in TEMPLATES[key]]
    per = len(TEMPLATES[keys[0]])
    template = (language * len(INTENTS) + intent) * per + rng.integers(0, per, m)
    promised = ((at + BEIJING) // DAY + rng.integers(1, 8, m)).astype("M8[D]")
    frame = pl.DataFrame([
        pl.Series("template", flat, dtype=pl.String).gather(template),
        pl.Series("amount", np.round(ep.amount[ep_idx], 2)),
        pl.Series("promised", promised),
        pl.Series("english", language == 1),
    ])
    zh_date = pl.format("{}月{}日", pl.col("promised").dt.month(), pl.col("promised").dt.day())
    text = frame.select(
        pl.col("template")
        .str.replace("{amount}", pl.col("amount").round(2).cast(pl.String), literal=True)
        .str.replace("{date}", pl.when(pl.col("english")).then(pl.col("promised").cast(pl.String))
                     .otherwise(zh_date), literal=True)
    ).to_series()
    return pl.DataFrame([
        prefixed("M", digit_matrix(np.arange(1, m + 1), 11)).alias("message_id"),
        ids["loan"].gather(loan).alias("loan_id"),
        ids["applicant"].gather(loan).alias("applicant_id"),
        as_series("at", at, DATETIME),
        pl.Series("channel", np.where(rng.random(m) < 0.6, "app_chat", "sms"), dtype=pl.String),
        pl.Series("language", np.array(LANGUAGES)[language], dtype=pl.String),
        text.alias("text"),
        pl.Series("intent", np.array(INTENTS)[intent], dtype=pl.String),
    ])
