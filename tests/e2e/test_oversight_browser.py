"""Oversight in the browser, each step by another person: a supervisor records an inspection
finding on a household, the village submits its rectification and the township signs it
off; an evaluator marks a household missed, and the village opens a case from it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jingzhun.accounts.choices import Role
from jingzhun.areas.models import Area
from jingzhun.cases.models import Case
from jingzhun.oversight import services
from jingzhun.oversight.choices import RectificationState
from jingzhun.oversight.models import EvaluationSample, Finding
from tests import factories
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_case_browser import Desks

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(reference_data):
    village = factories.area("150124100201", "榆树营村")
    county = Area.objects.get(code=factories.COUNTY)
    households = []
    for index in range(6):
        household = factories.household(village, attribute="09")
        factories.member(household, relation="01", name=f"住户{index}")
        households.append(household)
    supervisor = factories.user("inspector", Role.SUPERVISOR, county)
    factories.user("cadre", Role.VILLAGE_CADRE, village)
    factories.user("township", Role.TOWNSHIP_REVIEWER, village.parent)
    evaluator = factories.user("evaluator", Role.EVALUATOR, county)
    plan = services.plan_create(
        user=supervisor,
        area=county,
        name="县级评估",
        year=timezone.localdate().year,
        villages_wanted=1,
        registered_per_village=0,
        unregistered_per_village=3,
        seed=3,
    )
    plan = services.plan_draw(user=supervisor, plan=plan)
    services.plan_assign(user=supervisor, plan=plan, evaluator=evaluator, villages=[village.code])
    return {"village": village, "households": households, "plan": plan}


@pytest.fixture
def desks(browser, live_server):
    desks = Desks(browser, live_server)
    yield desks
    desks.close()


def _photo_file(directory, name, colour):
    from PIL import Image

    path = directory / name
    Image.new("RGB", (320, 240), colour).save(path, format="JPEG")
    return str(path)


def test_inspection_rectification_and_an_evaluation_lead(live_server, world, desks, tmp_path):
    url, village = live_server.url, world["village"]
    household = world["households"][0]

    # 1. The supervisor records a finding on a household; the township is to sign it off.
    inspector = desks("inspector")
    inspector.goto(f"{url}/oversight/rectification/")
    inspector.select_option("#id_area", village.code)
    inspector.select_option("#id_problem_type", "02")
    inspector.fill("#id_household_number", household.household_number)
    inspector.fill("#id_description", "监测户无产业帮扶措施")
    inspector.check("#id_delegate_sign_off")
    inspector.set_input_files("#id_photos", _photo_file(tmp_path, "问题.jpg", (180, 40, 40)))
    inspector.click("[data-testid=finding-form] button")
    inspector.wait_for_selector("[data-testid=finding-state]")
    finding = Finding.objects.get()
    assert finding.sign_off_area_id == village.parent_id

    # 2. The village submits its rectification; 3. the township signs it off.
    cadre = desks("cadre")
    cadre.goto(f"{url}/oversight/rectification/{finding.pk}/")
    cadre.fill("#id_measures", "已为该户落实产业奖补和技术指导")
    cadre.set_input_files("#id_photos", _photo_file(tmp_path, "整改.jpg", (40, 140, 60)))
    cadre.click("[data-testid=move-submit]")
    cadre.wait_for_selector("[data-testid=finding-state]:has-text('待销号')")
    township = desks("township")
    township.goto(f"{url}/oversight/rectification/{finding.pk}/")
    township.click("[data-testid=move-sign_off]")
    township.wait_for_selector("[data-testid=finding-state]:has-text('已整改销号')")
    # Both photos shown, decoded by the browser (a real image, served inline).
    township.wait_for_function(
        "() => Array.from(document.querySelectorAll('[data-testid=finding-photos] img'))"
        ".every(i => i.complete)"
    )
    widths = township.eval_on_selector_all(
        "[data-testid=finding-photos] img", "els => els.map(e => e.naturalWidth)"
    )
    assert widths == [320, 320]
    township.screenshot(path=str(ARTIFACTS / "rectification-signed-off.png"), full_page=True)
    assert Finding.objects.get().state == RectificationState.SIGNED_OFF

    # 4. The evaluator interviews a sampled household and marks it missed.
    sampled = EvaluationSample.objects.filter(plan=world["plan"]).order_by("pk").first()
    evaluator = desks("evaluator")
    evaluator.goto(f"{url}/oversight/evaluations/{world['plan'].pk}/")
    evaluator.click(f"[data-testid=sample] a[href$='/households/{sampled.pk}/']")
    evaluator.fill("#id_resident_members", "3")
    evaluator.fill("#id_wage_income", "9000")
    evaluator.select_option("#id_verdict", "missed")
    evaluator.fill("#id_note", "家人重病，人均收入低于监测线")
    evaluator.screenshot(path=str(ARTIFACTS / "evaluation-questionnaire.png"), full_page=True)
    evaluator.click("[data-testid=questionnaire-form] button[type=submit]")
    evaluator.wait_for_selector("[data-testid=entered]:has-text('1 /')")

    # 5. The village finds the lead and opens an identification case carrying the finding.
    cadre.goto(f"{url}/oversight/evaluations/leads/")
    cadre.click("[data-testid=open-case]")
    cadre.wait_for_selector("[data-testid=case-state]")
    case = Case.objects.get(household=sampled.household)
    assert case.evidence["verdict"] == "missed"
    cadre.screenshot(path=str(ARTIFACTS / "case-from-evaluation.png"), full_page=True)
