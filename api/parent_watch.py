"""Act once the process that started this one is gone (this one was re-parented)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

# How often the parent's pid is compared.
POLL_SECONDS = 1.0


def when_orphaned(owner: int, then: Callable[[], None]) -> None:
    """Call `then` (once, in a daemon thread) when this process's parent is no longer `owner`.

    The owner's pid comes from the owner, not from os.getppid() here: the owner may be dead
    before this process gets to ask.
    """

    def watch() -> None:
        while os.getppid() == owner:
            time.sleep(POLL_SECONDS)
        then()

    threading.Thread(target=watch, name="when-orphaned", daemon=True).start()
