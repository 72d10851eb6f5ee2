"""Security: password hashing (argon2id) and API token secrets."""
