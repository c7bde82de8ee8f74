"""Fine-tuning on a built set with the LIMA recipe (``lima-curate train``).

recipe.py reads top to bottom (setup, loop, checkpoint, cleanup) and uses: config.py
(settings) ; data.py (chat format, EOT, targets, packing) ; model.py (safe loading, EOT as
EOS, chat template, meta-device build) ; attention.py (packed rows without a T x T mask) ;
dropout.py (residual dropout) ; loss.py (cross-entropy, optionally chunked) ;
distributed.py (process group, placement, DDP / FSDP2) ; checkpoint.py (exports, sharded
checkpoints, resume) ; generate.py (dev generations) ; metrics.py ; launch.py (torchrun) ;
cli.py (the command).
"""
