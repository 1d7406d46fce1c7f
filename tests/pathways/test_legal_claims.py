"""Issue 14: each legal claim in the referral pathways, pinned to the wording that matters.

One test per claim. The source each claim rests on is recorded in the pathway's own `sources`
(directory/pathways/seed/*.yml); the last tests check every pathway has them, a reviewed date,
and that they reach the database and the bot's answer.
"""

from __future__ import annotations

from datetime import date

import pytest

from directory.db import session_scope
from directory.pathways.answers import pathway_answers
from directory.pathways.formatting import steps_text
from directory.pathways.models import Pathway
from directory.pathways.seed import seed_payloads
from directory.pathways.store import pathway_to_dict

SEEDS = {payload["id"]: payload for payload in seed_payloads()}


def _text(pathway_id: str) -> str:
    """Everything a pathway says, as one string (the bot shows steps, thresholds, duty, forms)."""
    p = SEEDS[pathway_id]
    parts = [p["title"], p["situation"], p["applies_to"], p.get("legal_duty") or ""]
    parts += p["thresholds"] + p["steps"]
    parts += [f"{f['name']} {f.get('note') or ''}" for f in p["forms"]]
    return "\n".join(parts)


def _threshold(pathway_id: str, start: str) -> str:
    (line,) = [t for t in SEEDS[pathway_id]["thresholds"] if t.startswith(start)]
    return line


# --- Forced marriage --------------------------------------------------------------------------


def test_forced_marriage_names_the_under_18_offence_since_27_february_2023():
    duty = SEEDS["forced-marriage"]["legal_duty"]
    assert "27 February 2023" in duty
    assert "Marriage and Civil Partnership (Minimum Age) Act 2022" in duty
    assert "child under 18 to marry" in duty and "even without threats or other coercion" in duty
    assert "religious or cultural ceremonies" in duty and "not legally binding" in duty


def test_forced_marriage_cites_the_2023_statutory_guidance():
    assert '"The right to choose" (updated 2023)' in SEEDS["forced-marriage"]["legal_duty"]


def test_forced_marriage_offers_protection_orders():
    text = _text("forced-marriage")
    assert "Forced Marriage Protection Order" in text and "emergency" in text
    assert "Breaking the order is a crime" in text
    assert any("FL401A" in f["name"] for f in SEEDS["forced-marriage"]["forms"])


def test_the_forced_marriage_unit_helps_anyone_in_the_uk_and_british_nationals_abroad():
    text = _text("forced-marriage")
    assert "In the UK it helps anyone" in text
    assert "consular help to British nationals, including dual nationals" in text


def test_forced_marriage_of_an_adult_with_care_needs_goes_to_adult_safeguarding():
    assert "care and support needs" in _text("forced-marriage")
    assert "Care Act 2014 s42" in _text("forced-marriage")


# --- MARAC criteria ---------------------------------------------------------------------------


def test_marac_has_the_four_safelives_criteria_including_repeat_referral():
    starts = [t.split(":")[0] for t in SEEDS["domestic-abuse-high-risk"]["thresholds"]]
    for criterion in (
        "Visible high risk",
        "Professional judgement",
        "Potential escalation",
        "Repeat referral",
    ):
        assert criterion in starts
    assert "within 12 months of the last MARAC referral" in _threshold(
        "domestic-abuse-high-risk", "Repeat referral"
    )


def test_escalation_is_not_a_fixed_police_call_out_rule():
    line = _threshold("domestic-abuse-high-risk", "Potential escalation")
    assert "3 or more incidents in 12 months" in line
    assert "A common starting point" in line and "not only police call-outs" in line
    assert "check your borough's" in line
    assert "3 or more police call-outs" not in _text("domestic-abuse-high-risk")


def test_professional_judgement_names_its_prompts_and_never_downgrades_14_or_more():
    line = _threshold("domestic-abuse-high-risk", "Professional judgement")
    for prompt in (
        "strangulation",
        "stalking",
        "threats to kill",
        "separation together with coercive control",
        "honour-based abuse",
        "how frightened the victim is",
    ):
        assert prompt in line
    assert "never lowers a score of 14 or more" in line


def test_the_standard_risk_pathway_uses_the_same_four_criteria():
    line = SEEDS["domestic-abuse-standard-medium-risk"]["thresholds"][0]
    assert line.startswith("No MARAC criterion is met")
    assert "no MARAC referral for this victim in the last 12 months" in line
    assert "police call-outs" not in _text("domestic-abuse-standard-medium-risk")


def test_a_marac_does_not_replace_child_safeguarding():
    assert "A MARAC does not replace child safeguarding procedures" in _text(
        "domestic-abuse-high-risk"
    )
    assert "A MARAC does not replace a referral to children's services" in _text("children-at-risk")


def test_consent_and_safe_contact_come_before_the_dash_and_referral_without_consent_is_recorded():
    text = _text("domestic-abuse-high-risk")
    assert "ask whether it is safe to talk now" in text
    assert "which phone number, email or address is safe to use" in text
    assert "You can refer without consent when sharing is necessary and proportionate" in text
    assert "Record your decision, your reasons and what you shared" in text


# --- Who is a victim (Domestic Abuse Act 2021) ------------------------------------------------


@pytest.mark.parametrize(
    "pathway_id", ["domestic-abuse-high-risk", "domestic-abuse-standard-medium-risk"]
)
def test_domestic_abuse_pathways_say_16_or_over_and_children_are_victims(pathway_id):
    text = _text(pathway_id)
    assert "aged 16 or over" in text and "Domestic Abuse Act 2021" in text
    assert "Children who see, hear or experience the effects of the abuse are victims" in text
    assert "(Domestic Abuse Act 2021 s3)" in text


def test_16_and_17_year_olds_get_both_domestic_abuse_and_child_safeguarding():
    assert "A 16 or 17 year old is also a child" in _text("domestic-abuse-high-risk")
    assert "A 16 or 17 year old can be both a child" in _text("children-at-risk")


def test_coercive_control_is_a_crime_in_england_and_wales_including_after_separation():
    text = _text("domestic-abuse-standard-medium-risk")
    assert "Controlling or coercive behaviour is a crime in England and Wales" in text
    assert "Serious Crime Act 2015 s76" in text and "since 5 April 2023" in text


@pytest.mark.parametrize(
    "pathway_id", ["domestic-abuse-high-risk", "domestic-abuse-standard-medium-risk"]
)
def test_adults_with_care_and_support_needs_get_a_care_act_s42_concern(pathway_id):
    assert "safeguarding adults concern with the council (Care Act 2014 s42)" in _text(pathway_id)


# --- Honour-based abuse -----------------------------------------------------------------------


def test_honour_based_abuse_is_a_professional_judgement_factor_and_local_practice_differs():
    text = _text("honour-based-abuse")
    assert "professional-judgement factor" in text
    assert "even if the DASH score is below 14" in text
    assert "Some MARACs take every honour-based abuse case automatically" in text
    assert "Always treat honour-based abuse as high risk" not in text


# --- Children ---------------------------------------------------------------------------------


def test_childrens_social_care_decides_within_one_working_day_and_the_referrer_follows_up():
    text = _text("children-at-risk")
    assert "within one working day" in text and "follow it up" in text


def test_any_practitioner_may_refer_a_child_directly():
    assert "If your safeguarding lead does not act" in _text("children-at-risk")
    assert "refer directly yourself" in _text("children-at-risk")


def test_a_child_referral_can_go_ahead_without_parental_agreement_and_is_recorded():
    text = _text("children-at-risk")
    assert "unless that could put the child at risk or harm a police investigation" in text
    assert "record your decision and why" in text


# --- The Havens -------------------------------------------------------------------------------


def test_the_havens_are_by_appointment_forensics_usually_within_7_days_under_13s_referred():
    text = _text("sexual-violence")
    assert "by appointment" in text
    assert "usually within 7 days" in text
    assert "cannot take a child under 13 directly" in text
    assert "The police or children's social care refer them" in text


def test_sexual_violence_and_stalking_say_what_to_record():
    assert "Record what they told you in their own words" in _text("sexual-violence")
    assert "keep a record of every incident: date, time, place" in _text("stalking")


def test_stalking_protection_orders_are_applied_for_by_the_police():
    text = _text("stalking")
    assert "The police can apply to a magistrates' court for a Stalking Protection Order" in text


# --- Clare's Law ------------------------------------------------------------------------------


def test_clares_law_has_right_to_ask_and_right_to_know():
    text = _text("clares-law")
    assert "Right to ask" in text and "Right to know" in text


def test_a_clares_law_disclosure_goes_to_the_person_at_risk_or_whoever_can_protect_them():
    text = _text("clares-law")
    assert (
        "A disclosure goes to the person at risk, or to whoever is best placed to protect" in text
    )
    assert "may not be told" in text


def test_clares_law_is_statutory_guidance_since_2023_under_s77():
    duty = SEEDS["clares-law"]["legal_duty"]
    assert "statutory guidance since 2023" in duty and "Domestic Abuse Act 2021 s77" in duty


# --- FGM --------------------------------------------------------------------------------------


def test_the_fgm_duty_applies_in_england_and_wales():
    assert "in England and Wales" in SEEDS["fgm-known-under-18"]["legal_duty"]
    assert "in England and Wales" in SEEDS["fgm-known-under-18"]["applies_to"]
    assert "(England and Wales)" in SEEDS["fgm-risk-or-adult"]["legal_duty"]


def test_no_second_fgm_report_when_your_own_profession_has_already_reported():
    assert "another professional of your own profession has already reported" in _text(
        "fgm-known-under-18"
    )


def test_explain_the_fgm_report_to_the_girl_and_family_unless_it_puts_her_at_risk():
    text = _text("fgm-known-under-18")
    assert "explain to the girl and her family that you are making a report" in text
    assert "Do not tell them if you think it could put her or anyone else at risk" in text


def test_fgm_protection_orders_are_offered():
    assert "FGM Protection Order" in _text("fgm-known-under-18")
    assert "FGM Protection Order (Female Genital" in SEEDS["fgm-risk-or-adult"]["legal_duty"]


# --- Modern slavery ---------------------------------------------------------------------------


def test_duty_to_notify_binds_the_specified_public_authorities_only_not_the_nhs_or_schools():
    duty = SEEDS["modern-slavery"]["legal_duty"]
    assert "only specified public authorities" in duty
    for authority in (
        "the police",
        "local authorities",
        "the National Crime Agency",
        "the Gangmasters and Labour Abuse Authority",
    ):
        assert authority in duty
    assert "The NHS and schools are not specified authorities" in duty


def test_first_responders_include_the_home_offices_ukvi_border_force_and_immigration_enforcement():
    applies = SEEDS["modern-slavery"]["applies_to"]
    assert "UK Visas and Immigration" in applies
    assert "Border Force" in applies and "Immigration Enforcement" in applies


def test_for_a_child_contact_childrens_services_first_and_mention_ictgs():
    text = _text("modern-slavery")
    assert "contact the local authority's children's services first" in text
    assert "Independent Child Trafficking Guardian" in text


# --- Housing ----------------------------------------------------------------------------------


def test_domestic_abuse_victims_have_automatic_priority_need_since_july_2021():
    duty = SEEDS["housing"]["legal_duty"]
    assert "since 5 July 2021" in duty
    assert "priority need" in duty and "Domestic Abuse Act 2021 s78" in duty


def test_housing_no_longer_offers_the_closed_pan_london_reciprocal():
    text = _text("housing")
    assert "Pan-London Housing Reciprocal, used for such moves since 2017, has closed" in text
    assert "consider a managed reciprocal through the Pan-London" not in text


# --- Every pathway: reviewed and sourced, in the data and in the database ------------------


def test_every_pathway_has_a_reviewed_date_and_an_https_source_read_on_a_date():
    for pathway_id, payload in SEEDS.items():
        assert isinstance(payload["reviewed"], date), pathway_id
        assert payload["reviewed"] <= date.today()
        https = [s for s in payload["sources"] if s["url"].startswith("https://")]
        assert https, f"{pathway_id} has no https source"
        for source in payload["sources"]:
            assert source["url"].startswith(("https://", "http://")), source
            assert source["title"] and source["supports"], source
            assert isinstance(source["read"], date) and source["read"] <= date.today(), source
        assert "source" not in payload, f"{pathway_id}: use `sources`, not free-text `source`"
        assert isinstance(payload.get("unsourced", []), list)


def test_the_sources_and_reviewed_date_reach_the_database(directory_url):
    with session_scope(directory_url) as session:
        stored = {p.id: pathway_to_dict(p) for p in session.query(Pathway)}
    for pathway_id, payload in SEEDS.items():
        data = stored[pathway_id]
        assert data["reviewed"] == payload["reviewed"].isoformat()
        assert [s["url"] for s in data["sources"]] == [s["url"] for s in payload["sources"]]
        assert data["sources"][0]["read"] == payload["sources"][0]["read"].isoformat()
        # The `source` text column holds the rendered list, for anything that reads it.
        assert payload["sources"][0]["url"] in data["source"]
        for claim in payload.get("unsourced", []):
            assert f"No source found: {claim}" in data["source"]


def test_the_corrected_marac_criteria_reach_the_bots_answer(directory_url):
    (answer,) = pathway_answers(["domestic-abuse-high-risk"], None, directory_url)
    text = steps_text(answer)
    assert "Repeat referral:" in text and "never lowers a score of 14 or more" in text
    assert "A MARAC does not replace child safeguarding procedures" in text
