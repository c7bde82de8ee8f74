"""Starting several training processes with torchrun (:func:`launch`), and the worker entry point.

A failing worker prints its error, leaves the process group without waiting and exits at once;
torchrun then stops the other workers and exits non-zero.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NoReturn, Sequence

from lima_curate.config import ConfigError, parse, to_dict
from lima_curate.train.config import TrainConfig


def torchrun_command(config_file: "Path | str", *, nproc_per_node: int, nnodes: int = 1, node_rank: int = 0,
                     master_addr: str = "", master_port: int = 29500) -> list[str]:
    """The torchrun command line that starts this node's workers."""
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", str(nproc_per_node)]
    if nnodes == 1 and not master_addr:
        command.append("--standalone")
    else:
        command += ["--nnodes", str(nnodes), "--node-rank", str(node_rank),
                    "--master-addr", master_addr or "127.0.0.1", "--master-port", str(master_port)]
    return command + ["--monitor-interval", "0.5", "-m", "lima_curate.train.launch", str(config_file)]


def launch(config: TrainConfig, *, nproc_per_node: int, nnodes: int = 1, node_rank: int = 0,
           master_addr: str = "", master_port: int = 29500) -> int:
    """Check the inputs, start torchrun, wait for it; return its exit status."""
    from lima_curate.train.recipe import preflight

    preflight(config)
    handle, name = tempfile.mkstemp(prefix="lima-curate-train-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(to_dict(config), file)
        command = torchrun_command(name, nproc_per_node=nproc_per_node, nnodes=nnodes, node_rank=node_rank,
                                   master_addr=master_addr, master_port=master_port)
        return subprocess.call(command)
    finally:
        os.unlink(name)


def main(argv: "Sequence[str] | None" = None) -> int:
    """Worker entry point: ``python -m lima_curate.train.launch CONFIG.json`` (under torchrun)."""
    from lima_curate.errors import InputError
    from lima_curate.train.recipe import run

    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m lima_curate.train.launch CONFIG.json", file=sys.stderr)
        return 2
    rank = os.environ.get("RANK", "0")
    try:
        run(parse(TrainConfig, json.loads(Path(args[0]).read_text(encoding="utf-8"))))
    except (InputError, ConfigError) as error:
        if rank == "0":
            print(f"error: {error}", file=sys.stderr)
        _exit_now(2)
    except BaseException as error:  # noqa: BLE001 - any failure must end this worker now, not hang it
        import traceback

        traceback.print_exc()
        print(f"error: training failed on rank {rank}: {type(error).__name__}: {error}", file=sys.stderr)
        _exit_now(130 if isinstance(error, KeyboardInterrupt) else 1)
    return 0


def _exit_now(code: int) -> NoReturn:
    """Exit without interpreter teardown: a process group left after a failure can block it."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
