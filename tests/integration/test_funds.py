"""Funds: allocations never exceed a fund, payments never exceed an allocation, every
movement a row that is never changed, corrections by reversal; by any sequence of
writes (property-based) and by two writers at once."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jingzhun.accounts.choices import Role
from jingzhun.areas.models import Area
from jingzhun.core.audit import AuditImmutable, audit_purge
from jingzhun.funds import services
from jingzhun.funds.choices import MovementKind, PayeeKind
from jingzhun.funds.models import Fund, FundMovement
from jingzhun.projects.choices import FundLevel, ProjectState
from jingzhun.projects.models import Project
from tests import factories
from tests.case_steps import People, people
from tests.project_steps import proposal, walk_to

TODAY = datetime.date(2026, 3, 2)


def voucher() -> SimpleUploadedFile:
    return SimpleUploadedFile("voucher.pdf", b"%PDF-1.4 voucher\n%%EOF\n", content_type="application/pdf")


@pytest.fixture
def staff(village, other_village) -> People:
    return people(village, other_village)


@pytest.fixture
def finance(village):
    return factories.user("finance", Role.FINANCE_OFFICER, Area.objects.get(code=factories.COUNTY))


def _fund(finance, amount: str = "1000000.00", number: str = "清财农〔2026〕1号") -> Fund:
    return services.fund_create(
        user=finance,
        area=finance.area,
        document_number=number,
        title="2026年中央衔接资金（第一批）",
        issued_on=TODAY,
        year=2026,
        level=FundLevel.CENTRAL,
        fund_type="01",
        amount=amount,
    )


def _planned(staff: People) -> Project:
    return walk_to(staff, proposal(staff.village), ProjectState.PLANNED)


def _pay(finance, fund, project, amount, **extra):
    return services.pay(
        user=finance,
        fund=fund,
        project=project,
        amount=amount,
        occurred_on=TODAY,
        payee_kind=PayeeKind.UNIT,
        payee_name="清水河县建筑公司",
        voucher=voucher(),
        **extra,
    )


pytestmark = pytest.mark.usefixtures("reference_data")


def test_allocate_pay_and_reconcile(staff, finance):
    fund, project = _fund(finance), _planned(staff)
    services.allocate(user=finance, fund=fund, project=project, amount="600000.00", occurred_on=TODAY)
    payment = _pay(finance, fund, project, "250000.50")
    assert services.fund_totals(fund) == (Decimal("600000.00"), Decimal("250000.50"))
    assert payment.voucher_name == "voucher.pdf"
    assert services.reconciles(fund)


def test_a_fund_is_never_overallocated(staff, finance):
    fund, project = _fund(finance, "100.00"), _planned(staff)
    services.allocate(user=finance, fund=fund, project=project, amount="60.00", occurred_on=TODAY)
    with pytest.raises(ValidationError, match=r"40\.00 yuan unallocated"):
        services.allocate(user=finance, fund=fund, project=project, amount="40.01", occurred_on=TODAY)
    assert FundMovement.objects.count() == 1


def test_a_project_is_never_paid_more_than_allocated(staff, finance):
    fund, project = _fund(finance), _planned(staff)
    services.allocate(user=finance, fund=fund, project=project, amount="100.00", occurred_on=TODAY)
    _pay(finance, fund, project, "70.00")
    with pytest.raises(ValidationError, match=r"30\.00 yuan allocated to the project is unpaid"):
        _pay(finance, fund, project, "30.01")
    assert FundMovement.objects.filter(kind=MovementKind.PAYMENT).count() == 1


@pytest.mark.parametrize("amount", ["0", "-5", "1.005", "abc", 1.5, "1e20"])
def test_amounts_are_positive_yuan_with_two_decimals(staff, finance, amount):
    fund, project = _fund(finance), _planned(staff)
    with pytest.raises(ValidationError):
        services.allocate(user=finance, fund=fund, project=project, amount=amount, occurred_on=TODAY)


def test_a_correction_is_a_reversal_never_an_edit(staff, finance):
    fund, project = _fund(finance), _planned(staff)
    allocation = services.allocate(
        user=finance, fund=fund, project=project, amount="100.00", occurred_on=TODAY
    )
    payment = _pay(finance, fund, project, "80.00")
    with pytest.raises(ValidationError, match="reverse payments first"):
        services.reverse(user=finance, movement=allocation, reason="金额录错", occurred_on=TODAY)
    with pytest.raises(ValidationError):
        services.reverse(user=finance, movement=payment, reason=" ", occurred_on=TODAY)
    reversal = services.reverse(user=finance, movement=payment, reason="收款单位错误", occurred_on=TODAY)
    assert reversal.kind == MovementKind.PAYMENT_REVERSAL
    with pytest.raises(ValidationError, match="already been reversed"):
        services.reverse(user=finance, movement=payment, reason="again", occurred_on=TODAY)
    with pytest.raises(ValidationError, match="cannot itself be reversed"):
        services.reverse(user=finance, movement=reversal, reason="x", occurred_on=TODAY)
    services.reverse(user=finance, movement=allocation, reason="金额录错", occurred_on=TODAY)
    assert services.fund_totals(fund) == (Decimal("0.00"), Decimal("0.00"))
    payment.reason = "changed"
    with pytest.raises(AuditImmutable):
        payment.save()
    with pytest.raises(AuditImmutable):
        FundMovement.objects.filter(pk=payment.pk).update(amount=Decimal("1.00"))


@pytest.mark.postgres_only
def test_the_database_refuses_to_change_or_remove_a_movement(staff, finance):
    fund, project = _fund(finance), _planned(staff)
    services.allocate(user=finance, fund=fund, project=project, amount="100.00", occurred_on=TODAY)
    for statement in ("UPDATE funds_fundmovement SET amount = 1", "DELETE FROM funds_fundmovement"):
        with pytest.raises(Exception, match="cannot be"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    with pytest.raises(AuditImmutable, match="accounting record"):
        audit_purge(FundMovement, before=timezone.now() - datetime.timedelta(days=3650))
    assert services.fund_totals(fund) == (Decimal("100.00"), Decimal("0.00"))


def test_only_the_areas_finance_office_moves_money(staff, finance):
    fund, project = _fund(finance), _planned(staff)
    other_county = factories.user("finance-2", Role.FINANCE_OFFICER, Area.objects.get(code="150125000000"))
    for user in [*staff.everyone(), other_county]:
        with pytest.raises(PermissionDenied):
            services.allocate(user=user, fund=fund, project=project, amount="1.00", occurred_on=TODAY)
    with pytest.raises(PermissionDenied):
        _fund(staff.county, number="another")
    assert FundMovement.objects.count() == 0


def test_only_planned_projects_receive_money(staff, finance):
    fund = _fund(finance)
    draft = proposal(staff.village)
    with pytest.raises(ValidationError, match="implementation plan"):
        services.allocate(user=finance, fund=fund, project=draft, amount="1.00", occurred_on=TODAY)


def test_a_payment_needs_a_voucher_and_a_valid_payee_id(staff, finance):
    fund, project = _fund(finance), _planned(staff)
    services.allocate(user=finance, fund=fund, project=project, amount="100.00", occurred_on=TODAY)
    with pytest.raises(ValidationError) as refused:
        services.pay(
            user=finance,
            fund=fund,
            project=project,
            amount="1.00",
            occurred_on=TODAY,
            payee_kind=PayeeKind.PERSON,
            payee_name="张三",
            payee_id_number="150124198001010000",
            voucher=None,
        )
    assert set(refused.value.message_dict) == {"voucher", "payee_id_number"}
    with pytest.raises(ValidationError, match="PDF"):
        services.pay(
            user=finance,
            fund=fund,
            project=project,
            amount="1.00",
            occurred_on=TODAY,
            payee_kind=PayeeKind.UNIT,
            payee_name="公司",
            voucher=SimpleUploadedFile("v.pdf", b"<script>alert(1)</script>"),
        )
    assert FundMovement.objects.filter(kind=MovementKind.PAYMENT).count() == 0


# --- any sequence of writes keeps the books ------------------------------------------

OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["allocate", "pay", "reverse"]),
        st.integers(min_value=0, max_value=1),  # which project
        st.integers(min_value=1, max_value=30_000),  # the amount, in steps of 10.01 yuan
        st.integers(min_value=0, max_value=30),  # which earlier movement to reverse
    ),
    min_size=1,
    max_size=25,
)


@pytest.mark.django_db
def test_any_sequence_of_movements_keeps_every_invariant(staff, finance):
    fund = _fund(finance, "500000.00")
    projects = [_planned(staff), _planned(staff)]

    @settings(
        max_examples=25,
        derandomize=True,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(OPERATIONS)
    def run(operations):
        start = FundMovement.objects.count()
        for name, which, hundreds, earlier in operations:
            project, amount = projects[which], Decimal(hundreds) * Decimal("10.01")
            before = FundMovement.objects.count()
            try:
                if name == "allocate":
                    services.allocate(
                        user=finance, fund=fund, project=project, amount=amount, occurred_on=TODAY
                    )
                elif name == "pay":
                    _pay(finance, fund, project, amount)
                else:
                    rows = list(FundMovement.objects.order_by("id")[start:])
                    if not rows:
                        continue
                    services.reverse(
                        user=finance, movement=rows[earlier % len(rows)], reason="更正", occurred_on=TODAY
                    )
            except ValidationError:
                assert FundMovement.objects.count() == before  # a refusal writes nothing
            allocated, _paid = services.fund_totals(fund)
            assert Decimal("0") <= allocated <= fund.amount
            assert services.reconciles(fund)
            for each in projects:
                project_allocated, project_paid = services.fund_project_totals(fund, each)
                assert Decimal("0") <= project_paid <= project_allocated

    run()


# --- two writers at once -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_payments_that_together_overdraw_exactly_one_succeeds(reference_data, village, other_village):
    staff = people(village, other_village)
    finance = factories.user("finance", Role.FINANCE_OFFICER, Area.objects.get(code=factories.COUNTY))
    second = factories.user("finance-b", Role.FINANCE_OFFICER, Area.objects.get(code=factories.COUNTY))
    fund, project = _fund(finance), _planned(staff)
    services.allocate(user=finance, fund=fund, project=project, amount="100.00", occurred_on=TODAY)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def pay(user):
        try:
            barrier.wait()
            with translation.override("en"):
                _pay(user, fund, project, "60.00")
            outcomes.append("ok")
        except ValidationError as error:
            with translation.override("en"):
                outcomes.append(" ".join(error.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(user,)) for user in (finance, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[1] == "ok"
    assert "unpaid" in sorted(outcomes)[0]
    assert services.fund_project_totals(fund, project) == (Decimal("100.00"), Decimal("60.00"))
