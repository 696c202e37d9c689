"""The work on a project: milestones, progress updates with photos, documents, before/after photos.
(Filled in by the work-and-documents work.)"""


def milestones_of(project):
    return []


def updates_of(project):
    return []


def documents_of(project, actor):
    """The documents `actor` may open (public ones for everyone)."""
    return []
