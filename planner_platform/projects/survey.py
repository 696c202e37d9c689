"""The post-evaluation satisfaction survey: residents of the community answer once each.
(Filled in by the participation work.)"""


def summary_of(project, actor):
    return None
