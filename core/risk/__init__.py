"""Risk analysis over the engine: deterministic stresses, scenarios, break-evens, Monte Carlo."""
