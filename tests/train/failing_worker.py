"""A torchrun worker whose rank 1 raises during its third optimiser step (see test_distributed).

Usage (under torchrun): ``python tests/train/failing_worker.py CONFIG.json STAMP_FILE``; the
time of the failure is written to STAMP_FILE so the test can measure how long the job takes
to end after it.
"""

import os
import sys
import time
from pathlib import Path

from lima_curate.train import launch, recipe

real_step = recipe.train_step
steps = {"done": 0}


def failing_step(session, batches):
    if steps["done"] == 2:
        Path(sys.argv[2]).write_text(str(time.time()))
        raise RuntimeError("injected failure on rank 1")
    steps["done"] += 1
    return real_step(session, batches)


if __name__ == "__main__":
    if os.environ.get("RANK") == "1":
        recipe.train_step = failing_step
    sys.exit(launch.main(sys.argv[1:2]))
