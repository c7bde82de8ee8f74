"""Dev-set generations at a saved epoch, sampled as in the paper (top-p 0.9, T 0.7, rep. 1.2).

Prompts are dealt round-robin to ranks; under FSDP every rank runs the same number of
``generate(..., synced_gpus=True)`` calls. Sampling forks the RNG, so the training RNG stream
(and so a resumed run) does not depend on whether generations were written.
"""

from __future__ import annotations

from typing import Any, Sequence

from lima_curate.train.config import GenerationSettings
from lima_curate.train.data import Conversation, encode_prompt, prompt_messages
from lima_curate.train.distributed import Runtime, all_reduce, autocast, gather_objects, unwrap


def generate_dev(
    model: Any,
    tokenizer: Any,
    prompts: Sequence[Conversation],
    settings: GenerationSettings,
    runtime: Runtime,
    *,
    eot: int,
    max_seq_len: int,
    seed: int,
) -> list[dict[str, Any]]:
    """One row per dev prompt (same order as ``prompts``) on the main rank; [] elsewhere."""
    import torch

    net = unwrap(model)
    mine = list(range(runtime.rank, len(prompts), runtime.world_size))
    batches = [mine[i:i + settings.batch_size] for i in range(0, len(mine), settings.batch_size)]
    count = all_reduce(torch.tensor(len(batches), device=runtime.device), runtime, op="max")
    rows: list[dict[str, Any]] = []
    was_training = net.training
    net.eval()
    devices = [runtime.device] if runtime.device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices), torch.no_grad(), autocast(runtime):
        torch.manual_seed(seed * 1000 + runtime.rank)
        for number in range(int(count)):
            batch = batches[number] if number < len(batches) else (batches[-1] if batches else [0])  # keep in step
            outputs = _generate(net, tokenizer, [prompts[i] for i in batch], settings, runtime,
                                eot=eot, max_seq_len=max_seq_len)
            if number < len(batches):
                rows.extend({"index": i, **out} for i, out in zip(batch, outputs))
    net.train(was_training)
    gathered = gather_objects(rows, runtime)
    if not runtime.is_main:
        return []
    merged = sorted((row for part in gathered for row in part), key=lambda row: row["index"])
    return [{k: v for k, v in row.items() if k != "index"} for row in merged]


def _generate(net: Any, tokenizer: Any, batch: Sequence[Conversation], settings: GenerationSettings,
              runtime: Runtime, *, eot: int, max_seq_len: int) -> list[dict[str, Any]]:
    import torch

    budget = max(1, max_seq_len - 1)
    encoded = [encode_prompt(c.messages, tokenizer, eot, budget) for c in batch]
    width = max(len(ids) for ids in encoded)
    pad = net.generation_config.pad_token_id if net.generation_config.pad_token_id is not None else eot
    input_ids = torch.full((len(encoded), width), pad, dtype=torch.long)
    mask = torch.zeros((len(encoded), width), dtype=torch.long)
    for row, ids in enumerate(encoded):  # left padding: every prompt ends at the last column
        input_ids[row, width - len(ids):] = torch.tensor(ids)
        mask[row, width - len(ids):] = 1
    new_tokens = max(1, min(settings.max_new_tokens, max_seq_len - width))
    output = net.generate(
        input_ids=input_ids.to(runtime.device),
        attention_mask=mask.to(runtime.device),
        do_sample=settings.do_sample,
        logits_processor=logits_processors(settings, prompt_width=width, vocab_size=len(tokenizer)),
        temperature=1.0, top_p=1.0, top_k=0, repetition_penalty=1.0,  # all in logits_processors
        max_new_tokens=new_tokens,
        eos_token_id=eot,
        pad_token_id=pad,
        use_cache=True,
        synced_gpus=runtime.engine == "fsdp" and runtime.distributed,
    )
    rows = []
    for conv, sequence in zip(batch, output[:, width:].tolist()):
        stopped = eot in sequence
        tokens = sequence[:sequence.index(eot)] if stopped else sequence
        rows.append({
            "id": conv.id,
            "messages": prompt_messages(conv.messages),
            "response": tokenizer.decode(tokens, skip_special_tokens=True),
            "tokens": len(tokens),
            "stopped_at_eot": stopped,
        })
    return rows


def logits_processors(settings: GenerationSettings, *, prompt_width: int, vocab_size: int) -> Any:
    """Penalty on generated tokens, no padding rows, then temperature and top-p when sampling."""
    from transformers import LogitsProcessorList, TemperatureLogitsWarper, TopPLogitsWarper

    processors = LogitsProcessorList([GeneratedTokensPenalty(settings.repetition_penalty, prompt_width, vocab_size)])
    if settings.do_sample:
        processors += [TemperatureLogitsWarper(settings.temperature), TopPLogitsWarper(settings.top_p)]
    return processors


class GeneratedTokensPenalty:
    """CTRL's repetition penalty on the tokens after ``prompt_width`` only; ids >= ``vocab_size`` never chosen.

    Not on the prompt, whose EOT would otherwise be penalised before the first token; the
    embedding rows past the tokenizer (padding to a multiple of 64) are no tokens at all.
    """

    def __init__(self, penalty: float, prompt_width: int, vocab_size: int) -> None:
        self.penalty = penalty
        self.prompt_width = prompt_width
        self.vocab_size = vocab_size

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import torch

        generated = input_ids[:, self.prompt_width:]
        if self.penalty != 1.0 and generated.shape[1]:
            seen = scores.gather(1, generated)
            seen = torch.where(seen < 0, seen * self.penalty, seen / self.penalty)
            scores = scores.scatter(1, generated, seen)
        if scores.shape[1] > self.vocab_size:
            scores = scores.clone()
            scores[:, self.vocab_size:] = -float("inf")
        return scores
