# Helpers shared by the rule files.


def step_code(*modules):
    """A step's modules as inputs, so editing one reruns the step (Snakemake tracks a rule's script, not its imports)."""
    return [f"scripts/infospace/{module}.py" for module in ("schema", "tables", *modules)]
