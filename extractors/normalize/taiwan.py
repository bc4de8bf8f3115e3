"""Pages that went through a Taiwan-locale converter (简→繁 with phrases: 信息→資訊, 规范性文件→規範性檔案,
项目→專案) keep Taiwan vocabulary after t2s (formats.md §7.D). OpenCC's own TWPhrasesRev maps it back.

Only on a page that says 资讯公开 and never 信息公开, and only the entries whose mainland word the readers look
for (catalogue labels, prose patterns): a 档案局 or a 政务资讯 column on an ordinary page is never touched, and
no reverse entry that guesses (查詢 → 查找) reaches a label that was right."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from extractors.normalize.script import to_simplified


def is_taiwan_phrased(text: str) -> bool:
    return "资讯公开" in text and "信息公开" not in text


@lru_cache(maxsize=4)
def _back_map(vocabulary: str) -> tuple[re.Pattern, dict[str, str]]:
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / "TWPhrasesRev.txt"
    mapping: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        taiwan, _, mainland = line.partition("\t")
        if not taiwan or not mainland:
            continue
        taiwan, mainland = to_simplified(taiwan), to_simplified(mainland.split(" ")[0])
        if taiwan != mainland and mainland in vocabulary:
            mapping[taiwan] = mainland
    pattern = re.compile("|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True)))
    return pattern, mapping


def to_mainland(text: str, vocabulary: str) -> str:
    """Taiwan words (already in simplified characters) → the mainland words of ``vocabulary``."""
    pattern, mapping = _back_map(vocabulary)
    return pattern.sub(lambda m: mapping[m.group()], text) if mapping else text
