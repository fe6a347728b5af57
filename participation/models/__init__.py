"""Models of the participation app, one module per concern; import them from here."""

from participation.models.community import (
    Activity,
    ActivitySignup,
    Organisation,
    OrganisationContact,
    Volunteer,
)
from participation.models.points import PointsAccount, PointsEntry, Redemption, Reward
from participation.models.proposals import Proposal, ProposalAnswer, ProposalSupport
from participation.models.public import (
    Open311Key,
    PublicReport,
    PublicReportPhoto,
    PublicService,
    ServiceAttribute,
)
from participation.models.residents import (
    CareTag,
    Household,
    PersonalDataView,
    Resident,
    Visit,
)
from participation.models.satisfaction import (
    Rating,
    RatingInvitation,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)

__all__ = [
    "Activity",
    "ActivitySignup",
    "CareTag",
    "Household",
    "Open311Key",
    "Organisation",
    "OrganisationContact",
    "PersonalDataView",
    "PointsAccount",
    "PointsEntry",
    "Proposal",
    "ProposalAnswer",
    "ProposalSupport",
    "PublicReport",
    "PublicReportPhoto",
    "PublicService",
    "Rating",
    "RatingInvitation",
    "Redemption",
    "Resident",
    "Reward",
    "ServiceAttribute",
    "Survey",
    "SurveyAnswer",
    "SurveyQuestion",
    "SurveyResponse",
    "Visit",
    "Volunteer",
]
