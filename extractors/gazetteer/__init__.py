"""Agency gazetteer: publishing agency → administrative division with NBS codes.

Pure Python over the seed CSVs in dbt/seeds/gazetteer/ (built by scripts/build_gazetteer_seeds.py;
the directory can be moved with the OGI_GAZETTEER_DIR environment variable). The seeds are loaded
once, on first use.

    >>> from extractors.gazetteer import resolve_agency
    >>> resolve_agency("衡南县柞市镇人民政府", 2023).division_code
    '430422115'
"""
from extractors.gazetteer.data import ENV_DIR, Gazetteer, Unit, clear_cache, get_gazetteer, seed_dir
from extractors.gazetteer.resolver import KINDS, AgencyResolution, resolve_agency
from extractors.gazetteer.text import normalize_text

__all__ = [
    "ENV_DIR", "KINDS", "AgencyResolution", "Gazetteer", "Unit", "clear_cache", "get_gazetteer",
    "normalize_text", "resolve_agency", "seed_dir",
]
