"""Files that appear whole or not at all: written under a temporary name next to their own, renamed when done."""
import os
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def written_whole(path: str) -> Iterator[str]:
    """Yield the temporary path to write; on success it becomes `path` (one rename), on an error it is removed."""
    partial = f"{path}.part"
    try:
        yield partial
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise
    os.replace(partial, path)
