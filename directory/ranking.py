"""Rank the services that fit a search plan: the hard rules as masks over the whole index,
then the sort keys (directory.matching says what the ranking promises its callers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from directory.index import GENDER_CODES, Entry, Index, popcount

PERPETRATOR_NEED = "perpetrator-programme"
PROFESSIONALS = "professionals"  # the audience of services that are only for professionals
FIRST_CONTACT_NEEDS = ("helpline", "idva")  # ways in, first when no kind of help is asked
USUAL_STRAND = "domestic-abuse"
SPECIALIST_STRANDS = 3  # a service working on more strands than this is a generalist


@dataclass(frozen=True)
class Plan:
    boroughs: tuple[str, ...]
    kind: str
    strands: frozenset
    needs: frozenset
    audiences: frozenset
    languages: frozenset
    age: int | None
    open_now: bool
    now: datetime
    for_professional: bool = False
    open_ids: frozenset = frozenset()  # with open_now: the services open at `now`


def rank(index: Index, q: Plan, strands, needs, open_now: bool, limit: int | None) -> list[Entry]:
    """The ranked entries meeting the hard rules, as vectorised masks over the whole index."""
    codes = index.codes
    tier = index.tier
    if q.kind == "partnership":
        local = (tier == 0) & ((index.boroughs & codes.mask("borough", q.boroughs)) != 0)
    elif q.kind == "unknown":
        local = tier == 0  # no place given: every local service (all are ours)
    else:
        local = np.zeros(len(tier), dtype=bool)
    mask = local | (tier == 1) | (tier == 2)
    strand_mask, need_mask = codes.mask("strand", strands), codes.mask("need", needs)
    if strands:
        mask &= (index.strands & strand_mask) != 0
    if needs:
        mask &= (index.needs & need_mask) != 0
    # Perpetrator services only when asked for (never offered to a survivor unasked).
    perpetrator = codes.mask("need", [PERPETRATOR_NEED])
    if not need_mask & perpetrator:
        mask &= (index.needs & perpetrator) == 0
    # Work for professionals only (training, schools work, coordination): never offered to
    # someone asking for help for themselves.
    if not q.for_professional:
        mask &= (index.audiences & codes.mask("audience", [PROFESSIONALS])) == 0
    mask &= index.eligible(q.audiences, q.age)
    if open_now:
        mask &= index.open_at(q.now)
    rows = np.flatnonzero(mask)
    if not len(rows):
        return []
    tiers = tier[rows]
    if q.kind == "outside-london":
        tiers = np.where(tiers == 1, 2, np.where(tiers == 2, 1, tiers))  # national first
    referral = np.zeros(len(rows), dtype=np.int64)
    if not q.for_professional:
        referral = (~index.self_referral[rows]).astype(np.int64)
    q_strands, q_needs = codes.mask("strand", q.strands), codes.mask("need", q.needs)
    fit = popcount(index.needs[rows] & q_needs) + popcount(index.strands[rows] & q_strands)
    q_audiences = codes.mask("audience", q.audiences)
    audience = popcount(index.audiences[rows] & q_audiences)
    language = popcount(index.languages[rows] & codes.mask("language", q.languages))
    # Who the person is comes first: a service for them (their audience or language), then
    # services for anyone, then services for someone else (young people's, a community's).
    # Women's services are for anyone here unless the person is a man (then they are gone).
    # Gender says who may use a service; a community, an age or a faith says more, so when
    # one is given it alone makes a service the person's own (a Jewish woman: Jewish Women's
    # Aid, not every women's service).
    anyone = codes.mask("audience", ("women",)) if "men" not in q.audiences else 0
    for_someone_else = (index.audiences[rows] & ~(q_audiences | anyone)) != 0
    beyond_gender = codes.mask("audience", set(q.audiences) - set(GENDER_CODES)) or q_audiences
    own = popcount(index.audiences[rows] & beyond_gender) + language
    specialist = np.where(own > 0, 0, np.where(for_someone_else, 2, 1))
    # Asked for no particular kind of help: a way in first (a helpline, an advocate), before
    # services that do one thing (a clinic, a family hub).
    first_contact = np.zeros(len(rows), dtype=np.int64)
    if not q.needs:
        way_in = codes.mask("need", FIRST_CONTACT_NEEDS)
        first_contact = ((index.needs[rows] & way_in) == 0).astype(np.int64)
    # A strand other than domestic abuse (stalking, forced marriage, FGM...): its specialists
    # (national helplines, advocates) before local services that cover every strand.
    generalist = np.zeros(len(rows), dtype=np.int64)
    if q.strands and q.strands != {USUAL_STRAND}:
        generalist = (popcount(index.strands[rows]) > SPECIALIST_STRANDS).astype(np.int64)
    # Domestic abuse and another strand ("they don't pay me and the mother hits me"): the other
    # strand is what few services know, so services for it come before domestic abuse ones.
    rarer = codes.mask("strand", q.strands - {USUAL_STRAND})
    rarer_missed = np.zeros(len(rows), dtype=np.int64)
    if rarer and USUAL_STRAND in q.strands:
        rarer_missed = ((index.strands[rows] & rarer) == 0).astype(np.int64)
    # Gender not said: services for anyone before services for women only.
    women_only = np.zeros(len(rows), dtype=np.int64)
    if not {"women", "men"} & q.audiences:
        women_only = (index.gender[rows] == GENDER_CODES["women"]).astype(np.int64)
    # Nothing said of what is happening: domestic abuse is what most people here live with.
    usual = np.zeros(len(rows), dtype=np.int64)
    if not (q.strands or strands):
        usual = ((index.strands[rows] & codes.mask("strand", [USUAL_STRAND])) == 0).astype(np.int64)
    # Services outside VAWG (a suicide line, a general LGBT+ or disability helpline) are in the
    # directory for what they do, after the VAWG services for the same person.
    outside_vawg = (index.strands[rows] == 0).astype(np.int64)
    # Sort keys, last one first (np.lexsort): specialist, VAWG, rarer strand, generalist, tier,
    # way in, self-referral, fit, audience, language, then the index's static order.
    order = np.lexsort(
        (
            index.rank[rows],
            -language,
            -audience,
            -fit,
            referral,
            usual,
            first_contact,
            women_only,
            tiers,
            generalist,
            rarer_missed,
            outside_vawg,
            specialist,
        )
    )
    if limit is not None:
        order = order[:limit]
    return [index.entries[i] for i in rows[order]]
