"""Turn directory matches into short, plain-text replies."""

from __future__ import annotations

from directory.matching import Match


def service_text(match: Match) -> str:
    card = match.service
    lines = [card.name, card.description]
    for number, what in card.phones:
        lines.append(f"Call {number}" + (f" ({what})" if what else ""))
    if card.url:
        lines.append(card.url)
    if card.hours:
        lines.append(f"Open: {card.hours}")
    lines.append("You can contact them yourself." if card.self_referral else "Referral needed.")
    return "\n".join(lines)
