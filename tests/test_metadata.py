"""Agency names as the report names them, with mirror-site spam removed (formats.md §7.T)."""
from __future__ import annotations

import pytest

from extractors import extract_page

TABLE = "\n一、本年新收政府信息公开申请数量 1 0 0 0 0 0 1\n二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0\n"


@pytest.mark.parametrize("title, name", [
    # gambling ads written into the name by mirror hosts
    ("uedbet体育_uedbet官网@:西柳镇人民政府2023年政府信息公开工作年度报告", "西柳镇人民政府"),
    ("puroview.com沙头镇2008年政府信息公开工作年度报告", "沙头镇"),
    ("新葡京博彩官网区人民政府北京街道办事处2020年政府信息公开工作年度报告", "北京街道办事处"),
    ("欧洲杯线下买球越秀区人民政府北京街道办事处2020年政府信息公开工作年度报告", "越秀区人民政府北京街道办事处"),
    # words that only look like spam: these are agencies
    ("某某市文化广电旅游体育局2021年政府信息公开工作年度报告", "某某市文化广电旅游体育局"),
    ("某某省福利彩票发行中心2021年政府信息公开工作年度报告", "某某省福利彩票发行中心"),
])
def test_agency_name_without_spam(title, name):
    report = extract_page((title + TABLE).encode("utf-8"), media_type="text/plain")
    assert report.agency.name == name


@pytest.mark.parametrize("head, name, year", [
    ("某某市某某局2021年政府信息公开工作年度报告", "某某市某某局", 2021),
    # the year first, the agency after it; also broken over two lines (PDF and Markdown text)
    ("2024年上海市科委政府信息公开工作年度报告", "上海市科委", 2024),
    ("2024 年上海市科委政府信息公开工作\n年度报告", "上海市科委", 2024),
    ("2023年度某某区人民政府政府信息公开工作年度报告（全文）", "某某区人民政府", 2023),
    ("2022年政府信息公开工作年度报告", None, 2022),  # no agency in the title: not 政府 as the name
])
def test_report_titles(head, name, year):
    report = extract_page((head + "\n正文" + TABLE).encode("utf-8"), media_type="text/plain")
    assert (report.agency.name, report.year) == (name, year)


def test_year_from_the_statistics_period():
    text = "某某局政府信息公开工作年度报告\n本年度报告中所列数据的统计周期\n为 2024 年 1 月 1 日至 12 月 31 日。" + TABLE
    assert extract_page(text.encode("utf-8"), media_type="text/plain").year == 2024
