"""Task modules Celery must import so that a worker knows every task by name."""
TASK_MODULES = ["planner_platform.accounts.tasks", "planner_platform.notifications.tasks",
                "planner_platform.planners.tasks", "planner_platform.proposals.tasks",
                "planner_platform.activities.tasks", "planner_platform.projects.tasks",
                "planner_platform.monitoring.tasks", "planner_platform.reports.tasks",
                "planner_platform.reports.place_tasks"]
