"""Networks, the hint contract, checkpoints and inference. Imports neither Qt, `app` nor `training`."""
