"""Everything fixbot does on GitHub: `client` (connection, retries, errors), `pulls`, `runs` and `codeowners`."""
