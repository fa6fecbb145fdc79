"""Git writes: one fix commit on its own branch (`commit`), its push with a lease and the checks around it (`remote`),
and temporary worktrees (`worktrees`); all of it goes through a `gitread.Session`, opened once per run.

Reading (a commit's files, tree and index listings, the current branch) is `fixbot.gitops.read`, which never writes.
"""

from fixbot.gitops.commit import (DEFAULT_AUTHOR, Committed, branch_name_problem, commit_fix, delete_branch, reword, undo,
                                  validate_branch_name)
from fixbot.gitops.remote import (Pushed, check_based_on, check_remote, commits_not_by, delete_remote_branch, push,
                                  remote_branch_sha)
from fixbot.gitops.worktrees import worktree
from fixbot.gitops.read import GitError, Session, session

__all__ = [
    "DEFAULT_AUTHOR", "Committed", "GitError", "Pushed", "Session", "branch_name_problem", "check_based_on",
    "check_remote", "commit_fix", "commits_not_by", "delete_branch", "delete_remote_branch", "push", "remote_branch_sha",
    "reword", "session",
    "undo", "validate_branch_name", "worktree",
]
