"""footfall: self-hosted people-counting data hub."""
