from django.db import models
from django.utils.translation import gettext_lazy as _


class AssetType(models.TextChoices):
    """The three kinds of assets projects leave (扶贫项目资产)."""

    OPERATING = "operating", _("Operating asset")
    PUBLIC_BENEFIT = "public_benefit", _("Public-benefit asset")
    HOUSEHOLD = "household", _("Household asset")


class OwnerKind(models.TextChoices):
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")
    VILLAGE_COLLECTIVE = "village_collective", _("Village collective")
    HOUSEHOLD = "household", _("Household")


class AssetState(models.TextChoices):
    IN_USE = "in_use", _("In use")
    DISPOSAL_PROPOSED = "disposal_proposed", _("Disposal awaiting township review")
    DISPOSAL_REVIEWED = "disposal_reviewed", _("Disposal awaiting county approval")
    DISPOSED = "disposed", _("Disposed")


class DisposalMode(models.TextChoices):
    SCRAP = "scrap", _("Scrapped")
    SALE = "sale", _("Sold")
    TRANSFER = "transfer", _("Transferred")


class AssetAction(models.TextChoices):
    PROPOSE_DISPOSAL = "propose_disposal", _("Propose disposal")
    TOWNSHIP_APPROVE = "township_approve", _("Township review of the disposal passed")
    COUNTY_APPROVE = "county_approve", _("Approve the disposal")
    RETURN = "return", _("Return the disposal with a reason")
    WITHDRAW = "withdraw", _("Withdraw the disposal")


class AssetEventKind(models.TextChoices):
    REGISTER = "register", _("Asset registered")
    EDIT = "edit", _("Rights and operation recorded")
    INCOME = "income", _("Income recorded")
    DISTRIBUTION = "distribution", _("Income distributed")
