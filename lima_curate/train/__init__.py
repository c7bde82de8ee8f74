"""Fine-tuning on a built set with the LIMA recipe (``lima-curate train``); start at recipe.py."""
