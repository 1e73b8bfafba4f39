"""Pure counting rules and keys: what an action contributes to which cell, the plan's codes,
the geography. No I/O."""
