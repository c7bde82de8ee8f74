"""Benchmark: the training step of `lima-curate train` against transformers' Trainer, and its I/O.

Self-contained: a Llama-shaped model built from a config (random weights, no download), a
byte-level BPE tokenizer trained on the repository's ``raw/`` samples and LIMA-like
conversations made from them (``benchmarks/train_data.py``), so the same command runs on a
GPU machine that has only the repository. In one process, on the same examples:

* ``steps`` (default): optimiser steps of the recipe packed (whole examples, attention per
  example, loss over the step), padded (data order, length-grouped), and
  ``transformers.Trainer`` padded and with ``DataCollatorWithFlattening``; tokens/s, model
  TFLOP/s (6 N per token, and with causal attention), MFU against ``--peak-tflops``, padding
  waste, seconds per step and peak GPU memory. The first step of each run is a warm-up.
* ``mask``: the cost of one packed row's forward pass with no row mask (now) against the
  T x T mask transformers used to build for it (before), which the kernel never read.
* ``checkpoint``: seconds and bytes of the resumable checkpoint (before: rank 0 gathers the
  model and AdamW state and writes fp32 safetensors + ``optimizer.pt``; now: every rank
  writes its own shards with torch.distributed.checkpoint) and of an epoch export (fp32
  before, bf16 now).

CPU (what RESULTS.md records):

    python3 benchmarks/bench_train.py --preset small --vocab 4096 --examples 64 --examples-per-step 16 --max-seq-len 1024
    python3 benchmarks/bench_train.py --what mask,checkpoint --preset small --vocab 4096 --row-tokens 7855

GPU (a 1.1B model in bf16):

    python3 benchmarks/bench_train.py --preset 1b --vocab 32000 --examples 256 --examples-per-step 32 \\
        --max-seq-len 2048 --micro-batch-tokens 8192 --micro-batch-size 4
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import train_data  # noqa: E402  (benchmarks/train_data.py)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--what", default="steps", help="comma-separated: steps, mask, checkpoint")
    p.add_argument("--preset", default="small", help="tiny, small, 1b or 3b (Llama shapes; see tests/train/tiny.py)")
    p.add_argument("--vocab", type=int, default=1024, help="model vocabulary (the tokenizer is trained on raw/)")
    p.add_argument("--examples", type=int, default=64, help="LIMA-like examples made from raw/")
    p.add_argument("--examples-per-step", type=int, default=16)
    p.add_argument("--max-seq-len", type=int, default=512)
    p.add_argument("--micro-batch-tokens", type=int, default=0, help="packed row size (default: 2 x max-seq-len)")
    p.add_argument("--micro-batch-size", type=int, default=4, help="padded runs: examples per forward pass")
    p.add_argument("--steps", type=int, default=0, help="timed steps per run (default: one epoch minus the warm-up)")
    p.add_argument("--device", default="auto", help="auto, cpu or cuda")
    p.add_argument("--attn", default="", help="attention implementation ('' = the recipe's choice)")
    p.add_argument("--gradient-checkpointing", action="store_true")
    p.add_argument("--row-tokens", type=int, default=7855, help="mask: tokens in the packed row")
    p.add_argument("--repeat", type=int, default=3, help="mask, checkpoint: best of this many")
    p.add_argument("--peak-tflops", type=float, default=None, help="peak dense TFLOP/s for MFU")
    p.add_argument("--threads", type=int, default=1,
                   help="torch intra-op threads on CPU (default 1: on a shared box, more threads than free cores "
                        "make OpenMP spin; 0 keeps torch's default)")
    p.add_argument("--skip-trainer", action="store_true", help="only the recipe's runs")
    p.add_argument("--json", type=Path, default=None, help="also write the results here")
    return p.parse_args(argv)


def recipe_config(model, data, out, *, examples_per_step, max_seq_len, micro_batch_tokens=0, micro_batch_size=4,
                  device="auto", attn="", gradient_checkpointing=False, **overrides):
    from lima_curate.train.config import load_train_config

    settings = {
        "model": str(model), "data": str(data), "out": str(out), "epochs": 1, "examples_per_step": examples_per_step,
        "max_seq_len": max_seq_len, "micro_batch_tokens": micro_batch_tokens or 2 * max_seq_len,
        "micro_batch_size": micro_batch_size, "device": device, "attn_implementation": attn,
        "gradient_checkpointing": gradient_checkpointing, "progress": False, "dev": "none",
    }
    settings.update(overrides)
    return load_train_config(None, settings)


def attention_flops(lengths, layers, hidden):
    """Causal attention FLOPs of a training step (forward + backward) over sequences of these lengths."""
    return 6 * layers * hidden * sum(n * n for n in lengths)


def run_recipe(config, name, steps=0):
    """Time ``steps`` optimiser steps of the recipe (after one warm-up step) on the config's data."""
    import torch

    from lima_curate.train import data as train_data_module
    from lima_curate.train import distributed, recipe

    runtime = distributed.setup(config.device, config.engine, config.precision)
    session = recipe.setup(config, runtime)
    order = train_data_module.epoch_order(len(session.train_set.examples), config.seed, 0)
    total = min(session.steps_per_epoch, (steps + 1) if steps else session.steps_per_epoch)
    plans = [recipe.micro_batches(session, train_data_module.step_indices(order, step, config.examples_per_step))
             for step in range(total)]
    cuda = runtime.device.type == "cuda"
    recipe.train_step(session, plans[0])  # warm-up (and compilation)
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    started = time.perf_counter()
    losses = [recipe.train_step(session, plan)["loss"] for plan in plans[1:]]
    if cuda:
        torch.cuda.synchronize()
    seconds = time.perf_counter() - started
    padded = config.batching == "padded"
    lengths = [len(e) for plan in plans[1:] for batch in plan for e in batch]
    computed = sum((max(len(e) for e in b) * len(b)) if padded else sum(len(e) for e in b)
                   for plan in plans[1:] for b in plan)
    net = distributed.unwrap(session.model)
    result = {"run": name, "steps": len(plans) - 1, "seconds": seconds, "tokens": sum(lengths),
              "pad_tokens": computed - sum(lengths), "computed_tokens": computed, "n_params": session.n_parameters,
              "attention_flops": attention_flops(lengths, net.config.num_hidden_layers, net.config.hidden_size),
              "last_loss": losses[-1] if losses else None, "device": runtime.device.type,
              "precision": runtime.precision, "attention": session.attention,
              "peak_memory_gb": torch.cuda.max_memory_allocated() / 2**30 if cuda else None}
    del session
    if cuda:
        torch.cuda.empty_cache()
    return result


def run_trainer(model_dir, data, out, name, *, examples_per_step, max_seq_len, micro_batch_size, device="auto",
                attn="sdpa", gradient_checkpointing=False, flatten=False, steps=0, bf16=None, first_loss_only=False):
    """transformers.Trainer on the same examples, batch shape and optimiser settings."""
    import torch
    from transformers import Trainer, TrainerCallback, TrainingArguments

    from lima_curate.train import data as train_data_module
    from lima_curate.train.model import add_chat_format, load_model, load_tokenizer

    tokenizer = load_tokenizer(str(model_dir))
    eot = add_chat_format(tokenizer, "<|EOT|>")
    train_set = train_data_module.load_train_set(data, tokenizer, eot, max_seq_len)
    torch.manual_seed(0)
    model = load_model(str(model_dir), vocab_size=len(tokenizer), attn_implementation=attn)
    if gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    rows = [{"input_ids": list(e.input_ids), "labels": [t if keep else -100 for t, keep in zip(e.input_ids, e.targets)]}
            for e in train_set.examples]
    counter = {"pad": 0, "computed": 0, "real": 0}

    def pad_collate(features):
        width = max(len(f["input_ids"]) for f in features)
        ids = torch.full((len(features), width), tokenizer.pad_token_id)
        labels = torch.full((len(features), width), -100)
        mask = torch.zeros((len(features), width), dtype=torch.long)
        for i, f in enumerate(features):
            n = len(f["input_ids"])
            ids[i, :n], labels[i, :n], mask[i, :n] = torch.tensor(f["input_ids"]), torch.tensor(f["labels"]), 1
        counter["computed"] += width * len(features)
        counter["real"] += int(mask.sum())
        return {"input_ids": ids, "labels": labels, "attention_mask": mask}

    if flatten:
        from transformers import DataCollatorWithFlattening

        flat = DataCollatorWithFlattening()

        def collate(features):
            batch = flat(features)
            counter["computed"] += batch["input_ids"].numel()
            counter["real"] += batch["input_ids"].numel()
            return batch
    else:
        collate = pad_collate

    timing = {}

    class StepTimer(TrainerCallback):
        def on_step_end(self, targs, state, control, **kw):
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            if state.global_step == 1:
                timing["start"] = time.perf_counter()
                timing["base"] = dict(counter)
            timing["end"] = time.perf_counter()

    cuda = torch.cuda.is_available() and device != "cpu"
    accumulation = max(1, examples_per_step // micro_batch_size)
    targs = TrainingArguments(
        output_dir=str(out), per_device_train_batch_size=micro_batch_size,
        gradient_accumulation_steps=accumulation, num_train_epochs=1, learning_rate=1e-5,
        lr_scheduler_type="linear", warmup_steps=0, weight_decay=0.1, adam_beta1=0.9, adam_beta2=0.95,
        logging_strategy="steps" if first_loss_only else "no", logging_steps=1, save_strategy="no", report_to=[], use_cpu=not cuda,
        bf16=cuda if bf16 is None else bf16, dataloader_num_workers=0, seed=0, disable_tqdm=True,
        remove_unused_columns=False, max_steps=1 if first_loss_only else ((steps + 1) if steps else -1),
    )
    trainer = Trainer(model=model, args=targs, train_dataset=rows, data_collator=collate, callbacks=[StepTimer()])
    trainer.train()
    first_loss = next((entry["loss"] for entry in trainer.state.log_history if "loss" in entry), None)
    if first_loss_only:
        return {"run": name, "first_loss": first_loss}
    real = counter["real"] - timing["base"]["real"]
    computed = counter["computed"] - timing["base"]["computed"]
    result = {"run": name, "steps": trainer.state.global_step - 1, "seconds": timing["end"] - timing["start"],
              "tokens": real, "pad_tokens": computed - real, "computed_tokens": computed,
              "n_params": sum(p.numel() for p in {id(p): p for p in model.parameters()}.values()),
              "attention_flops": None, "last_loss": None, "device": "cuda" if cuda else "cpu",
              "precision": "bf16" if targs.bf16 else "fp32", "attention": attn,
              "peak_memory_gb": torch.cuda.max_memory_allocated() / 2**30 if cuda else None}
    del trainer, model
    return result


def peak_tflops(requested=None, device="auto"):
    if requested:
        return requested
    import torch

    if torch.cuda.is_available() and device != "cpu":
        name = torch.cuda.get_device_name()
        if "H100" in name or "H200" in name:
            return 989.0  # dense bf16
        if "A100" in name:
            return 312.0
    return None


def rates(result, peak):
    """tokens/s, model TFLOP/s (6N), with attention, MFU of each, padding waste, seconds per step."""
    rate = result["tokens"] / result["seconds"]
    model_flops = 6 * result["n_params"] * rate / 1e12
    attn = (result["attention_flops"] or 0) / result["seconds"] / 1e12
    result.update(tokens_per_s=rate, model_tflops=model_flops, model_attn_tflops=model_flops + attn,
                  mfu=model_flops / peak if peak else None, mfu_attn=(model_flops + attn) / peak if peak else None,
                  padding_waste=result["pad_tokens"] / result["computed_tokens"] if result["computed_tokens"] else 0.0,
                  seconds_per_step=result["seconds"] / max(1, result["steps"]))
    return result


def steps_table(args, folder, model, data):
    common = dict(examples_per_step=args.examples_per_step, max_seq_len=args.max_seq_len,
                  micro_batch_tokens=args.micro_batch_tokens, micro_batch_size=args.micro_batch_size,
                  device=args.device, attn=args.attn, gradient_checkpointing=args.gradient_checkpointing)
    results = [run_recipe(recipe_config(model, data, folder / "r1", **common), "recipe packed", args.steps),
               run_recipe(recipe_config(model, data, folder / "r2", batching="padded", group_by_length=False, **common),
                          "recipe padded (data order)", args.steps),
               run_recipe(recipe_config(model, data, folder / "r3", batching="padded", group_by_length=True, **common),
                          "recipe padded (length-grouped)", args.steps)]
    if not args.skip_trainer:
        trainer = dict(examples_per_step=args.examples_per_step, max_seq_len=args.max_seq_len,
                       micro_batch_size=args.micro_batch_size, device=args.device, attn=args.attn or "sdpa",
                       gradient_checkpointing=args.gradient_checkpointing, steps=args.steps)
        results.append(run_trainer(model, data, folder / "t1", "Trainer padded", **trainer))
        try:
            results.append(run_trainer(model, data, folder / "t2", "Trainer flattened", flatten=True, **trainer))
        except ImportError:
            pass
    peak = peak_tflops(args.peak_tflops, args.device)
    base = next((r for r in results if r["run"] == "Trainer padded"), None)
    for r in results:
        rates(r, peak)
    print(f"model: {args.preset} Llama, {results[0]['n_params'] / 1e6:.1f}M parameters, device {results[0]['device']} "
          f"{results[0]['precision']}, attention {results[0]['attention']}")
    print("| run | steps | s/step | tokens/s | TFLOP/s 6N (+attn) | MFU 6N (+attn) | padding waste | x Trainer padded |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        mfu = f"{r['mfu']:.1%} ({r['mfu_attn']:.1%})" if r["mfu"] is not None else "n/a"
        ratio = f"{r['tokens_per_s'] / base['tokens_per_s']:.2f}" if base else "n/a"
        print(f"| {r['run']} | {r['steps']} | {r['seconds_per_step']:.3f} | {r['tokens_per_s']:,.0f} | "
              f"{r['model_tflops']:.4f} ({r['model_attn_tflops']:.4f}) | {mfu} | {r['padding_waste']:.1%} | {ratio} |")
    return results


def mask_cost(args, model_dir):
    """Forward of one packed row of ``--row-tokens`` tokens, and the T x T mask built for it before."""
    import torch
    from transformers.masking_utils import create_causal_mask

    from lima_curate.train import attention, data
    from lima_curate.train.model import load_model
    from timing import best_of

    attention.register()
    model = load_model(str(model_dir), vocab_size=args.vocab, attn_implementation=attention.PACKED_SDPA).eval()
    lengths, left = [], args.row_tokens
    while left > 0:  # LIMA-like examples of 400-1,200 tokens
        lengths.append(min(left, 400 + (len(lengths) * 373) % 800))
        left -= lengths[-1]
    examples = [data.Encoded(str(i), tuple(range(3, 3 + n)), (True,) * n) for i, n in enumerate(lengths)]
    inputs = data.packed_inputs(examples, attention.PACKED_SDPA)
    embeds = model.get_input_embeddings()(inputs["input_ids"])
    sdpa_config = type(model.config).from_dict({**model.config.to_dict(), "attn_implementation": "sdpa"})
    sdpa_config._attn_implementation = "sdpa"

    def forward():
        with torch.no_grad():
            model(**inputs)

    def old_mask():  # what transformers built for the row before (restarting positions, no mask given)
        return create_causal_mask(sdpa_config, embeds, None, None, position_ids=inputs["position_ids"])

    mask = old_mask()
    now = best_of(args.repeat, forward)
    build = best_of(args.repeat, old_mask)
    result = {"row_tokens": sum(lengths), "examples": len(lengths), "forward_s": now, "mask_build_s": build,
              "mask_bytes": mask.numel() * mask.element_size(), "before_s": now + build, "after_s": now}
    print(f"packed row of {sum(lengths):,} tokens ({len(lengths)} examples): forward {now * 1e3:.0f} ms now; "
          f"before, +{build * 1e3:.0f} ms to build a {tuple(mask.shape)} mask of {result['mask_bytes'] / 2**20:.0f} MiB "
          f"({(now + build) / now:.2f}x)")
    return result


def checkpoint_cost(args, folder, model_dir, data):
    """Checkpoint and export, the way they were written before and now: seconds and bytes."""
    import torch
    from torch.distributed.checkpoint.state_dict import StateDictOptions, get_optimizer_state_dict

    from lima_curate.train import checkpoint, distributed, recipe
    from timing import best_of

    config = recipe_config(model_dir, data, folder / "ckpt", examples_per_step=args.examples_per_step,
                           max_seq_len=args.max_seq_len, device=args.device)
    runtime = distributed.setup(config.device, config.engine, config.precision)
    session = recipe.setup(config, runtime)
    order = list(range(len(session.train_set.examples)))[:config.examples_per_step]
    recipe.train_step(session, recipe.micro_batches(session, order))  # AdamW state exists
    progress = {"global_step": 1, "epoch": 0, "step_in_epoch": 1, "fingerprint": "x", "config": {}}

    def size(path):
        return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())

    def before_checkpoint():  # rank 0 gathers everything; fp32 safetensors + pickled optimizer state
        target = folder / "before"
        shutil.rmtree(target, ignore_errors=True)
        state = checkpoint.full_model_state(session.model)
        optim = get_optimizer_state_dict(session.model, session.optimizer,
                                         options=StateDictOptions(full_state_dict=True, cpu_offload=True))
        checkpoint.save_weights(target / "model", session.model, state, session.tokenizer)
        torch.save(optim, target / "optimizer.pt")
        torch.save({"scheduler": session.scheduler.state_dict(), "rng": [torch.get_rng_state()]},
                   target / "trainer_state.pt")

    def now_checkpoint():
        checkpoint.save_checkpoint(folder / "now", session.model, session.optimizer, session.scheduler,
                                   session.tokenizer, runtime, progress)

    def export(dtype):
        def write():
            target = folder / f"export-{dtype}"
            shutil.rmtree(target, ignore_errors=True)
            checkpoint.save_weights(target, session.model, checkpoint.full_model_state(session.model, dtype),
                                    session.tokenizer)
        return write

    result = {"n_params": session.n_parameters,
              "checkpoint_before_s": best_of(args.repeat, before_checkpoint), "checkpoint_before_bytes": 0,
              "checkpoint_now_s": best_of(args.repeat, now_checkpoint), "checkpoint_now_bytes": 0,
              "export_fp32_s": best_of(args.repeat, export(torch.float32)),
              "export_bf16_s": best_of(args.repeat, export(torch.bfloat16))}
    result["checkpoint_before_bytes"] = size(folder / "before")
    result["checkpoint_now_bytes"] = size(folder / "now" / "checkpoint")
    result["export_fp32_bytes"] = size(folder / "export-torch.float32")
    result["export_bf16_bytes"] = size(folder / "export-torch.bfloat16")
    mb = 2**20
    print(f"model {session.n_parameters / 1e6:.1f}M parameters, one process on {runtime.device.type}")
    print("| what | before | now |\n|---|---|---|")
    print(f"| resumable checkpoint | {result['checkpoint_before_s']:.3f} s, {result['checkpoint_before_bytes'] / mb:.1f} MiB "
          f"| {result['checkpoint_now_s']:.3f} s, {result['checkpoint_now_bytes'] / mb:.1f} MiB |")
    print(f"| epoch export | {result['export_fp32_s']:.3f} s, {result['export_fp32_bytes'] / mb:.1f} MiB (fp32) "
          f"| {result['export_bf16_s']:.3f} s, {result['export_bf16_bytes'] / mb:.1f} MiB (bf16) |")
    del session
    return result


def main(argv=None):
    args = parse_args(argv)
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    from lima_curate.train.model import quiet_transformers

    quiet_transformers()
    what = set(args.what.split(","))
    report = {"args": {k: str(v) for k, v in vars(args).items()}}
    with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
        folder = Path(tmp)
        model, data, _ = train_data.build(folder, preset=args.preset, vocab=args.vocab, examples=args.examples,
                                          max_positions=max(2048, args.max_seq_len, args.row_tokens))
        if "steps" in what:
            report["steps"] = steps_table(args, folder, model, data)
        if "mask" in what:
            report["mask"] = mask_cost(args, model)
        if "checkpoint" in what:
            report["checkpoint"] = checkpoint_cost(args, folder, model, data)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
