"""The renewal projects' tables, one module per part of a project."""
from planner_platform.projects.models.core import (CONSTRUCTION_ONWARDS, DESCRIPTION_MAX, OPINION_MAX, REASON_MAX,
                                                   SIDE_STAGES, STAGE_LABELS, TITLE_MAX, PhotoKind, Project,
                                                   ProjectActivity, ProjectEvent, ProjectOrigin, ProjectPhoto,
                                                   ProjectUpdate, ReviewOpinion, Stage, Verdict)
from planner_platform.projects.models.ledger import FundingSource, ProjectFunding, Spending
from planner_platform.projects.models.work import DocumentKind, Milestone, ProjectDocument
from planner_platform.projects.models.participation import (SURVEY_COMMENT_MAX, NeedMet, ProjectComment,
                                                            ProjectCommentReport, SurveyResponse)

__all__ = ["CONSTRUCTION_ONWARDS", "DESCRIPTION_MAX", "OPINION_MAX", "REASON_MAX", "SIDE_STAGES", "STAGE_LABELS",
           "TITLE_MAX", "PhotoKind", "Project", "ProjectActivity", "ProjectEvent", "ProjectOrigin", "ProjectPhoto",
           "ProjectUpdate", "ReviewOpinion", "Stage", "Verdict",
           "SURVEY_COMMENT_MAX", "NeedMet", "ProjectComment", "ProjectCommentReport", "SurveyResponse",
           "FundingSource", "ProjectFunding", "Spending", "DocumentKind", "Milestone", "ProjectDocument"]
