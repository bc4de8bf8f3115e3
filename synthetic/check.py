"""The strict identities of identities.csv evaluated on an ``expected`` dict (the generator's own self-check).

A term is *given* when its key is present and not None. An identity is skipped in a scope when no lhs term or no
rhs term is given there (sub-rows not printed); otherwise missing terms count as 0.
"""
from __future__ import annotations

from synthetic.spec import Spec


def _side(expected: dict, side, key) -> tuple[float, int]:
    total, given = 0.0, 0
    for sign, term in side:
        v = expected.get(key(term))
        if v is not None:
            total += sign * v
            given += 1
    return total, given


def failing(spec: Spec, era: str, expected: dict) -> set[str]:
    bad = set()
    apps = spec.applicant_codes
    rows = sorted({c for c, a in expected if a is not None})
    for ident in spec.strict_identities(era):
        if ident.scope == "column":
            scopes = [lambda term, a=a: (term, a) for a in apps]
        elif ident.scope == "row":
            scopes = [lambda term, r=r: (r, term) for r in rows]
        else:
            scopes = [lambda term: (term, None)]
        for key in scopes:
            lhs, gl = _side(expected, ident.lhs, key)
            rhs, gr = _side(expected, ident.rhs, key)
            if gl and gr and abs(lhs - rhs) > 1e-6:
                bad.add(ident.code)
                break
    return bad
