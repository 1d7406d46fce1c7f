"""Issue 14: the safety advice and professional definitions in the domain match current law and
guidance. Each test names the public source it rests on (read 2026-12-01).

"One place for each rule": Rasa responses cannot include one another, so the danger reply
(domain/danger.yml) is the single source of the Silent Solution and emergency SMS wording, and
the Silent Solution FAQ must repeat those sentences word for word.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

DOMAIN = Path(__file__).resolve().parents[2] / "domain"


def _responses() -> dict[str, str]:
    texts: dict[str, str] = {}
    for path in sorted(DOMAIN.glob("*.yml")):
        for name, variants in (yaml.safe_load(path.read_text()).get("responses") or {}).items():
            texts[name] = "\n".join(v.get("text") or "" for v in variants)
    return texts


RESPONSES = _responses()
DANGER = RESPONSES["utter_immediate_danger"]
DANGER_LINES = DANGER.splitlines()
SILENT_FAQ = RESPONSES["utter_faq/silent_solution"]


def _line(text: str, marker: str) -> str:
    (line,) = [line for line in text.splitlines() if marker in line]
    return line


def _silent_solution_lines() -> list[str]:
    return [
        line
        for line in DANGER_LINES
        if any(k in line for k in ("can't speak", "press 55", "landline"))
    ]


# Emergency SMS: West Yorkshire Police, Deaf and hard of hearing information
# (https://www.westyorkshire.police.uk/advice/our-services/accessible-information/deaf-and-hard-hearing-information/deaf-and-hard-hearing-information);
# South Tees NHS audiology, emergencySMS (https://www.southtees.nhs.uk/services/audiology/emergencysms/).


def test_emergency_sms_is_only_for_deaf_and_speech_impaired_people_registered_beforehand():
    line = _line(DANGER, "text 999")
    assert "Deaf, hard of hearing or speech-impaired" in line
    assert "only if you registered your mobile beforehand" in line
    assert 'text "register" to 999' in line
    assert "about 2 minutes" in line


def test_no_reply_tells_someone_who_cannot_call_to_text_999():
    for name, text in RESPONSES.items():
        assert "can't call" not in text.lower() and "cannot call" not in text.lower(), name
        for line in text.splitlines():
            if "text 999" in line.lower():
                assert "registered" in line and "speech-impaired" in line, name


# Silent Solution: IOPC "Make Yourself Heard" as reported by Heart (14 April 2019,
# https://heart.co.uk/news/what-to-do-if-you-need-to-call-999-but-cant-talk) and The Sun
# (8 April 2022); landline behaviour: Stockton Information Directory
# (https://www.stocktoninformationdirectory.org/domestic-abuse) and Standing Together
# (http://www.standingtogether.org.uk./get-support); "say your location": Isle of Wight Council
# (https://www.iow.gov.uk/housing-and-adult-social-care/adult-social-care/adult-safeguarding/immediate-danger/).


def test_silent_solution_says_listen_cough_or_tap_then_press_55_when_prompted():
    text = "\n".join(_silent_solution_lines())
    assert "call 999 and listen" in text
    assert "Cough or tap the phone if you can" in text
    assert "press 55 when you are asked" in text
    assert "yes or no questions" in text


def test_pressing_55_does_not_give_the_police_your_location():
    assert "Pressing 55 does not tell them where you are" in _line(DANGER, "press 55")


def test_a_silent_landline_call_is_connected_on_background_noise_and_gives_a_location():
    line = _line(DANGER, "landline")
    assert "stay on the line" in line
    assert "hears only background noise, they put you through to the police" in line
    assert "tells them where you are calling from" in line


def test_the_silent_solution_faq_repeats_the_danger_replys_sentences_word_for_word():
    lines = _silent_solution_lines()
    assert len(lines) == 3
    for line in lines:
        assert line in SILENT_FAQ.splitlines(), line


def test_the_silent_solution_faq_repeats_the_emergency_sms_sentence_word_for_word():
    assert _line(DANGER, "text 999") in SILENT_FAQ.splitlines()


def test_no_other_reply_states_the_silent_solution_rule():
    for name, text in RESPONSES.items():
        if name in ("utter_immediate_danger", "utter_faq/silent_solution"):
            continue
        assert (
            "press 55" not in text and "then 55" not in text
        ), f"{name}: state the Silent Solution only in the danger reply and its FAQ"


def test_the_danger_reply_still_starts_with_999_and_ends_with_samaritans():
    assert DANGER_LINES[0] == "If you are in danger now, please call 999."
    assert "116 123" in DANGER_LINES[-1]


# Coercive control: Serious Crime Act 2015 s76
# (https://www.legislation.gov.uk/ukpga/2015/9/part/5/crossheading/domestic-abuse?view=plain);
# after separation since 5 April 2023: Surviving Economic Abuse
# (https://survivingeconomicabuse.org/i-need-help/economic-abuse-and-the-law/post-separation-abuse/).


def test_coercive_control_is_a_crime_in_england_and_wales_even_after_separation():
    text = RESPONSES["utter_faq/coercive_control"]
    assert "In England and Wales it is a crime, even after you have split up" in text


# Clare's Law: GOV.UK DVDS statutory guidance (updated 16 August 2023); West Yorkshire Police
# third-party request; Metropolitan Police online request.


def test_clares_law_faq_has_right_to_ask_right_to_know_and_who_is_told():
    text = RESPONSES["utter_faq/clares_law"]
    assert '"right to ask"' in text and '"right to know"' in text
    assert "to the person at risk, or to whoever is best placed to protect them" in text
    assert "not always to the person who asked" in text


# NRPF: GOV.UK Migrant victims of domestic abuse concession (updated 10 October 2024,
# https://gov.uk/government/publications/victims-of-domestic-violence/migrant-victims-of-domestic-abuse-concession-accessible);
# Southall Black Sisters, Support for Migrant Victims scheme
# (https://southallblacksisters.org.uk/support-for-migrant-victims-scheme-smv-scheme/).


def test_nrpf_faq_names_the_concession_its_old_name_and_the_support_scheme():
    text = RESPONSES["utter_faq/nrpf"]
    assert "Migrant Victims of Domestic Abuse Concession" in text
    assert "it used to be called the DDVC" in text and "3 months" in text
    assert "Support for Migrant Victims scheme" in text


# Freephone: Ofcom, free from mobiles since 1 July 2015 (https://www.ttnc.co.uk/phone-numbers/0800-numbers/freephone-number-charges).
# No source was found that 0800/0808 calls "don't show on most phone bills": the claim is dropped.


def test_helpline_faq_drops_the_unsourced_phone_bill_claim_and_keeps_the_call_history_warning():
    text = RESPONSES["utter_faq/helpline_call"]
    assert "phone bill" not in text
    assert "may show in your phone's call history" in text


# MARAC: SafeLives, Marac referral criteria and form
# (https://safelives.org.uk/resources-library/marac-referral-criteria-and-form/).


def test_marac_faq_names_the_four_criteria_with_repeat_referral():
    text = RESPONSES["utter_faq/what_is_marac"]
    assert "one of four criteria" in text and "repeat referral" in text
    assert "your professional judgement" in text and "escalating abuse" in text
    assert "A MARAC does not replace child safeguarding" in text


def test_dash_faq_checks_it_is_safe_to_talk_first():
    assert "check it is safe to talk" in RESPONSES["utter_faq/what_is_dash"]


# Duty to Notify: Modern Slavery & Exploitation Helpline, Duty to Notify
# (https://www.modernslaveryhelpline.org/learn-more/frontline-professionals/duty-to-notify);
# NHS frontline staff not covered: Lancashire Safeguarding Adults (31 October 2016).


def test_duty_to_notify_names_the_specified_authorities_and_excludes_the_nhs_and_schools():
    text = RESPONSES["utter_faq/what_is_duty_to_notify"]
    assert "binds only specified public authorities" in text
    for authority in (
        "the police",
        "local authorities",
        "the National Crime Agency",
        "the Gangmasters and Labour Abuse Authority",
    ):
        assert authority in text
    assert "The NHS and schools are not among them" in text


# First responders: College of Policing APP, First response and the NRM
# (https://www.app.college.police.uk/app-content/major-investigation-and-public-protection/modern-slavery/national-referral-mechanism/).


def test_nrm_faq_includes_the_home_office_first_responders_and_children_first_to_the_council():
    text = RESPONSES["utter_faq/what_is_nrm"]
    assert (
        "the Home Office (UK Visas and Immigration, Border Force, Immigration Enforcement)" in text
    )
    assert "For a child, contact the local authority's children's services first" in text
    assert "Independent Child Trafficking Guardian" in text


# FGM: GOV.UK Mandatory reporting of FGM: procedural information (updated 22 January 2020);
# Northamptonshire Safeguarding Children Partnership (no second report).


def test_fgm_faq_says_england_and_wales_and_no_second_report():
    text = RESPONSES["utter_faq/what_is_fgm_mandatory_reporting"]
    assert "teachers in England and Wales" in text
    assert "need not report again if you know another professional of your own profession" in text
    assert (
        "explain the report to the girl and her family, unless that could put her at risk" in text
    )


# Children's social care: within one working day; the referrer follows up (school policy quoting
# the statutory guidance, https://www.millbrookprimary.org.uk/the-role-of-the-local-authority/).


def test_mash_faq_says_one_working_day_and_to_follow_up():
    text = RESPONSES["utter_faq/what_is_mash"]
    assert "within one working day" in text and "follow it up" in text


ISSUE_14_REPLIES = sorted(
    name
    for path in ("danger.yml", "faq.yml", "professional.yml")
    for name in yaml.safe_load((DOMAIN / path).read_text())["responses"]
)


@pytest.mark.parametrize("name", ISSUE_14_REPLIES)
def test_replies_stay_short_enough_to_read_on_a_phone(name):
    assert len(RESPONSES[name]) <= 900, f"{name} is {len(RESPONSES[name])} characters"


def test_the_directorys_emergency_entries_say_the_same_as_the_danger_reply():
    """The silent-solution and emergency-sms cards repeat the danger reply's own sentences."""
    seed = yaml.safe_load((DOMAIN.parent / "directory" / "seed" / "services.yml").read_text())
    entries = {s["id"]: s for o in seed["organizations"] for s in o.get("services") or []}
    silent = " ".join(entries["silent-solution"]["description"].split())
    for line in _silent_solution_lines():
        assert line in silent, line
    sms = " ".join(entries["emergency-sms"]["description"].split())
    assert _line(DANGER, "text 999") in sms
