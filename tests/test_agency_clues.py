"""Who and when, wherever a report says it (formats.md §7.W): the agency from every place a report names itself,
functional zones and old names in the gazetteer, never a confident wrong place, the year however it is printed.
The examples are written after real report openings (tests/fixtures/real/openings/ holds hand-keyed ones)."""
from __future__ import annotations

import pytest

from extractors import extract_page
from extractors.gazetteer import resolve_agency


def read(text: str):
    return extract_page(text.encode("utf-8"), media_type="text/plain")


def place(report) -> tuple:
    a = report.agency
    return a.status, a.division_code


# ---------------------------------------------------------------- the agency wherever the report names itself

def test_heading_run_into_the_first_sentence_and_signature():
    r = read("柞市镇2019年政府信息公开工作年度报告根据《中华人民共和国政府信息公开条例》规定，特编制本报告。\n"
             "一、总体情况\n2019年，我镇认真贯彻落实。\n衡南县柞市镇人民政府\n2020年1月15日\n")
    assert (r.year, r.agency.name, place(r)) == (2019, "柞市镇", ("resolved", "430422115"))


def test_compiled_by_and_statistics_period():
    r = read("2012年政府信息公开年度报告\n本报告由舒兰市教育局编制。本报告中使用数据统计期限为2012年1月1日至2012年12月31日。\n"
             "一、概述\n2012年，我局认真贯彻落实《条例》。\n")
    assert (r.year, r.agency.name, r.agency.kind, place(r)) == (2012, "舒兰市教育局", "department", ("resolved", "220283"))


def test_published_title_in_the_intro():
    r = read("2020年政府信息公开工作年度报告\n根据《条例》，现公布《青州市教育和体育局2020年政府信息公开工作年度报告》。\n")
    assert (r.agency.name, place(r)) == ("青州市教育和体育局", ("resolved", "370781"))


def test_year_first_intro_and_traditional_script():
    r = read("根據《中華人民共和國政府信息公開條例》規定,現向社會公布2020年度鞍山市公安局政府信息公開工作年度報告。\n一、總體情況\n")
    assert (r.year, r.agency.name, place(r)) == (2020, "鞍山市公安局", ("resolved", "210300"))


def test_sentence_subject_and_year_opening():
    r = read("本年度報(bào)告根據(jù)《條例》編制。\n一、概況\n2010年,南昌縣統計局在縣委、縣政府的正確領導下開展政府信息公開工作。\n")
    assert (r.year, r.agency.name, place(r)) == (2010, "南昌县统计局", ("resolved", "360121"))


def test_contact_line_places_a_self_reference():
    r = read("2021年政府信息公开工作年度报告\n2021年，我镇在县委、县政府的领导下开展政府信息公开工作。\n"
             "如对本报告有疑问，请与永平镇人民政府党政办联系。地址：武平县永平镇永平街88号，邮编：364306。\n")
    assert r.agency.name == "永平镇人民政府"
    assert place(r) == ("resolved", "350824110")


def test_a_mirror_that_put_its_own_name_in_the_title():
    r = read("某某资讯网2019年政府信息公开工作年度报告\n一、概述\n2019年，我镇认真贯彻落实政府信息公开条例。\n"
             "衡南县柞市镇人民政府\n2020年1月10日\n")
    assert (r.agency.name, place(r)) == ("衡南县柞市镇人民政府", ("resolved", "430422115"))


def test_generic_title_with_the_name_on_the_next_line():
    r = read("某某体育官网\n2019年度政府信息公开年度报告\n发布时间:2020-01-19\n衡阳市国资委\n2019年度政府信息公开年度报告\n"
             "一、概述\n")
    assert (r.year, r.agency.name, place(r)) == (2019, "衡阳市国资委", ("resolved", "430400"))


def test_the_portal_chooses_between_same_named_towns():
    r = read("张家湾镇2021年政府信息公开工作年度报告\n根据《条例》规定以及县委、县政府统一安排部署，现向社会公布2021年度"
             "张家湾镇人民政府信息公开工作年度报告。\n2021年通过《富县人民政府网》发布信息85条。\n")
    assert place(r) == ("resolved", "610628103")


def test_index_number_carries_the_division_code():
    r = read("北街街道2025年政府信息公开工作年度报告\n| 索引号 | 620702081/2026-00007 | 发文字号 | |\n一、总体情况\n"
             "2025年,北街街道认真贯彻落实《条例》。\n")
    assert place(r) == ("resolved", "620702001") or (r.agency.status, r.agency.county) == ("resolved", "甘州区")


def test_phone_and_postcode_that_agree_place_a_mangled_name():
    r = read("本报告由中国体彩网,体彩网公安局根据《中华人民共和国政府信息公开条例》规定编制。报告所列统计期限自2020年1月1日至"
             "2020年12月31日。如对本报告有疑问,请与中国体彩网,体彩网公安局联系(邮编:223001,电话:0517-81330700)。\n")
    assert (r.year, r.agency.status, r.agency.prefecture) == (2020, "resolved", "淮安市")


def test_bare_level_name_placed_by_its_city_named_twice():
    r = read("本年报根据《中华人民共和国政府信息公开条例》、《长沙市政府信息公开工作制度》编制。本年报中所列数据的统计期限自2008年1月1日"
             "起至2008年12月31日止。\n一、概述\n2008年本市政府信息公开工作，按照长沙市人民政府办公厅的要求开展。\n")
    assert (r.year, r.agency.status, r.agency.division_code) == (2008, "resolved", "430100")


def test_a_place_written_about_once_is_not_the_body():
    r = read("一、概述\n2009年,本市各级政府部门认真贯彻落实《条例》,深化政府信息公开。向社会公开对口支援都江堰市灾后恢复重建项目情况。\n")
    assert r.agency.division_code is None


def test_a_place_the_body_helps_is_not_the_body():
    r = read("2018年度政府信息公开工作年度报告\n2018年，我县认真贯彻落实《条例》，对口支援新疆和田县，派出干部赴和田县、"
             "和田县开展帮扶。\n")
    assert r.agency.division_code is None
    r = read("2023年政府信息公开工作年度报告\n2023年，市农业农村局认真贯彻落实政府信息公开条例。按照《苏州市人民政府办公室"
             "关于做好2023年政府信息公开工作年度报告的通知》要求编制本报告。\n")
    assert (r.agency.name, r.agency.division_code) == ("市农业农村局", "320500")


def test_central_bodies_are_placed_in_no_division():
    r = read("根据《条例》的规定,现发布《工业和信息化部政府信息公开工作2010年度报告》。\n一、概述\n2010年,我部认真贯彻落实。\n")
    assert (r.year, r.agency.name, r.agency.status, r.agency.province) == (2010, "工业和信息化部", "resolved", None)
    for name in ("水利部", "海关总署办公厅", "国务院侨办", "国家统计局", "太湖流域管理局"):
        res = resolve_agency(name, 2015)
        assert (res.status, res.division_code) == ("resolved", None), name
    assert resolve_agency("宣传部", 2015).status == "unknown"


# ---------------------------------------------------------------- the gazetteer beyond the NBS list

@pytest.mark.parametrize("name, year, code", [
    ("平潭综合实验区管委会", 2020, "350128"),       # administers 平潭县
    ("杨凌示范区管委会", 2015, "610403"),           # administers 杨陵区
    ("广州开发区管委会", 2012, "440116"),           # with 萝岗区 until 2013
    ("广州开发区管委会", 2020, "440112"),           # with 黄埔区 since 2014
    ("成都高新区管委会", 2020, "510100"),           # spans counties: the city only
    ("西咸新区管委会", 2020, "610000"),             # spans 西安 and 咸阳: the province only
    ("长春高新技术产业开发区管委会", 2012, "220173"),  # NBS code from 2017; the zone existed before
    ("杭州钱江经济开发区", 2022, "330100"),         # a city's short form before a zone word
    ("安徽舒城经济开发区", 2025, "341523"),         # a county's short form before a zone word
    ("池州市公安贵池分局", 2020, "341702"),         # a county's short form before 分局
    ("巴州人民政府", 2015, "652800"),               # colloquial name
    ("襄樊市人民政府", 2015, "420600"),             # old name: the same code, 襄阳市 that year
])
def test_zones_and_old_names(name, year, code):
    r = resolve_agency(name, year)
    assert (r.status, r.division_code) == ("resolved", code), r.evidence


def test_a_town_printed_with_its_former_suffix():
    # 柞市乡 is 柞市镇 in the NBS tables; the county printed beside it says which one
    r = resolve_agency("衡南县柞市乡人民政府", 2012)
    assert (r.status, r.division_code, r.kind) == ("resolved", "430422115", "township_government")


def test_a_zone_is_not_the_government_of_its_division():
    assert resolve_agency("平潭综合实验区管委会", 2020).kind == "department"
    assert resolve_agency("西咸新区", 2020).kind == "other"


# ---------------------------------------------------------------- never a confident wrong place

def test_a_township_the_county_does_not_have_is_placed_at_the_county():
    r = resolve_agency("衡南县永平镇人民政府", 2020)
    assert (r.status, r.division_code, r.kind) == ("resolved", "430422", "other")


def test_generic_zone_words_need_their_county():
    assert resolve_agency("常州市高新区", 2020).division_code == "320400"  # not 武进区's 高新区
    assert resolve_agency("高新区管委会", 2020).status == "ambiguous"
    assert resolve_agency("苏银产业园管委会", 2025).division_code == "640100"  # not the NBS 产业园 inside it
    assert resolve_agency("林业局", 2010).status != "resolved"


def test_a_division_suffix_prefers_the_division():
    assert resolve_agency("东城区人民政府", 2020).division_code == "110101"
    assert resolve_agency("滨海新区人民政府", 2020).division_code == "120116"


def test_the_text_names_reject_a_candidate():
    # 太平镇 alone is one of fifty; the body's signature names its county
    r = read("太平镇2022年政府信息公开工作年度报告\n2022年，太平镇人民政府认真贯彻落实《条例》。\n"
             "如对本报告有疑问，请与昌图县太平镇人民政府联系。\n")
    assert place(r) == ("resolved", "211224128")
    # a province-wide hint alone does not choose between same-named towns
    assert resolve_agency("太平镇人民政府", 2022, icp="辽ICP备12345678号").status == "ambiguous"


# ---------------------------------------------------------------- the year however it is printed

@pytest.mark.parametrize("text, year", [
    ("莆田市荔城区人民政府\n2009年年報\n一、概述\n根據《中華人民共和國政府信息公開條例》，我區政府信息公開工作穩步推進。\n", 2009),
    ("某某区2012年政府信息公开年度报告\n一、概述\n", 2012),
    ("政府信息公开工作年度报告\n2024年，某某区人民政府办公室认真贯彻落实政府信息公开条例。\n", 2024),
    ("某某局政府信息公开工作年度报告\n本报告所列数据统计期限自2016年1月1日起至2016年12月31日止。\n", 2016),
    ("我局认真贯彻《条例》精神。2008年主要工作情况如下。\n一、政府信息公开基础工作\n", 2008),
    ("本年度报告由常德市林业局编制。\n一、概述\n根据《条例》要求,2013年进一步加强政府信息公开工作。截至2013年底,公开信息100条。\n", 2013),
])
def test_years(text, year):
    r = read(text)
    assert r.year == year
    assert "no statistical table found: prose-only report" in r.warnings
