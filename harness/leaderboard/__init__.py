"""Submissions + published baselines -> LEADERBOARD.md (and plots); checks for CI."""
