"""The budget and funding ledger of a project: estimate, funding sources with approved amounts, spending entries,
execution rate; amounts in integer fen. (Filled in by the ledger work.)"""


def disclosure(project):
    """What the public page shows of the money: sources, approved and spent amounts, the execution rate."""
    return None
