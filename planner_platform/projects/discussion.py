"""Public comments on a project in public notice, through the proposals' comment and moderation machinery.
(Filled in by the participation work.)"""


def thread_of(project, actor):
    return None
