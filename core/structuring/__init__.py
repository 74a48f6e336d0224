"""Structuring tools: debt sizing (:mod:`.sizing`), the capital-structure optimiser
(:mod:`.optimise`), implied ratings from the Monte Carlo (:mod:`.implied_rating`) and the
sensitivity tornado (:mod:`.tornado`), all on the engine's own numbers (docs/structuring.md)."""
