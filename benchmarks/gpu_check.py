"""The trainer's GPU check: one command, one JSON file, each section guarded.

    python3 benchmarks/gpu_check.py --out gpu_check.json          # one H100/H200, under 8 minutes
    python3 benchmarks/gpu_check.py --dry-run --out dry.json      # CPU, a tiny shape (run by the tests)

Nothing is downloaded: a 1.1B Llama-shaped model (TinyLlama's shape) is built from a config
with random weights (saved in bf16, so every run starts from the same weights), and a
byte-level BPE tokenizer is trained on the repository's ``raw/`` samples, from which
LIMA-like conversations are made (``benchmarks/train_data.py``).

A. Parity: the recipe's step-0 loss in fp32 on the GPU against a float64 reference computed
   example by example (no packing), and against ``transformers.Trainer``'s first loss on
   the same examples; then the same step in bf16.
B. Speed: bf16 tokens/s, MFU (6N per token, and with causal attention, against the chip's
   dense bf16 peak), peak memory and seconds per step for packed rows of 8k and 16k tokens,
   with and without activation checkpointing; padded batches; ``transformers.Trainer``
   (padded) on the same data; then each optional fast path alone on 8k rows (``compile``,
   ``fused_loss``, ``fused_adamw``), which stay off by default until this shows them faster.
C. FSDP2 on a one-rank NCCL group: 3 steps equal to the plain run's; checkpoint seconds and
   bytes (sharded, torch.distributed.checkpoint) and export seconds and bytes (bf16).
D. Dev generation speed (the paper's sampling), tokens per second.

A section that fails is recorded with its error and the check goes on; sections that would
pass ``--budget-s`` are skipped and say so. The JSON holds every number and the environment.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import bench_train  # noqa: E402
import train_data  # noqa: E402

# shape, sizes and step counts of a full check and of the CPU dry run
FULL = dict(preset="1b", vocab=32000, examples=192, dev=32, max_seq_len=2048, rows=(8192, 16384), steps=3,
            parity_examples=8, new_tokens=256, device="cuda")
DRY = dict(preset="tiny", vocab=512, examples=24, dev=4, max_seq_len=256, rows=(512, 1024), steps=2,
           parity_examples=4, new_tokens=16, device="cpu")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dry-run", action="store_true", help="a tiny shape on CPU (checks the script, not the GPU)")
    p.add_argument("--out", type=Path, default=Path("gpu_check.json"))
    p.add_argument("--sections", default="ABCD")
    p.add_argument("--budget-s", type=float, default=450.0, help="skip what would start after this many seconds")
    p.add_argument("--work", type=Path, default=None, help="folder for the model and data (default: a temporary one)")
    return p.parse_args(argv)


class Check:
    """Results of every section, written to JSON after each one."""

    def __init__(self, out: Path, budget_s: float) -> None:
        self.out, self.budget_s, self.started = out, budget_s, time.perf_counter()
        self.results: dict = {"sections": {}}

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def section(self, name: str, run, *args) -> None:
        if self.elapsed() > self.budget_s:
            self.results["sections"][name] = {"ok": None, "skipped": f"time budget of {self.budget_s:.0f} s spent"}
        else:
            began = time.perf_counter()
            try:
                self.results["sections"][name] = {"ok": True, **run(*args)}
            except Exception as error:  # noqa: BLE001 - one failure must not hide the other sections
                self.results["sections"][name] = {"ok": False, "error": f"{type(error).__name__}: {error}",
                                                  "traceback": traceback.format_exc()[-4000:]}
            self.results["sections"][name]["seconds"] = round(time.perf_counter() - began, 2)
        self.write()
        print(f"[{self.elapsed():6.1f} s] {name}: {json.dumps(self.results['sections'][name], default=str)[:600]}",
              flush=True)

    def write(self) -> None:
        self.results["elapsed_s"] = round(self.elapsed(), 2)
        self.out.write_text(json.dumps(self.results, indent=2, default=str) + "\n")


def environment(shape) -> dict:
    import torch
    import transformers

    env = {"python": platform.python_version(), "torch": torch.__version__, "transformers": transformers.__version__,
           "cuda": torch.version.cuda, "device": shape["device"]}
    if torch.cuda.is_available():
        env["gpu"] = torch.cuda.get_device_name()
    try:
        import flash_attn

        env["flash_attn"] = flash_attn.__version__
    except ImportError:
        env["flash_attn"] = None
    return env


def config(shape, model, data, out, **overrides):
    settings = dict(examples_per_step=16, max_seq_len=shape["max_seq_len"], micro_batch_tokens=shape["rows"][0],
                    device=shape["device"])
    settings.update(overrides)
    return bench_train.recipe_config(model, data, out, **settings)


# ---------------------------------------------------------------- A. parity


def reference_loss(model_dir, data, shape, count) -> float:
    """Summed cross-entropy over the targets of the first ``count`` examples / their targets, in float64, one by one."""
    import torch

    from lima_curate.train import data as train_data_module
    from lima_curate.train.model import add_chat_format, load_model, load_tokenizer

    tokenizer = load_tokenizer(str(model_dir))
    eot = add_chat_format(tokenizer, "<|EOT|>")
    examples = train_data_module.load_train_set(data, tokenizer, eot, shape["max_seq_len"]).examples[:count]
    torch.manual_seed(0)  # the same new-token rows as the recipe (which seeds 0 before building)
    model = load_model(str(model_dir), vocab_size=len(tokenizer), attn_implementation="eager",
                       dtype=torch.float64).to(shape["device"]).eval()
    total, targets = 0.0, 0
    with torch.no_grad():
        for example in examples:
            ids = torch.tensor([example.input_ids], device=shape["device"])
            labels = torch.tensor(example.labels(), device=shape["device"])
            logits = model(input_ids=ids).logits[0]
            total += float(torch.nn.functional.cross_entropy(logits, labels, ignore_index=-100, reduction="sum"))
            targets += example.loss_tokens
    del model
    return total / targets


def first_step_loss(cfg) -> tuple[float, str]:
    from lima_curate.train import distributed, recipe

    runtime = distributed.setup(cfg.device, cfg.engine, cfg.precision)
    session = recipe.setup(cfg, runtime)
    indices = list(range(cfg.examples_per_step))  # the first examples, in file order
    loss = recipe.train_step(session, recipe.micro_batches(session, indices))["loss"]
    kind = session.attention
    del session
    return loss, kind


def section_parity(shape, work, model, data) -> dict:
    import torch

    count = shape["parity_examples"]
    parity_data = train_data.write_jsonl(work / "parity.jsonl", [json.loads(line) for line in
                                                                 data.read_text().splitlines()[:count]])
    reference = reference_loss(model, parity_data, shape, count)
    # no residual dropout: the references have none
    fp32, kind = first_step_loss(config(shape, model, parity_data, work / "a-fp32", examples_per_step=count,
                                        precision="fp32", residual_dropout=0.0))
    trainer = bench_train.run_trainer(model, parity_data, work / "a-trainer", "Trainer fp32",
                                      examples_per_step=count, max_seq_len=shape["max_seq_len"],
                                      micro_batch_size=count, device=shape["device"], bf16=False,
                                      first_loss_only=True)["first_loss"]
    result = {"reference_fp64": reference, "recipe_fp32": fp32, "recipe_attention": kind, "trainer_fp32": trainer,
              "recipe_fp32_rel_error": abs(fp32 - reference) / reference,
              "trainer_fp32_rel_error": abs(trainer - reference) / reference if trainer else None}
    if torch.cuda.is_available() and shape["device"] == "cuda":
        bf16, _ = first_step_loss(config(shape, model, parity_data, work / "a-bf16", examples_per_step=count,
                                         precision="bf16", residual_dropout=0.0))
        result.update(recipe_bf16=bf16, recipe_bf16_rel_error=abs(bf16 - reference) / reference)
    else:
        result["recipe_bf16"] = "skipped: needs CUDA"
    result["fp32_within_1e-5"] = result["recipe_fp32_rel_error"] < 1e-5
    return result


# ---------------------------------------------------------------- B. speed


def section_speed(shape, work, model, data) -> dict:
    peak = bench_train.peak_tflops(None, shape["device"])
    runs = []
    precision = "bf16" if shape["device"] == "cuda" else "fp32"
    for row in shape["rows"]:
        for checkpointing in (False, True):
            name = f"packed {row} tokens{' + activation checkpointing' if checkpointing else ''}"
            cfg = config(shape, model, data, work / f"b-{row}-{checkpointing}", micro_batch_tokens=row,
                         examples_per_step=max(8, 2 * row // 600), precision=precision,
                         gradient_checkpointing=checkpointing)
            runs.append(_guarded(lambda: bench_train.rates(bench_train.run_recipe(cfg, name, shape["steps"]), peak)))
    cfg = config(shape, model, data, work / "b-padded", batching="padded", micro_batch_size=4, examples_per_step=16,
                 precision=precision)
    runs.append(_guarded(lambda: bench_train.rates(bench_train.run_recipe(cfg, "padded, 4 per pass", shape["steps"]),
                                                   peak)))
    runs.append(_guarded(lambda: bench_train.rates(bench_train.run_trainer(
        model, data, work / "b-trainer", "Trainer padded, 4 per pass", examples_per_step=16,
        max_seq_len=shape["max_seq_len"], micro_batch_size=4, device=shape["device"], steps=shape["steps"]), peak)))
    row = shape["rows"][0]
    for path in ("compile", "fused_loss", "fused_adamw"):
        if path == "compile" and shape["device"] != "cuda":
            continue  # minutes of inductor code generation on a CPU; the tests cover it with aot_eager
        cfg = config(shape, model, data, work / f"b-{path}", micro_batch_tokens=row,
                     examples_per_step=max(8, 2 * row // 600), precision=precision, **{path: True})
        runs.append(_guarded(lambda: bench_train.rates(bench_train.run_recipe(cfg, f"packed {row} tokens + {path}",
                                                                              shape["steps"]), peak)))
    return {"peak_tflops": peak, "runs": runs}


def _guarded(run) -> dict:
    try:
        return run()
    except Exception as error:  # noqa: BLE001 - e.g. out of memory at 16k without checkpointing
        return {"ok": False, "error": f"{type(error).__name__}: {error}"[:1000]}
    finally:
        _free()


def _free() -> None:
    import gc

    import torch

    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


# ---------------------------------------------------------------- C. FSDP2, checkpoint, export


def _steps(cfg, steps):
    from lima_curate.train import data as train_data_module
    from lima_curate.train import distributed, recipe

    runtime = distributed.setup(cfg.device, cfg.engine, cfg.precision)
    session = recipe.setup(cfg, runtime)
    order = train_data_module.epoch_order(len(session.train_set.examples), cfg.seed, 0)
    losses = [recipe.train_step(session, recipe.micro_batches(session, train_data_module.step_indices(
        order, step, cfg.examples_per_step)))["loss"] for step in range(steps)]
    return session, runtime, losses


def section_fsdp(shape, work, model, data) -> dict:
    import torch
    import torch.distributed as dist

    from lima_curate.train import checkpoint, distributed

    common = dict(examples_per_step=8, precision="fp32", micro_batch_tokens=shape["rows"][0], residual_dropout=0.0)
    plain, _, plain_losses = _steps(config(shape, model, data, work / "c-plain", **common), 3)
    plain_weights = {k: v.detach().cpu().clone() for k, v in plain.model.state_dict().items()}
    del plain
    _free()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    os.environ.update(RANK="0", WORLD_SIZE="1", LOCAL_RANK="0", MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    try:
        session, runtime, losses = _steps(config(shape, model, data, work / "c-fsdp", engine="fsdp", **common), 3)
        sharded = checkpoint.full_model_state(session.model)
        differences = max(float((sharded[k].float() - plain_weights[k].float()).abs().max()) for k in plain_weights)
        progress = {"global_step": 3, "epoch": 0, "step_in_epoch": 3, "fingerprint": "x", "config": {}}
        _sync(runtime)
        began = time.perf_counter()
        checkpoint.save_checkpoint(work / "c-fsdp", session.model, session.optimizer, session.scheduler,
                                   session.tokenizer, runtime, progress)
        _sync(runtime)
        checkpoint_s = time.perf_counter() - began
        began = time.perf_counter()
        checkpoint.export_epoch(work / "c-fsdp", 1, session.model, session.tokenizer, runtime,
                                checkpoint.full_model_state(session.model, torch.bfloat16), [])
        export_s = time.perf_counter() - began
        result = {"engine": runtime.engine, "world_size": runtime.world_size,
                  "backend": dist.get_backend() if dist.is_initialized() else None,
                  "plain_losses": plain_losses, "fsdp_losses": losses,
                  "max_loss_rel_difference": max(abs(a - b) / abs(b) for a, b in zip(losses, plain_losses)),
                  "max_weight_difference": differences,
                  "checkpoint_s": checkpoint_s, "checkpoint_bytes": _size(work / "c-fsdp" / "checkpoint"),
                  "export_bf16_s": export_s, "export_bf16_bytes": _size(work / "c-fsdp" / "epoch-01")}
        del session
    finally:
        distributed.cleanup()
        for key in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
            os.environ.pop(key, None)
        _free()
    result["equal_to_plain"] = result["max_loss_rel_difference"] < 1e-5 and result["max_weight_difference"] < 1e-5
    return result


def _sync(runtime) -> None:
    import torch

    if runtime.device.type == "cuda":
        torch.cuda.synchronize()


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


# ---------------------------------------------------------------- D. generation


def section_generation(shape, work, model, data, dev) -> dict:
    from lima_curate.train import data as train_data_module
    from lima_curate.train import distributed, recipe
    from lima_curate.train.config import GenerationSettings
    from lima_curate.train.generate import generate_dev

    cfg = config(shape, model, data, work / "d", examples_per_step=8)
    runtime = distributed.setup(cfg.device, cfg.engine, cfg.precision)
    session = recipe.setup(cfg, runtime)
    prompts = train_data_module.read_conversations(dev)
    settings = GenerationSettings(max_new_tokens=shape["new_tokens"], batch_size=8)
    _sync(runtime)
    began = time.perf_counter()
    rows = generate_dev(session.model, session.tokenizer, prompts, settings, runtime, eot=session.eot,
                        max_seq_len=cfg.max_seq_len, seed=0)
    _sync(runtime)
    seconds = time.perf_counter() - began
    tokens = sum(row["tokens"] for row in rows)
    del session
    return {"prompts": len(rows), "new_tokens": tokens, "seconds": seconds, "tokens_per_s": tokens / seconds,
            "stopped_at_eot": sum(row["stopped_at_eot"] for row in rows), "batch_size": settings.batch_size}


def main(argv=None) -> int:
    args = parse_args(argv)
    shape = DRY if args.dry_run else FULL
    import torch

    from lima_curate.train.model import quiet_transformers

    quiet_transformers()
    if args.dry_run:
        torch.set_num_threads(1)
    elif not torch.cuda.is_available():
        print("error: no CUDA device (use --dry-run on a CPU)", file=sys.stderr)
        return 2
    torch.backends.cuda.matmul.allow_tf32 = False  # fp32 parity means fp32 matmuls
    check = Check(args.out, args.budget_s)
    check.results.update(dry_run=args.dry_run, shape={k: v for k, v in shape.items()}, environment=environment(shape))
    with tempfile.TemporaryDirectory(prefix="gpu-check-") as tmp:
        work = args.work or Path(tmp)
        began = time.perf_counter()
        model, data, dev = train_data.build(work, preset=shape["preset"], vocab=shape["vocab"],
                                            examples=shape["examples"], dev=shape["dev"],
                                            max_positions=max(2048, shape["max_seq_len"]), dtype="bfloat16",
                                            device=shape["device"])
        _free()
        check.results["build_s"] = round(time.perf_counter() - began, 2)
        sections = {"A": ("A_parity", section_parity, (shape, work, model, data)),
                    "B": ("B_speed", section_speed, (shape, work, model, data)),
                    "C": ("C_fsdp_checkpoint", section_fsdp, (shape, work, model, data)),
                    "D": ("D_generation", section_generation, (shape, work, model, data, dev))}
        for letter in args.sections:
            name, run, run_args = sections[letter]
            check.section(name, run, *run_args)
    check.write()
    failed = [name for name, result in check.results["sections"].items() if result.get("ok") is False]
    print(f"gpu_check: {len(check.results['sections'])} sections, {len(failed)} failed"
          f"{' (' + ', '.join(failed) + ')' if failed else ''}; results in {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
