"""The professionals' directory site through Flask's test client: the filters narrow the bot's
own search, each service and pathway has its page, bad filters are a 400 with an error summary,
unknown ids a 404, and no page sets or reads a cookie."""

from __future__ import annotations

import html
import re
from datetime import datetime

import pytest
from markupsafe import escape
from sqlalchemy import select

from directory.cards import provenance_line, tel_uri
from directory.db import session_scope
from directory.index import current_index
from directory.matching import LONDON, SearchQuery, search
from directory.models import Location, Service, ServiceAtLocation
from directory.pathways.models import Pathway
from directory.pathways.vocabulary import borough_labels
from directory.wording import say

HF, KC, WESTMINSTER = "hammersmith-and-fulham", "kensington-and-chelsea", "westminster"
SERVICE_ID = re.compile(r'data-service-id="([^"]+)"')
HELPLINE = "national-domestic-abuse-helpline"
REFUGE = "lawa-refuge-and-support"  # a refuge (need "refuge") in the seed
MARAC_PATHWAY = "domestic-abuse-high-risk"
FGM_PATHWAY = "fgm-known-under-18"


def ids(response) -> list[str]:
    assert response.status_code == 200, response.text[:500]
    return SERVICE_ID.findall(response.text)


def entries(url: str, service_ids: list[str]):
    index = current_index(url)
    return [index.by_id[i] for i in service_ids]


def text(response) -> str:
    """The page's main content as text."""
    page = response.text
    main = page[page.index("<main") : page.index("</main>")]
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", main).split()))


# --- Filters -------------------------------------------------------------------------------


def test_the_form_alone_lists_nothing_until_asked(client):
    response = client.get("/find/")
    assert response.status_code == 200
    assert ids(response) == []
    assert 'action="/find/"' in response.text and 'method="get"' in response.text


def test_the_results_are_the_bots_search_for_a_professional(client, site_url):
    response = client.get("/find/?place=Westminster&strand=domestic-abuse&need=idva")
    expected = search(
        SearchQuery(
            place="Westminster",
            strands=("domestic-abuse",),
            needs=("idva",),
            for_professional=True,
            limit=None,
        ),
        database_url=site_url,
    )
    assert ids(response) == [m.service.id for m in expected.matches][:20]
    assert ids(response)


def test_language_puts_services_that_speak_it_first(client, site_url):
    found = entries(site_url, ids(client.get("/find/?language=arabic")))
    speaks = ["ar" in e.languages for e in found]
    assert speaks[0], found[0].card.name
    # Every Arabic speaker on the page comes before every service that does not speak it.
    assert speaks == sorted(speaks, reverse=True)
    assert sum(speaks) >= 3
    # By code too, and the same order.
    assert [e.card.id for e in found] == ids(client.get("/find/?language=ar"))
    unfiltered = entries(site_url, ids(client.get("/find/?strand=")))
    assert "ar" not in unfiltered[0].languages  # the filter, not the usual order, did it


def test_audience_men_gives_a_mens_service_first_and_no_women_only_one(client, site_url):
    found = entries(site_url, ids(client.get("/find/?audience=men&strand=domestic-abuse")))
    first = found[0]
    assert first.gender == "men" or "men" in first.audiences, first.card.name
    assert all(e.gender != "women" for e in found)
    women = entries(site_url, ids(client.get("/find/?audience=women&strand=domestic-abuse")))
    assert any(e.gender == "women" for e in women)  # there are some, and "men" took them out
    assert women[0].gender != "men"


def test_a_postcode_district_gives_its_boroughs_local_services(client, site_url):
    response = client.get("/find/?place=W6")
    found = entries(site_url, ids(response))
    local = [e for e in found if e.tier == 0]
    assert found[0].tier == 0 and HF in found[0].boroughs
    assert local and all(HF in e.boroughs for e in local)
    assert "W6 (Hammersmith & Fulham)" in text(response)
    # Another borough's district gives that borough's, not these.
    other = entries(site_url, ids(client.get("/find/?place=SW1A")))
    assert all(WESTMINSTER in e.boroughs for e in other if e.tier == 0)
    assert {e.card.id for e in local if e.boroughs == {HF}}.isdisjoint(e.card.id for e in other)


def test_a_neighbourhood_is_resolved_like_the_bots(client, site_url):
    found = entries(site_url, ids(client.get("/find/?place=Shepherd%27s+Bush")))
    assert all(HF in e.boroughs for e in found if e.tier == 0)


@pytest.mark.parametrize(("field", "code"), [("strand", "stalking"), ("need", "refuge")])
def test_strand_and_need_keep_only_services_that_give_them(client, site_url, field, code):
    found = entries(site_url, ids(client.get(f"/find/?{field}={code}")))
    assert found
    assert all(code in (e.strands if field == "strand" else e.needs) for e in found)


def test_age_leaves_out_services_whose_range_excludes_the_person(client, site_url):
    everyone = entries(site_url, ids(client.get("/find/?need=children-young-people")))
    adults = entries(site_url, ids(client.get("/find/?need=children-young-people&age=40")))
    assert any(e.max_age is not None and e.max_age < 40 for e in everyone)
    assert all(e.max_age is None or e.max_age >= 40 for e in adults)


def test_open_now_keeps_services_open_at_that_time(site_url, make_site_app):
    sunday_3am = datetime(2026, 12, 6, 3, 0, tzinfo=LONDON)
    app = make_site_app(site_url, FIND_CLOCK=lambda: sunday_3am)
    response = app.test_client().get("/find/?strand=domestic-abuse&open_now=yes")
    found = entries(site_url, ids(response))
    index = current_index(site_url)
    is_open = index.open_at(sunday_3am)
    assert found and all(is_open[index.position[e.card.id]] for e in found)
    # Without "open now", services closed at that hour are listed too.
    closed = app.test_client().get("/find/?strand=domestic-abuse")
    assert not all(is_open[index.position[e.card.id]] for e in entries(site_url, ids(closed)))


def test_pages_of_results(client, site_url):
    first, second = ids(client.get("/find/?place=W6")), ids(client.get("/find/?place=W6&page=2"))
    everything = search(SearchQuery(place="W6", for_professional=True, limit=None), site_url)
    assert first + second == [m.service.id for m in everything.matches][:40]
    assert 'href="?place=W6&amp;page=2"' in client.get("/find/?place=W6").text


def test_nothing_that_fits_everything_says_so_and_gives_the_national_helpline(client, site_url):
    response = client.get("/find/?place=Westminster&need=fgm-clinic&language=bfi&audience=men")
    assert response.status_code == 200
    assert 'data-testid="widened"' in response.text
    assert "No service matches every filter" in text(response)
    assert any(
        e.tier == 2 and "helpline" in e.needs for e in entries(site_url, ids(response))
    ), "a national helpline"


def test_a_place_outside_the_partnership_is_said(client):
    response = client.get("/find/?place=Croydon")
    assert response.status_code == 200
    assert "is outside Hammersmith & Fulham, Kensington & Chelsea and Westminster" in text(response)


# --- Bad filters: 400 with an error summary, never a 500 --------------------------------------


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("strand=not-a-strand", "strand", "find_error_strand"),
        ("place=Atlantis", "place", "find_error_place"),
        ("need=spa-day", "need", "find_error_need"),
        ("audience=martians", "audience", "find_error_audience"),
        ("language=klingon", "language", "find_error_language"),
        ("age=forty", "age", "find_error_age"),
        ("age=400", "age", "find_error_age"),
        ("open_now=maybe", "open_now", "find_error_open_now"),
        ("place=" + "W6+" * 60, "place", "find_error_place"),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_field(client, query, field, message):
    response = client.get(f"/find/?{query}")
    assert response.status_code == 400
    page = response.text
    assert "There is a problem" in page
    summary = page[
        page.index('class="error-summary"') : page.index("</ul>", page.index("error-summary"))
    ]
    target = "audience-0" if field == "audience" else field
    assert f'href="#{target}"' in summary
    assert escape(say(message)) in summary
    assert f'id="{field}-error"' in page  # beside its field, too
    assert not SERVICE_ID.search(page)  # no results for a search that was not understood
    assert "<title>Error: " in page


def test_several_bad_filters_are_all_named_and_good_values_are_kept(client):
    response = client.get("/find/?strand=nope&place=Atlantis&language=ar&page=0")
    assert response.status_code == 400
    assert response.text.count('<li><a href="#') == 2  # place and strand; page has no field
    assert escape(say("find_error_page")) in response.text
    assert '<option value="ar" selected>' in response.text
    assert 'value="Atlantis"' in response.text


def test_garbage_is_never_a_500(client):
    for query in (
        "page=-1",
        "page=99999",
        "page=%C2%B2",  # "²", a digit to str.isdigit
        "age=%D9%A4%D9%A0",  # Arabic-Indic 40
        "age=%00",
        "place=%F0%9F%92%A3",
        "strand=&need=&x=1",
        "language=%20",
    ):
        assert client.get(f"/find/?{query}").status_code in (200, 400), query


# --- A service's page ------------------------------------------------------------------------


def test_a_service_page_shows_its_contacts_referral_and_source(client, site_url):
    response = client.get(f"/find/service/{HELPLINE}")
    assert response.status_code == 200
    card = current_index(site_url).by_id[HELPLINE].card
    number = card.phones[0][0]
    assert f'href="{tel_uri(number)}">{number}</a>' in response.text
    with session_scope(site_url) as session:
        service = session.get(Service, HELPLINE)
        source, checked = service.source_url, service.source_checked
    shown = text(response)
    assert provenance_line(card) in shown  # "From their website, December 2026."
    assert f'href="{source}"' in response.text
    assert f"read on {checked.day} {checked:%B %Y}" in shown
    assert card.description in shown and "Opening hours" in shown
    assert "You can contact them yourself" in shown  # the vocabulary's referral route


def test_a_service_page_for_a_professionals_only_referral(client, site_url):
    index = current_index(site_url)
    referral_only = next(e.card for e in index.entries if e.card.referral_route == "professional")
    shown = text(client.get(f"/find/service/{referral_only.id}"))
    assert "Needs a referral from a professional" in shown


def _give_location(url: str, service_id: str, address: str) -> None:
    """A location with a street address, written past the editor's checks (which refuse one
    for a refuge), as a bad import or a hand edit might."""
    with session_scope(url) as session:
        service = session.get(Service, service_id)
        location = Location(
            id=f"{service_id}-test-location",
            organization_id=service.organization_id,
            name="Main building",
            borough=HF,
            address_1=address,
            postal_code="W6 0AA",
        )
        session.add(location)
        session.flush()
        session.add(
            ServiceAtLocation(
                id=f"{service_id}-test-sal", service_id=service_id, location_id=location.id
            )
        )


def test_a_refuge_page_never_shows_a_street_address(writable_url, make_site_app):
    client = make_site_app(writable_url).test_client()
    other = "wgn-advice-line"
    _give_location(writable_url, REFUGE, "12 Secret Street")
    _give_location(writable_url, other, "1 Open Road")
    refuge = client.get(f"/find/service/{REFUGE}")
    assert refuge.status_code == 200
    assert "refuge" in current_index(writable_url).by_id[REFUGE].needs
    assert "Secret Street" not in refuge.text and "W6 0AA" not in refuge.text
    assert "Main building" not in refuge.text  # a refuge's location name can say where it is
    assert "Hammersmith & Fulham" in text(refuge)  # only its borough
    # The same location on a service that is not a refuge is shown: the rule, not a blank page.
    assert "1 Open Road" in client.get(f"/find/service/{other}").text


def test_unknown_and_retired_services_are_404(writable_url, make_site_app):
    client = make_site_app(writable_url).test_client()
    assert client.get("/find/service/no-such-service").status_code == 404
    assert client.get(f"/find/service/{HELPLINE}").status_code == 200
    with session_scope(writable_url) as session:
        session.get(Service, HELPLINE).status = "defunct"
    response = client.get(f"/find/service/{HELPLINE}")
    assert response.status_code == 404
    assert "Page not found" in response.text


# --- Pathways --------------------------------------------------------------------------------


def test_the_pathway_list_has_every_active_pathway(client, site_url):
    response = client.get("/find/pathways")
    assert response.status_code == 200
    with session_scope(site_url) as session:
        active = session.execute(select(Pathway).where(Pathway.status == "active")).scalars()
        pathways = {p.id: p.title for p in active}
    assert len(pathways) >= 10
    for pathway_id, title in pathways.items():
        assert f'href="/find/pathways/{pathway_id}">{escape(title)}</a>' in response.text


def test_a_pathway_page_has_its_steps_thresholds_and_each_boroughs_contacts(client, site_url):
    response = client.get(f"/find/pathways/{MARAC_PATHWAY}")
    assert response.status_code == 200
    with session_scope(site_url) as session:
        pathway = session.get(Pathway, MARAC_PATHWAY)
        steps = [s.text for s in pathway.steps]
        thresholds = [t.text for t in pathway.thresholds]
        forms = [f.name for f in pathway.forms]
    page = response.text
    ordered = page[page.index('<ol class="steps"') : page.index("</ol>", page.index("steps"))]
    assert ordered.count('<li class="step">') == len(steps)
    for step in steps:
        assert escape(step) in ordered
    shown = text(response)
    assert all(t in shown for t in thresholds) and all(f in shown for f in forms)
    # Each borough's own MARAC under its heading, and the contacts for every borough.
    groups = re.findall(r'<h3 id="contacts-\d+">([^<]+)</h3>', page)
    assert groups == ["In every borough", *map(html.escape, borough_labels().values())]
    for label in borough_labels().values():
        section = page[page.index(f">{escape(label)}</h3>") :]
        section = section[: section.index("</section>")]
        assert f"{escape(label)} MARAC" in section
    assert 'href="tel:999"' in page


def test_a_pathway_with_a_legal_duty_shows_it(client):
    response = client.get(f"/find/pathways/{FGM_PATHWAY}")
    assert response.status_code == 200
    assert 'data-testid="legal-duty"' in response.text
    assert "Female Genital Mutilation Act 2003 s5B" in text(response)
    assert 'href="tel:101"' in response.text


def test_unknown_and_retired_pathways_are_404(writable_url, make_site_app):
    client = make_site_app(writable_url).test_client()
    assert client.get("/find/pathways/no-such-pathway").status_code == 404
    with session_scope(writable_url) as session:
        session.get(Pathway, FGM_PATHWAY).status = "inactive"
    assert client.get(f"/find/pathways/{FGM_PATHWAY}").status_code == 404
    assert FGM_PATHWAY not in client.get("/find/pathways").text


# --- The public site's rules -----------------------------------------------------------------

PAGES = [
    "/find/",
    "/find/?place=W6&strand=domestic-abuse&audience=women&language=ar&open_now=yes",
    "/find/?strand=nope",  # 400
    f"/find/service/{HELPLINE}",
    "/find/service/nope",  # 404
    "/find/pathways",
    f"/find/pathways/{MARAC_PATHWAY}",
]


@pytest.mark.parametrize("path", PAGES)
def test_no_page_sets_or_varies_on_a_cookie(client, path):
    response = client.get(path, headers={"Cookie": "vawg_editor=someone"})
    assert response.status_code in (200, 400, 404)
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_the_quick_exit_and_the_sites_nav(client, site_app, path):
    page = client.get(path).text
    exit_url = site_app.config["EXIT_URL"]
    assert f'<a class="exit-this-page" href="{exit_url}"' in page and "data-vawg-exit" in page
    assert (
        'href="/find/">Find a service</a>' in page or 'aria-current="page">Find a service' in page
    )
    assert ">Referral pathways</a>" in page


def test_the_public_home_page_links_to_the_site(client):
    page = client.get("/").text
    assert 'href="/find/"' in page and 'href="/find/pathways"' in page


def test_every_service_and_pathway_in_the_seed_has_a_page(client, site_url):
    # Whatever a seed entry lacks (no phone, no source page, no hours), its page renders.
    for entry in current_index(site_url).entries:
        response = client.get(f"/find/service/{entry.card.id}")
        assert response.status_code == 200, entry.card.id
        assert escape(entry.card.name) in response.text
    with session_scope(site_url) as session:
        pathway_ids = list(session.execute(select(Pathway.id)).scalars())
    for pathway_id in pathway_ids:
        assert client.get(f"/find/pathways/{pathway_id}").status_code == 200, pathway_id
