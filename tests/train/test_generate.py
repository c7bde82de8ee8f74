"""Dev generations: the repetition penalty touches generated tokens only; padding rows are never chosen."""

from __future__ import annotations

import torch

from lima_curate.train.config import GenerationSettings
from lima_curate.train.generate import GeneratedTokensPenalty, logits_processors


def test_penalty_leaves_the_prompt_alone_and_divides_or_multiplies_what_was_generated():
    penalty = GeneratedTokensPenalty(1.2, prompt_width=3, vocab_size=6)
    scores = torch.tensor([[3.0, -1.0, 2.0, 0.5, -2.0, 1.0, 9.0, 9.0]])
    prompt = torch.tensor([[0, 1, 2]])  # token 0 (the prompt's EOT, say) keeps its logit 3.0
    before = penalty(prompt, scores.clone())
    assert before[0, :6].tolist() == scores[0, :6].tolist()
    assert before[0, 6:].tolist() == [-float("inf")] * 2  # embedding rows past the tokenizer
    after = penalty(torch.tensor([[0, 1, 2, 3, 4, 4]]), scores.clone())
    torch.testing.assert_close(after[0, :6], torch.tensor([3.0, -1.0, 2.0, 0.5 / 1.2, -2.0 * 1.2, 1.0]))


def test_sampling_goes_penalty_then_temperature_then_top_p_and_nothing_else():
    paper = logits_processors(GenerationSettings(), prompt_width=4, vocab_size=10)
    assert [type(p).__name__ for p in paper] == ["GeneratedTokensPenalty", "TemperatureLogitsWarper", "TopPLogitsWarper"]
    assert (paper[1].temperature, paper[2].top_p) == (0.7, 0.9)
    greedy = logits_processors(GenerationSettings(do_sample=False), prompt_width=4, vocab_size=10)
    assert [type(p).__name__ for p in greedy] == ["GeneratedTokensPenalty"]


def test_a_prompt_ending_in_eot_is_not_penalised_before_the_first_token(llama_dir, tokenizer):
    """The first step's scores through generate() equal the model's own logits at the prompt's end."""
    from lima_curate.train.model import load_model

    model = load_model(str(llama_dir), vocab_size=len(tokenizer) + 1).eval()
    eot = len(tokenizer)
    prompt = torch.tensor([[5, 17, 99, eot, 42, eot]])
    processors = logits_processors(GenerationSettings(do_sample=False, repetition_penalty=1.2), prompt_width=6,
                                   vocab_size=len(tokenizer) + 1)
    out = model.generate(input_ids=prompt, attention_mask=torch.ones_like(prompt), logits_processor=processors,
                         do_sample=False, max_new_tokens=1, return_dict_in_generate=True, output_scores=True,
                         repetition_penalty=1.0, pad_token_id=0, eos_token_id=eot)
    with torch.no_grad():
        logits = model(input_ids=prompt).logits[0, -1]
    torch.testing.assert_close(out.scores[0][0, :eot + 1], logits[:eot + 1])
