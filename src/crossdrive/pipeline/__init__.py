"""Tasks, their execution, and the order of stages: what makes a run parallel and resumable."""
