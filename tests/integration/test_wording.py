"""What a village cadre reads: evidence and history in words and local time, not codes."""

from __future__ import annotations

import pytest
from django.utils import translation

from jingzhun.assistance.models import Visit
from jingzhun.monitoring.models import ScreeningRule
from jingzhun.registry.display import change_lines
from tests import factories

pytestmark = pytest.mark.django_db


def test_evidence_reads_as_words_and_plain_numbers():
    rule = ScreeningRule.objects.get(pk="CHILD_NOT_ENROLLED")
    with translation.override("zh-hans"):
        assert rule.message({"value": "6.00", "detail": "register"}) == "6 岁儿童未在校（来源：农户档案）"
        assert "教育部门数据" in rule.message({"value": "12.00", "detail": "education_data"})
    income = ScreeningRule.objects.get(pk="INCOME_BELOW_LINE")
    assert income.message({"value": "6955.37", "threshold": "7500.00"}) == (
        "Per-capita net income 6,955.37 yuan, not above the line of 7,500 yuan"
    )
    earner = ScreeningRule.objects.get(pk="MAIN_EARNER_LOSS")
    with translation.override("zh-hans"):
        assert earner.message({"detail": "serious_illness"}) == "主要劳动力患大病"


def test_history_shows_local_minutes_and_names_not_iso_text_and_keys(village):
    visitor = factories.village_cadre(village)
    visitor.first_name, visitor.last_name = "大山", "王"
    visitor.save()
    lines = change_lines(
        Visit,
        {"recorded_at": [None, "2026-11-30T02:15:30.123456+00:00"], "visitor_id": [None, visitor.pk]},
        province="15",
    )
    values = {line.label: line.new for line in lines}
    assert "2026-11-30 10:15" in values.values()  # Asia/Shanghai, to the minute
    assert visitor.get_full_name() in values.values()
