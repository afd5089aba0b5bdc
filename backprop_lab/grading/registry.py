"""Every graded task of the course, by id (``"ps1.multiply_gate"``), one module per problem set."""
from __future__ import annotations

from . import ps1_gates, ps2_engine, ps3_layers, ps4_cnn_rnn, ps5_cnn_lstm
from .task import Task

__all__ = ["TASKS", "task_ids", "get_task", "student_code"]

PROBLEM_SETS = (ps1_gates, ps2_engine, ps3_layers, ps4_cnn_rnn, ps5_cnn_lstm)
TASKS: dict[str, Task] = {task.id: task for module in PROBLEM_SETS for task in module.TASKS}


def task_ids() -> list[str]:
    """The ids of every task, in course order."""
    return list(TASKS)


def get_task(task_id: str) -> Task:
    """The task with this id, or a ValueError listing the known ones."""
    try:
        return TASKS[task_id]
    except (KeyError, TypeError):
        raise ValueError(f"grading: unknown task {task_id!r}; known tasks: {task_ids()}.") from None


def student_code(task: Task, given: dict) -> dict:
    """``given`` when it holds every name the task needs, else a ValueError naming the missing."""
    missing = [name for name in task.student if name not in given]
    if missing:
        raise ValueError(f"grading: task {task.id!r} needs {list(task.student)}; missing {missing}.")
    return given
