"""BM25F's parameters, shared by every backend so that they rank alike.

Occurrences in the title weigh ``TITLE_WEIGHT`` times those in the body; each field's length
normalisation is ``1 - b + b·length/average`` with its own ``b``; ``K1`` is the saturation.
"""

TITLE_WEIGHT = 8.0
BODY_WEIGHT = 1.0
TITLE_B = 0.6
BODY_B = 0.5
K1 = 1.2
