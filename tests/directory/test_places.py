import pytest
import yaml

from directory.places import PLACES_FILE, resolve_place

HF, KC, WM = "hammersmith-and-fulham", "kensington-and-chelsea", "westminster"


@pytest.mark.parametrize(
    ("text", "boroughs"),
    [
        ("Shepherd's Bush", (HF,)),
        ("shepherds bush", (HF,)),
        ("Notting Hill", (KC,)),
        ("Paddington", (WM,)),
        ("Pimlico", (WM,)),
        ("Fulham", (HF,)),
        ("Earl's Court", (KC,)),
        ("Maida Vale", (WM,)),
        ("Soho", (WM,)),
        ("West Kensington", (HF,)),  # the longer name wins over "kensington"
        ("Chelsea Harbour", (HF,)),
        ("Knightsbridge", (KC, WM)),
        ("W6", (HF,)),
        ("SW6", (HF,)),
        ("SW10", (HF, KC)),
        ("W2", (KC, WM)),
        ("NW8", (WM,)),
        ("W14", (HF, KC)),
        ("w6 9zz", (HF,)),  # a full postcode reduces to its district
        ("SW1A 1AA", (WM,)),
        ("sw1v2ab", (WM,)),
        ("W1D", (WM,)),
        ("I live near W11", (KC, WM)),
        ("Westminster", (WM,)),
        ("RBKC", (KC,)),
        ("kensington-and-chelsea", (KC,)),
    ],
)
def test_partnership_places(text, boroughs):
    resolved = resolve_place(text)
    assert resolved.kind == "partnership"
    assert resolved.boroughs == boroughs
    assert resolved.label


def test_postcode_label_keeps_only_the_district():
    resolved = resolve_place("W6 0AB")
    assert resolved.label == "W6 (Hammersmith & Fulham)"
    assert "0AB" not in resolved.label


@pytest.mark.parametrize(
    ("text", "kind", "boroughs"),
    [
        ("Croydon", "other-london", ("croydon",)),
        ("Brixton", "other-london", ("lambeth",)),
        ("City of London", "other-london", ("city-of-london",)),
        ("E1 6AN", "other-london", ()),
        ("SE15", "other-london", ()),
        ("Manchester", "outside-london", ("outside-london",)),
        ("M1 1AA", "outside-london", ("outside-london",)),
        ("somewhere nice", "unknown", ()),
        ("", "unknown", ()),
    ],
)
def test_places_outside_the_partnership(text, kind, boroughs):
    resolved = resolve_place(text)
    assert (resolved.kind, resolved.boroughs) == (kind, boroughs)


def test_places_file_schema():
    data = yaml.safe_load(PLACES_FILE.read_text())
    assert set(data["partnership_boroughs"]) == {HF, KC, WM}
    for entry in data["partnership_boroughs"].values():
        assert {"label", "aliases", "neighbourhoods", "postcode_districts"} <= set(entry)
    others = data["other_london_boroughs"]
    assert len(others) == 30  # 29 other boroughs and the City of London
    assert "city-of-london" in others and "tower-hamlets" in others
    assert all({"label", "aliases"} <= set(e) for e in others.values())
    # Every other London borough resolves by its own name.
    for borough, entry in others.items():
        assert resolve_place(entry["label"]).boroughs == (borough,)
